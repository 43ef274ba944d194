"""Training loop: read data, build the model, Adam with early stopping on validation NDCG@10,
keep the best state, score the test split, save a checkpoint that carries its config."""
from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .config import Config
from .data import (Events, Features, Prompts, Queries, SequenceData, load_features, load_held_out_queries, load_prompts,
                   load_queries, prompt_keys_in, read_events, required_prompt_keys)
from . import cooccurrence, search_text
from .evaluate import evaluate, ndcg_by_weight
from .model import URM, AttributeBag, Sizes, full_softmax_loss
from .names import (CATEGORY, COOCCURRENCE_TASKS, EVENT_IDS, EXPLORE, MODALITIES, SEARCH, SIMILAR, TASK_KEYS,
                    category_key)


@dataclass
class Prepared:
    feats: Features
    events: Events
    prompts: Prompts
    data: SequenceData
    sizes: Sizes
    tasks: list
    id_index: np.ndarray        # (n,) per item: 1.. for items with an ID embedding, 0 = content only
    items: dict                 # item feature tensors for Fusion (attribute tokens compacted)
    prompt_table: torch.Tensor  # (keys, text_dim)
    attr_used: np.ndarray       # (U,) attribute buckets that occur; compact token u+1 = bucket attr_used[u]
    held_out: np.ndarray        # (n,) bool, items whose events were kept out of training (new_item_share)
    # search probes, never trained on: per item the prompt table row of its held-out query (-1: none) and
    # that query as typed (search_text.py chooses the text term's weight with them); None without
    search_probes: tuple[np.ndarray, np.ndarray] | None = None
    search_text: SearchTextTerm | None = None   # the served text term, in the search rows' logits
    queries: Queries | None = None              # the training queries (search_text.fit_query_map)


@dataclass
class SearchTextTerm:
    """The served search score's text term (search_text.py) added to the search rows' training logits:
    w * <q, t_i>, q the training query as typed, t_i the item's text as the card store keeps it. The model
    then learns what the frozen encoder's match misses (the shopper's taste, which of the near-matches
    sell) instead of matching words itself, which its compact cards do poorly."""
    first_row: int              # prompt table row of the first training query (queries follow the pieces)
    typed: torch.Tensor         # (Q, text_dim) the training queries as typed
    item_text: torch.Tensor     # (n, text_dim) quantized item text (search_text.quantized)
    weight: float               # w for a row read with the history
    weight_without_history: float

    def rows(self, batch: dict, candidates: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor] | None:
        """The batch's search rows with a weight > 0 and their term (S, items): over all items, or over
        candidates (the sampled softmax's items) when given. None when the batch has none."""
        if batch["prompt_idx"].shape[1] < 2:
            return None
        q = batch["prompt_idx"][:, 1] - self.first_row
        alone = batch["hist_mask"].sum(1) == 0
        w = torch.where(alone, torch.tensor(self.weight_without_history), torch.tensor(self.weight))
        rows = ((q >= 0) & (q < len(self.typed)) & (w > 0)).nonzero().squeeze(1)
        if not len(rows):
            return None
        text = self.item_text if candidates is None else self.item_text[candidates]
        return rows, w[rows].unsqueeze(1) * (self.typed[q[rows]] @ text.T)


def fold_attributes(tokens: np.ndarray, rows: int) -> np.ndarray:
    """Hashed tokens 1.. onto rows 1..rows-1 as the exported graph folds them (Fusion._attributes);
    rows = 0 keeps every bucket. Padding (0) stays 0."""
    if rows <= 0:
        return tokens
    return np.where(tokens > 0, (tokens - 1) % (rows - 1) + 1, 0).astype(np.int64)


def compact_attributes(tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hashed attribute tokens (n, T) in [0, buckets) -> the same tokens renumbered 1..U over the U
    buckets that occur (0 stays padding), and those buckets. Training then keeps a (U + 1, d) table
    instead of (buckets, d): on Beauty 890 rows instead of 65,536, whose dense gradient and Adam
    update every step cost more than the rows in use."""
    used = np.unique(tokens[tokens > 0])
    return np.where(tokens > 0, np.searchsorted(used, tokens) + 1, 0).astype(np.int64), used


def expand_attributes(state: dict, used: np.ndarray, buckets: int) -> dict:
    """The inverse for export: the compact table's rows go back to their buckets; buckets never seen
    in training get zero vectors (padding row 0 stays zero)."""
    state = dict(state)
    compact = state["fusion.attr.weight"]
    full = torch.zeros(buckets, compact.shape[1], dtype=compact.dtype)
    full[torch.from_numpy(used)] = compact[1:]
    state["fusion.attr.weight"] = full
    return state


def prepare(features_dir: str, events_path: str, cfg: Config, log=print) -> Prepared:
    feats = load_features(features_dir)
    item_index = {iid: i for i, iid in enumerate(feats.ids)}
    ev = read_events(events_path, item_index)
    log(f"events: {ev.total} read, {ev.dropped_unknown_item} dropped (item not in items.jsonl), "
        f"{ev.dropped_bad_event} dropped (event not one of {', '.join(EVENT_IDS)}), {len(ev.users)} users")
    queries = load_queries(features_dir, item_index)
    tasks, keys = required_prompt_keys(cfg, ev, feats, queries is not None, prompt_keys_in(features_dir))
    prompts = load_prompts(features_dir, keys)
    rows = {k: i for i, k in enumerate(prompts.keys)}
    task_rows = {t: rows[TASK_KEYS[t]] for t in tasks}
    cat_rows = {i: rows[category_key(c)] for i, c in enumerate(feats.categories)} if CATEGORY in tasks else {}
    paraphrase_rows = {t: np.array([r for k, r in rows.items() if k.startswith(f"paraphrase:{t}:")], np.int64) for t in tasks}
    paraphrase_rows = {t: r for t, r in paraphrase_rows.items() if len(r)}
    # search queries follow the prompt pieces in the prompt table; only the pieces go into the package
    query_rows, prompt_emb = None, prompts.emb
    if SEARCH in tasks:
        order, offsets = queries.offsets(feats.n)
        query_rows = (len(prompts.keys) + order, offsets)
        prompt_emb = np.concatenate([prompts.emb, queries.emb])
        log(f"search: {len(queries.texts)} queries of {int((np.diff(offsets) > 0).sum())} items")
    search_probes = None
    probes = load_held_out_queries(features_dir, item_index) if SEARCH in tasks else None
    if probes is not None:
        query_row = np.full(feats.n, -1, np.int64)
        query_row[probes.item] = len(prompt_emb) + np.arange(len(probes.item))
        typed = np.zeros((feats.n, feats.text_dim), np.float32)
        typed[probes.item] = probes.typed
        prompt_emb = np.concatenate([prompt_emb, probes.emb])
        search_probes = (query_row, typed)
    search_text_term = None
    if SEARCH in tasks and (cfg.search_text_weight > 0 or cfg.search_text_weight_without_history > 0):
        if queries.typed is None:
            raise ValueError("search_text_weight needs the training queries as typed (queries_typed.npy): "
                             "run `urm train` again, it writes them into the features directory")
        search_text_term = SearchTextTerm(len(prompts.keys), torch.from_numpy(queries.typed),
                                          torch.from_numpy(search_text.quantized(feats.text)),
                                          cfg.search_text_weight, cfg.search_text_weight_without_history)
    # new items (the cold-start measurement): their events never reach training
    rng = np.random.default_rng(cfg.seed)
    held_out = np.zeros(feats.n, bool)
    held_out[rng.permutation(feats.n)[:int(round(cfg.new_item_share * feats.n))]] = True
    data = SequenceData(ev, feats, cfg, task_rows, cat_rows, held_out if held_out.any() else None,
                        query_rows, paraphrase_rows)

    # ID table: every item seen in training; the others are carded from content alone
    has_id = np.zeros(feats.n, bool)
    if "id" in cfg.modalities:
        has_id[data.train_items] = True
    id_index = np.zeros(feats.n, np.int64)
    id_index[has_id] = np.arange(1, has_id.sum() + 1)

    available = {"text": True, "image": feats.has_image, "attributes": bool((feats.attr_tokens > 0).any()),
                 "price": bool((feats.price_bucket >= 0).any()), "id": bool(has_id.any())}
    modalities = [m for m in MODALITIES if m in cfg.modalities and available[m]]
    events_per_item = len(data.flat_items) / max(1, int(has_id.sum()))
    dropout = cfg.resolved_dropout(events_per_item)
    content_card = cfg.resolved_content_card(events_per_item)
    if cfg.contrast > 0 and dropout == 0:
        raise ValueError(f"contrast needs dropout > 0, and dropout \"auto\" is 0 here ({events_per_item:.1f} training "
                         f"events per item, not under sparse_events_per_item {cfg.sparse_events_per_item}): set dropout")
    sizes = Sizes(d=cfg.d, d_card=cfg.d_card + content_card, content_card=content_card, layers=cfg.layers, heads=cfg.heads, M=cfg.M, L=cfg.L,
                  dropout=dropout, card_dropout=cfg.card_dropout, logit_scale_init=cfg.logit_scale_init, text_dim=feats.text_dim,
                  image_dim=feats.image_dim, attribute_buckets=feats.attribute_buckets,
                  price_buckets=feats.price_buckets, id_count=int(has_id.sum()), modalities=modalities,
                  attribute_table=cfg.attribute_table, causal=cfg.encoder == "causal",
                  repeat=cfg.repeat and cfg.encoder != "causal")
    # Fold first (a smaller exported table, when attribute_table asks for one), then compact the rows in use.
    attr_tokens, attr_used = compact_attributes(fold_attributes(feats.attr_tokens, sizes.attribute_table))
    items = {"text": torch.from_numpy(feats.text), "image": torch.from_numpy(feats.image),
             "image_mask": torch.from_numpy(feats.image_mask), "attr_tokens": torch.from_numpy(attr_tokens),
             "price_bucket": torch.from_numpy(feats.price_bucket), "id_index": torch.from_numpy(id_index),
             "attr_bag": AttributeBag(torch.from_numpy(attr_tokens), len(attr_used) + 1)}
    log(f"data: {feats.n} items ({int(has_id.sum())} with an ID embedding, {int(held_out.sum())} held out as new), "
        f"{len(data.samples)} training samples, {len(data.val)} validation users; "
        f"modalities {modalities}; tasks {tasks}; dropout {dropout:g}, content card {content_card}"
        + (f" (auto: {events_per_item:.1f} training events per item)" if "auto" in (cfg.dropout, cfg.content_card) else ""))
    return Prepared(feats, ev, prompts, data, sizes, tasks, id_index, items, torch.from_numpy(prompt_emb),
                    attr_used, held_out, search_probes, search_text_term, queries if SEARCH in tasks else None)


def learning_rate(cfg: Config, step: int, decay: float) -> float:
    """Linear warm-up over the first cfg.warmup_steps, then cfg.lr while decay is 0, then a cosine
    from cfg.lr down to cfg.lr_final * cfg.lr as decay goes from 0 to 1 (see decay_progress)."""
    warm = min(1.0, (step + 1) / cfg.warmup_steps) if cfg.warmup_steps else 1.0
    d = min(max(decay, 0.0), 1.0)
    return cfg.lr * warm * (cfg.lr_final + (1.0 - cfg.lr_final) * 0.5 * (1.0 + math.cos(math.pi * d)))


def decay_progress(cfg: Config, budget: float, plateau: tuple[float, float] | None, epochs_done: float) -> float:
    """How far the final decay of the learning rate has gone, 0 (not begun) to 1 (done: training ends).
    budget: the share of the budget spent, training time or epochs, whichever is further along. The
    decay takes the last cfg.decay_share of the budget, or, once validation stops improving before
    that (plateau = (epochs done then, epochs to decay over)), the next few epochs from there. A high
    rate learns fastest and generalises best while the model is far from done (a budget-long cosine
    was worse on Beauty at every point before its end); the decay at the end settles it."""
    if cfg.decay_share > 0:
        d = (budget - (1.0 - cfg.decay_share)) / cfg.decay_share
    else:
        d = 1.0 if budget >= 1.0 else 0.0
    if plateau is not None:
        d = max(d, (epochs_done - plateau[0]) / plateau[1])
    return max(0.0, d)


def parameter_groups(model: URM, cfg: Config) -> list[dict]:
    """Adam's parameter groups, each with the multiple of the scheduled rate it steps at (lr_scale): the
    repeat table at cfg.repeat_lr_scale, everything else at 1."""
    rest = [p for name, p in model.named_parameters() if name != "repeat"]
    groups = [{"params": rest, "lr_scale": 1.0}]
    if model.repeat is not None:
        groups.append({"params": [model.repeat], "lr_scale": cfg.repeat_lr_scale})
    return groups


def sample_candidates(in_batch: np.ndarray, n: int, negatives: int, rng: np.random.Generator):
    """The items a sampled softmax scores: every item the batch names (histories and targets, B) plus up
    to `negatives` items drawn uniformly from the rest (R) -> (candidate items, log weights). Z =
    sum_B exp(s_j) + (n - |B|) / |R| * sum_R exp(s_j) is an unbiased estimate of the full softmax's
    normaliser, so each drawn item's logit gets log((n - |B|) / |R|), the batch's items 0; when B and
    the draws cover every item, this is the full softmax."""
    taken = np.zeros(n, bool)
    taken[in_batch] = True
    rest = n - len(in_batch)
    if rest <= negatives:
        drawn = np.nonzero(~taken)[0]
    else:
        drawn = np.unique(rng.integers(0, n, negatives + negatives // 2 + len(in_batch)))
        drawn = drawn[~taken[drawn]]
        drawn = rng.permutation(drawn)[:negatives]
    cand = np.concatenate([in_batch, drawn])
    log_w = np.zeros(len(cand), np.float32)
    if len(drawn):
        log_w[len(in_batch):] = np.log(rest / len(drawn))
    return cand, log_w


def absent_bias(n: int, train_items: np.ndarray) -> torch.Tensor | None:
    """(n,) 0 for items the training parts hold, -inf for the rest, added to the softmax's logits (None
    when every item is in training). An item with no training event is never a target, so as a
    negative in every softmax its content-only card would only ever be pushed away from every user:
    measured on Beauty with 10 % of items held out as new, the model then ranked none of them in a
    top 10 (HR@10 0.0000 over 2,207 validation users). Left out, it is carded from content the way
    the items with events taught the content path, which is what a new item gets after training."""
    present = np.zeros(n, bool)
    present[train_items] = True
    if present.all():
        return None
    return torch.from_numpy(np.where(present, 0.0, -np.inf).astype(np.float32))


def batch_loss(model: URM, data: SequenceData, items: dict, prompt_table: torch.Tensor, g: np.ndarray,
               rng: np.random.Generator, cfg: Config, loss_kind: str,
               absent: torch.Tensor | None = None, search_text: SearchTextTerm | None = None) -> torch.Tensor:
    """The training loss of one batch of samples: cards (with id_dropout, a share built without
    their ID), user vectors, one softmax over all cards ("full") or over the batch's items plus
    uniform draws ("sampled", see sample_candidates; only the candidates' cards are built), plus the
    content distillation term when content_distill > 0. absent: absent_bias(...), items left out of
    the softmax."""
    causal = model.sizes.causal   # g: windows (causal_epoch_batches) or samples (epoch_batches)
    batches = [data.causal_batch(g)] if causal else [data.train_batch(g, rng)]
    if causal and cfg.aux_share > 0:  # a share aux_share of the batch's samples also trains another task
        samples = data.window_samples(g)
        batches.append(data.train_batch(samples[rng.random(len(samples)) < cfg.aux_share], rng, next_item=False))
    batches = [b for b in batches if len(b["targets"])]
    log_w, idx = None, None
    if loss_kind == "sampled":
        named = np.concatenate([b[k].ravel() for b in batches for k in ("hist_items", "targets")])
        cand, log_w = sample_candidates(np.unique(named[named >= 0]), len(items["id_index"]), cfg.negatives, rng)
        row = np.full(len(items["id_index"]), -1, np.int64)
        row[cand] = np.arange(len(cand))
        for b in batches:
            for k in ("hist_items", "targets"):   # item indices -> candidate rows
                b[k] = np.where(b[k] >= 0, row[np.clip(b[k], 0, None)], -1)
        idx = torch.from_numpy(cand)
        items = {k: v[idx] for k, v in items.items() if k != "attr_bag"}  # the bag covers all items
        log_w = torch.from_numpy(log_w)
        if absent is not None:
            log_w = log_w + absent[idx]
    elif absent is not None:
        log_w = absent
    if cfg.id_dropout > 0:
        keep = torch.from_numpy(rng.random(len(items["id_index"])) >= cfg.id_dropout)
        items = dict(items, id_index=items["id_index"] * keep)
    bs = [{k: torch.from_numpy(v) for k, v in batch.items()} for batch in batches]
    cards = model.cards(items)                                           # (n or candidates, c), with dropout
    if causal:   # every trained read-out of the windows, then the auxiliary rows: (R, M, c), (R, 1), (R,)
        at_every = model.users_at_every_item(bs[0], cards, prompt_table)  # (B, 1 + T, M, c)
        trained = bs[0]["targets"] >= 0
        us, ts, ws = [at_every[trained]], [bs[0]["targets"][trained].unsqueeze(1)], [torch.ones(int(trained.sum()))]
        text_rows, text_terms, offset = [], [], len(us[0])
        for b in bs[1:]:
            us.append(model.users(b, cards, prompt_table))
            ts.append(b["targets"])
            ws.append(b["weights"])
            found = search_text.rows(b, idx) if search_text is not None else None
            if found is not None:
                text_rows.append(found[0] + offset)
                text_terms.append(found[1])
            offset += len(b["targets"])
        u, targets, weights = torch.cat(us), torch.cat(ts), torch.cat(ws)
        text = (torch.cat(text_rows), torch.cat(text_terms)) if text_rows else None
    else:
        b = bs[0]
        u, targets, weights = model.users(b, cards, prompt_table), b["targets"], b["weights"]   # (B, M, c)
        text = search_text.rows(b, idx) if search_text is not None else None
    loss = full_softmax_loss(u, cards, targets, model.scale(), weights, log_w, model.repeat_entries(bs[0]), text)
    if cfg.content_distill > 0:
        loss = loss + cfg.content_distill * content_distillation(model, items, cards, targets)
    if cfg.contrast > 0:
        u2 = model.users(b, cards, prompt_table)                          # the same rows, other dropout masks
        loss = loss + cfg.contrast * dropout_contrast(u, u2, cfg.contrast_temperature)
    return loss


def dropout_contrast(u1: torch.Tensor, u2: torch.Tensor, temperature: float) -> torch.Tensor:
    """InfoNCE between two passes over the same batch that differ only in their dropout masks: each
    row's M user vectors (concatenated, unit length) must be closer to its own other pass than to any
    other row's, both ways. DuoRec (Qiu et al., 2022) adds this to the next-item loss as a
    regulariser of sparse data such as Beauty. (B, M, c) twice -> scalar."""
    B, M, c = u1.shape
    z1, z2 = u1.reshape(B, M * c) / math.sqrt(M), u2.reshape(B, M * c) / math.sqrt(M)
    logits = z1 @ z2.t() / temperature                                    # (B, B)
    labels = torch.arange(B)
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels))


def content_distillation(model: URM, items: dict, cards: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """1 - cos(content-only card, card) over the batch's target items, the full card held fixed: it
    teaches the content path where an item's card lies, so that an item never seen in training (no
    ID embedding) gets a card near the one its events would have given it, without the noise that
    dropping IDs from the cards in the softmax adds."""
    rows = targets[targets >= 0].unique()
    sub = {k: v[rows] for k, v in items.items() if k != "attr_bag"}   # the bag covers all items
    content = model.cards(dict(sub, id_index=torch.zeros_like(sub["id_index"])))
    return (1.0 - (content * cards[rows].detach()).sum(-1)).mean()


def train(features_dir: str, events_path: str, out_dir: str, cfg: Config, log=print) -> dict:
    """Train, keep the best epoch, write out_dir/checkpoint.pt; returns the checkpoint dict."""
    log("config " + json.dumps(cfg.to_dict(), sort_keys=True))
    torch.set_num_threads(cfg.threads or os.cpu_count() or 1)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    p = prepare(features_dir, events_path, cfg, log)
    data, items, ptab = p.data, p.items, p.prompt_table
    # compact table, tokens already folded: the training model neither folds nor holds unused rows
    model = URM(dataclasses.replace(p.sizes, attribute_buckets=len(p.attr_used) + 1, attribute_table=0))
    opt = torch.optim.Adam(parameter_groups(model, cfg), lr=cfg.lr, weight_decay=cfg.weight_decay)
    loss_kind = "sampled" if cfg.loss == "sampled" or p.feats.n > cfg.full_softmax_max_items else "full"
    cold = p.id_index == 0  # items without an ID embedding (never in training): reported apart too
    new = p.held_out if p.held_out.any() else None
    absent = absent_bias(p.feats.n, data.train_items)
    windows = data.causal_windows() if model.sizes.causal else None
    log(f"loss: {loss_kind} softmax; encoder {cfg.encoder}"
        + (f" ({len(windows)} sequence windows)" if windows is not None else "")
        + f"; parameters: {sum(x.numel() for x in model.parameters())}")

    best, best_state, best_epoch, stale, history = -1.0, None, 0, 0, []
    t_start, step, plateau, decay = time.time(), 0, None, 0.0
    for epoch in range(1, cfg.epochs + 1):
        t0 = time.time()
        model.train()
        total, steps = 0.0, 0
        batches = data.causal_epoch_batches(windows, rng) if model.sizes.causal else data.epoch_batches(rng)
        next_note = time.time() + 60
        for i, g in enumerate(batches):
            done = epoch - 1 + i / len(batches)
            budget = max(done / cfg.epochs, (time.time() - t_start) / cfg.max_train_seconds if cfg.max_train_seconds else 0.0)
            decay = decay_progress(cfg, budget, plateau, done)
            if budget >= 1.0 or decay >= 1.0:
                break  # the budget holds inside an epoch too; this partial epoch is still validated
            for group in opt.param_groups:
                group["lr"] = learning_rate(cfg, step, decay) * group["lr_scale"]
            loss = batch_loss(model, data, items, ptab, g, rng, cfg, loss_kind, absent, p.search_text)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item()
            steps += 1
            step += 1
            if time.time() > next_note:  # long epochs show progress once a minute
                log(f"  epoch {epoch} step {steps}/{len(batches)} loss {total / steps:.4f} {time.time() - t0:.0f}s")
                next_note = time.time() + 60
        if steps == 0:
            break  # the budget or the decay ended with the last epoch
        train_s = time.time() - t0
        val = evaluate(model, data, items, ptab, data.val, cfg.eval_batch, cold, new) if data.val else {}
        score = val.get("NDCG@10", 0.0)
        history.append({"epoch": epoch, "loss": total / max(steps, 1), **val, "seconds": time.time() - t0})
        log(f"epoch {epoch} loss {total / max(steps, 1):.4f} val HR@10 {val.get('HR@10', 0):.4f} "
            f"NDCG@10 {score:.4f} (cold targets HR@10 {val.get('cold', {}).get('HR@10', 0):.4f}) "
            f"lr {opt.param_groups[0]['lr']:.2e} train {train_s:.1f}s total {time.time() - t0:.1f}s")
        if score > best or best_state is None:
            best, best_state, best_epoch, stale = score, copy.deepcopy(model.state_dict()), epoch, 0
        else:
            stale += 1
        if steps < len(batches):
            log("budget reached" if decay < 1.0 else "learning-rate decay done")
            break
        if stale >= cfg.patience:
            if decay > 0:
                log(f"early stop: no better validation NDCG@10 for {cfg.patience} epochs")
                break
            # a plateau before the final decay: decay now, over a decay_share of the epochs so far
            plateau, stale = (float(epoch), max(2.0, math.ceil(epoch * cfg.decay_share / (1.0 - cfg.decay_share)))), 0
            log(f"no better validation NDCG@10 for {cfg.patience} epochs: decaying the learning rate over "
                f"the next {plateau[1]:.0f} epochs")
    train_seconds = time.time() - t_start
    model.load_state_dict(best_state)
    log(f"best epoch {best_epoch}")
    finished = finish(model, p, cfg, items, log)

    ckpt = {
        "config": cfg.to_dict(),
        "sizes": p.sizes.to_dict(),
        "state_dict": expand_attributes(best_state, p.attr_used, p.sizes.attribute_table or p.sizes.attribute_buckets),
        "neighbours": finished["neighbours"],
        "cooccurrence": finished["cooccurrence"],
        "search": finished["search"],
        "meta": {
            "id_table": {p.feats.ids[i]: int(p.id_index[i]) for i in np.nonzero(p.id_index)[0]},
            "new_items": [p.feats.ids[i] for i in np.nonzero(p.held_out)[0]],
            "prompt_keys": p.prompts.keys, "prompt_texts": p.prompts.texts, "tasks": p.tasks,
            "event_ids": dict(EVENT_IDS), "attribute_tokens": int(p.feats.attr_tokens.shape[1]),
            "data_hashes": {"events": p.events.file_hash, "items": p.feats.items_hash},
            "metrics": {**finished["metrics"], "best_epoch": best_epoch, "history": history},
            "training_seconds": train_seconds, "loss": loss_kind, "item_count": p.feats.n,
            "dropped_events": {"unknown_item": p.events.dropped_unknown_item,
                               "bad_event": p.events.dropped_bad_event},
        },
    }
    os.makedirs(out_dir, exist_ok=True)
    torch.save(ckpt, os.path.join(out_dir, "checkpoint.pt"))
    return ckpt


def finish(model: URM, p: Prepared, cfg: Config, items: dict, log=print) -> dict:
    """The steps after training, on the kept state: ID lending for items without an ID, then the
    co-occurrence term, its weight chosen on next-item validation NDCG@10 (left out when 0 wins) and
    served for next-item, next-purchase, and similar and explore when it helps there too (the anchor's
    neighbours; the history's neighbours outside its categories),
    then the served figures. -> {"neighbours", "cooccurrence" (checkpoint forms, None when off),
    "metrics" ("validation", "test": as served; "model_alone": the same without the co-occurrence term,
    when there is one)}."""
    data, ptab = p.data, p.prompt_table
    cold, new = p.id_index == 0, (p.held_out if p.held_out.any() else None)
    neighbours = id_lenders(p, cfg)
    if neighbours is not None:
        model.fusion.set_neighbours(**neighbours)

    def figures(rows, cooc=None):
        return evaluate(model, data, items, ptab, rows, cfg.eval_batch, cold, new, cooc) if rows else {}

    metrics = {"validation": figures(data.val), "test": figures(data.test)}
    cooc = None
    if cfg.cooccurrence_per_item > 0 and data.val:  # next-item, always trained, is one of COOCCURRENCE_TASKS
        cooc = cooccurrence.build(data.flat_items, data.start_of, data.end_of, p.feats.n, cfg.cooccurrence_window,
                                  cfg.cooccurrence_recent, cfg.cooccurrence_per_item)
        cooc.lender = lender_rows(model, items, p.id_index)
        by_weight = ndcg_by_weight(model, data, items, ptab, data.val, cfg.eval_batch, cooc, cooccurrence.WEIGHTS)
        cooc.weight = max(by_weight, key=lambda w: (by_weight[w], -w))   # ties: the smaller weight
        log("co-occurrence: validation NDCG@10 by weight " + ", ".join(f"{w}: {v:.4f}" for w, v in by_weight.items())
            + f"; {cooc.pairs} pairs; weight {cooc.weight}")
        tasks = [t for t in COOCCURRENCE_TASKS if t in p.tasks]
        if cooc.weight > 0:
            metrics = {"validation": figures(data.val, cooc), "test": figures(data.test, cooc), "model_alone": metrics}
            if SIMILAR in p.tasks:  # the anchor's neighbours: served only where the same weight helps
                similar = ndcg_by_weight(model, data, items, ptab, data.val, cfg.eval_batch, cooc, (0.0, cooc.weight), SIMILAR)
                log(f"co-occurrence for similar: validation NDCG@10 {similar[0.0]:.4f} alone, {similar[cooc.weight]:.4f} with it")
                metrics["similar_validation_ndcg10"] = {"alone": similar[0.0], "served": similar[cooc.weight]}
                if similar[cooc.weight] > similar[0.0]:
                    tasks.append(SIMILAR)
            if EXPLORE in p.tasks:  # the history's neighbours outside its categories: likewise only where it helps
                explore = ndcg_by_weight(model, data, items, ptab, data.val, cfg.eval_batch, cooc, (0.0, cooc.weight), EXPLORE)
                log(f"co-occurrence for explore: validation NDCG@10 {explore[0.0]:.4f} alone, {explore[cooc.weight]:.4f} with it")
                metrics["explore_validation_ndcg10"] = {"alone": explore[0.0], "served": explore[cooc.weight]}
                if explore[cooc.weight] > explore[0.0]:
                    tasks.append(EXPLORE)
        else:
            cooc = None
    log(f"val {json.dumps(metrics['validation'])} test {json.dumps(metrics['test'])}")
    if cooc is not None:
        log(f"model alone: val {json.dumps(metrics['model_alone']['validation'])} test {json.dumps(metrics['model_alone']['test'])}")
    served = None if cooc is None else cooc.served(p.id_index, p.sizes.id_count, tasks)
    return {"neighbours": neighbours, "cooccurrence": served, "metrics": metrics, "search": search_term(model, p, cfg, items, log)}


def search_term(model: URM, p: Prepared, cfg: Config, items: dict, log=print) -> dict | None:
    """The served search score's text term, popularity prior and query map (search_text.py): their weights by
    validation NDCG@10 over the users whose target has a held-out query, read with their history and, for
    searches without one, without it -> {"users", "text_weight", "ndcg10_by_weight" (the text weights with no
    prior), "text_weight_without_history", "ndcg10_by_weight_without_history", "text_alone_ndcg10" (the frozen
    encoder's cosine), "popularity" (None when the prior helps in neither case, else {"counts": (idCount + 1,)
    training events by ID-table row, "weight", "weight_without_history", "ndcg10", "ndcg10_without_history":
    "w/b" -> NDCG@10}), "query_map" (None when the unmapped query does as well, else {"matrix": (d, d),
    "text_alone_ndcg10", "ndcg10", "unmapped_ndcg10": the chosen weights' NDCG@10 with and without history,
    mapped and not})}; None when search is not trained or there is no such user."""
    if SEARCH not in p.tasks or p.search_probes is None:
        return None
    query_row, typed = p.search_probes
    rows = search_text.probe_rows(p.data, np.nonzero(query_row >= 0)[0])
    if not rows:
        return None
    text = search_text.quantized(p.feats.text)
    counts = np.bincount(p.data.flat_items, minlength=p.feats.n)   # the training part's events per item
    model.eval()
    with torch.no_grad():
        cards = model.cards(items)   # once for every pass
    query_map = None
    if cfg.search_query_map_epochs > 0 and p.queries is not None and p.queries.typed is not None:
        t0 = time.time()
        query_map = search_text.fit_query_map(p.queries.typed, p.queries.item, text, cfg.search_query_map_epochs,
                                              cfg.search_query_map_decay, cfg.seed)
        log(f"search query map: {cfg.search_query_map_epochs} epochs over {len(p.queries.item)} training queries, "
            f"{time.time() - t0:.0f} s")

    def chosen(queries: np.ndarray, label: str) -> tuple[dict, dict]:
        """The weights for these probe queries -> (the result without "query_map", {"withHistory",
        "withoutHistory": the chosen pair's validation NDCG@10})."""
        out, grids, priors, best_ndcg = {"users": len(rows)}, {}, {}, {}
        for history, suffix in ((True, ""), (False, "_without_history")):
            grid = search_text.ndcg_by_text_weight(model, p.data, items, p.prompt_table, rows, query_row, queries, text,
                                                   cfg.eval_batch, with_history=history, cards=cards,
                                                   popularity=search_text.log_popularity(counts))
            text_alone = grid.pop("text")
            weight, prior = search_text.best(grid)
            by_weight = {w: v for (w, b), v in grid.items() if b == 0}
            log(f"search text term{' without history' if suffix else ''} ({label}): validation NDCG@10 over {len(rows)} "
                "held-out queries by weight, no prior: " + ", ".join(f"{w:g}: {v:.4f}" for w, v in by_weight.items())
                + f"; text alone {text_alone:.4f}; chosen: text weight {weight:g}, popularity prior {prior:g}, "
                f"{grid[(weight, prior)]:.4f}")
            out |= {f"text_weight{suffix}": weight, f"ndcg10_by_weight{suffix}": {f"{w:g}": v for w, v in by_weight.items()},
                    "text_alone_ndcg10": text_alone}
            grids[suffix], priors[suffix] = {f"{w:g}/{b:g}": v for (w, b), v in grid.items()}, prior
            best_ndcg["withoutHistory" if suffix else "withHistory"] = grid[(weight, prior)]
        out["popularity"] = None
        if priors[""] > 0 or priors["_without_history"] > 0:
            by_id = np.zeros(p.sizes.id_count + 1, np.float32)
            has_id = p.id_index > 0
            by_id[p.id_index[has_id]] = counts[has_id]   # an item with events always has an ID (prepare)
            out["popularity"] = {"counts": by_id, "weight": priors[""], "weight_without_history": priors["_without_history"],
                                 "ndcg10": grids[""], "ndcg10_without_history": grids["_without_history"]}
        return out, best_ndcg

    plain, plain_ndcg = chosen(typed, "the query as typed")
    if query_map is None:
        return plain | {"query_map": None}
    mapped, mapped_ndcg = chosen(search_text.map_queries(typed, query_map), "the query mapped")
    keep = sum(mapped_ndcg.values()) > sum(plain_ndcg.values())   # one map serves both cases
    log(f"search query map: validation NDCG@10 with / without history {mapped_ndcg['withHistory']:.4f} / "
        f"{mapped_ndcg['withoutHistory']:.4f} mapped, {plain_ndcg['withHistory']:.4f} / {plain_ndcg['withoutHistory']:.4f} "
        f"as typed; {'kept' if keep else 'left out'}")
    if not keep:
        return plain | {"query_map": None}
    # text_alone_ndcg10 stays the frozen encoder's cosine (the baseline); the mapped query's goes with the map
    return mapped | {"text_alone_ndcg10": plain["text_alone_ndcg10"],
                     "query_map": {"matrix": query_map, "text_alone_ndcg10": mapped["text_alone_ndcg10"],
                                   "ndcg10": mapped_ndcg, "unmapped_ndcg10": plain_ndcg}}


def lender_rows(model: URM, items: dict, id_index: np.ndarray) -> np.ndarray | None:
    """(n,) catalog row of the item whose ID embedding each item's card borrows, -1 where it borrows none
    (as fusion.onnx's "lender" output says it to serving); None when no item borrows."""
    with torch.no_grad():
        lender_id = model.fusion.lenders(items["text"], items["id_index"]).numpy()
    if not (lender_id > 0).any():
        return None
    row_of_id = np.full(int(id_index.max()) + 1, -1, np.int64)
    row_of_id[id_index[id_index > 0]] = np.nonzero(id_index > 0)[0]
    return np.where(lender_id > 0, row_of_id[lender_id], -1)


def id_lenders(p: Prepared, cfg: Config) -> dict | None:
    """The items whose ID embeddings a new item may borrow: those with an ID, the cfg.neighbour_pool
    most frequent in training -> the arguments of Fusion.set_neighbours (their text vectors, their ID
    rows, k, temperature), which the checkpoint keeps as they are."""
    if cfg.neighbour_k < 1 or "text" not in p.sizes.modalities or "id" not in p.sizes.modalities:
        return None
    lenders = np.nonzero((p.id_index > 0) & (np.abs(p.feats.text).sum(1) > 0))[0]
    if not len(lenders):
        return None
    count = np.bincount(p.data.flat_items, minlength=p.feats.n)[lenders]
    lenders = lenders[np.argsort(-count, kind="stable")[:cfg.neighbour_pool]]
    return {"text": torch.from_numpy(p.feats.text[lenders].copy()), "id_index": torch.from_numpy(p.id_index[lenders].copy()),
            "k": cfg.neighbour_k, "temperature": cfg.neighbour_temperature, "lend_ids": cfg.lend_ids}
