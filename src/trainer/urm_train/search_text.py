"""The served search score's text term: score(i) = model score(i) + w * <q, t_i>, q the query as typed and
t_i the item's text vector (both all-MiniLM-L6-v2), t_i as the card store keeps it (int8, CardText in
Urm.Core). The model scores compact cards, which keep too little of an item's words to match a query by
them; the frozen encoder matches words well but knows nothing of the shopper. The weight w is chosen
here on validation users whose target's queries were never trained on (held_out_queries.*), as the
co-occurrence term's weight is chosen (cooccurrence.py); 0 when the model does best alone. A search with
no history gets a weight of its own: the model's score of a query alone is a weaker guide than with the
shopper's history, so the text should count for more there.

A popularity prior joins the text term: + b * ln(1 + n_i), n_i the item's events in the training part
(shipped as popularity.bin). Without a history the model's score of a query alone breaks the text's
near-ties worse than popularity does (run U on Beauty: validation NDCG@10 0.567 at the best text weight,
0.588 with the prior); w and b are chosen together, each case (with a history, without) on its own.

The query side of the text term is learned: q' = normalize(q A), A fitted on the training queries (made from
the catalog by the generator that made the held-out ones, never from a held-out item) to find their own
item's text among all items' (fit_query_map). MiniLM's cosine weighs every word of a long item text
alike; the map learns which of the query's directions pick out the item (brand, product type, the title's
words). It is shipped as query_map.bin and kept only where validation NDCG@10 says it helps."""
from __future__ import annotations

import numpy as np
import torch

from .evaluate import ndcg, target_ranks
from .model import score_items
from .names import SEARCH

# 0 = the model alone; from 64 up the text decides and the model only breaks near-ties
WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
# weights of ln(1 + n_i): the largest gap between two items' logarithms on Beauty is about 6, so 0.64 lets
# popularity outweigh a text cosine gap of 0.06 at w = 64, 0.01 only breaks near-ties. Without a history run Y's
# best pair sat on the edge of a grid that stopped at 0.64 (w 32, b 0.64); with 1.28 and 2.56 it stays there
PRIORS = (0.0, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56)
SCALE = 127.0   # CardText.Scale


def quantized(text: np.ndarray) -> np.ndarray:
    """(n, dim) text vectors -> the values serving reads back from a card's int8 text: round(127 t) / 127,
    clamped to [-127, 127], rounding half to even as C#'s MathF.Round."""
    return (np.clip(np.round(text * SCALE), -SCALE, SCALE) / SCALE).astype(np.float32)


def probe_rows(data, held_out_item: np.ndarray) -> list:
    """The validation rows whose target has a held-out query."""
    has = np.zeros(len(data.item_category), bool)
    has[held_out_item] = True
    return [r for r in data.val if has[r[2]]]


def map_queries(typed: np.ndarray, query_map: np.ndarray | None) -> np.ndarray:
    """(m, d) queries as typed -> normalize(q A) as serving maps them (a zero row stays zero); unchanged without A."""
    if query_map is None:
        return typed
    mapped = typed.astype(np.float32) @ query_map
    norm = np.linalg.norm(mapped, axis=1, keepdims=True)
    return np.where(norm > 0, mapped / np.where(norm > 0, norm, 1.0), 0.0).astype(np.float32)


def fit_query_map(typed: np.ndarray, items: np.ndarray, text: np.ndarray, epochs: int, decay: float,
                  seed: int = 0, lr: float = 1e-3, batch: int = 512) -> np.ndarray:
    """A (d, d) from the identity so that normalize(q A) finds each training query's item among all items'
    text: softmax over every item of s * <normalize(q A), t_i> (s learned, from 20), plus decay * |A - I|^2,
    which keeps A near the frozen encoder where the queries say little. typed (Q, d), items (Q,) their item
    rows, text (n, d) as served (quantized)."""
    d = typed.shape[1]
    eye = torch.eye(d)
    a = torch.nn.Parameter(eye.clone())
    log_scale = torch.nn.Parameter(torch.tensor(float(np.log(20.0))))
    opt = torch.optim.Adam([a, log_scale], lr=lr)
    q, target, t = torch.from_numpy(typed.astype(np.float32)), torch.from_numpy(items), torch.from_numpy(text)
    rng = np.random.default_rng(seed)
    with torch.enable_grad():   # the finish runs under no_grad
        for _ in range(epochs):
            for b in np.array_split(rng.permutation(len(q)), max(1, len(q) // batch)):
                b = torch.from_numpy(b)
                mapped = torch.nn.functional.normalize(q[b] @ a, dim=1)
                loss = torch.nn.functional.cross_entropy(log_scale.exp() * (mapped @ t.T), target[b])
                loss = loss + decay * ((a - eye) ** 2).sum()
                opt.zero_grad()
                loss.backward()
                opt.step()
    return a.detach().numpy().astype(np.float32)


def log_popularity(counts: np.ndarray) -> np.ndarray:
    """(n,) training events per item -> ln(1 + n_i) as float32, the values serving appends to each card."""
    return np.log1p(np.asarray(counts, np.float64)).astype(np.float32)


def best(by_weights: dict) -> tuple:
    """The (w, b) of the highest NDCG@10; ties go to the smaller w, then the smaller b."""
    return max(by_weights, key=lambda wb: (by_weights[wb], -wb[0], -wb[1]))


@torch.no_grad()
def ndcg_by_text_weight(model, data, items: dict, prompt_table: torch.Tensor, rows: list, query_row: np.ndarray,
                        typed: np.ndarray, text: np.ndarray, batch_size: int, weights=WEIGHTS,
                        with_history: bool = True, cards: torch.Tensor | None = None,
                        popularity: np.ndarray | None = None, priors=PRIORS) -> dict:
    """NDCG@10 over rows (history, events, target) asked as serving asks a search: the task's piece and the
    target's held-out query (prompt table row query_row[target]), the history read (or, without
    with_history, none: a shopper the shop knows nothing of); for each text weight w and prior weight b,
    keyed (w, b), and under "text" the text term alone (the frozen encoder's cosine). typed[target]: the
    query as typed; text: (n, dim) item text vectors as served (quantized); popularity: (n,) ln(1 + n_i)
    (log_popularity), None for no prior (then b is 0 only). cards: the model's cards when the caller has
    them already."""
    model.eval()
    cards = model.cards(items) if cards is None else cards
    t = torch.from_numpy(text)
    prior = None if popularity is None else torch.from_numpy(popularity)
    pairs = [(w, b) for w in weights for b in (priors if prior is not None else (0.0,))]
    if not with_history:
        rows = [(h[:0], e[:0], target) for h, e, target in rows]
    rows = sorted(rows, key=lambda r: len(r[0]))
    ranks = {wb: [] for wb in pairs + ["text"]}
    for i in range(0, len(rows), batch_size):
        part = rows[i:i + batch_size]
        b = {k: torch.from_numpy(v) for k, v in data.eval_batch(part, SEARCH).items()}
        targets = b["targets"][:, 0]
        query = torch.from_numpy(query_row[targets.numpy()])
        b["prompt_idx"] = torch.cat([b["prompt_idx"], query.view(-1, 1)], dim=1)
        scores = model.add_repeat(score_items(model.users(b, cards, prompt_table), cards), b)
        cosine = torch.from_numpy(typed[targets.numpy()]) @ t.T                      # (b, n)
        for w, p in pairs:
            served = scores + w * cosine if w else scores
            ranks[(w, p)].append(target_ranks(served + p * prior if p else served, targets).numpy())
        ranks["text"].append(target_ranks(cosine, targets).numpy())
    return {wb: ndcg(np.concatenate(r) if r else np.zeros(0), 10) for wb, r in ranks.items()}
