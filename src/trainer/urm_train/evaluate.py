"""Full-ranking evaluation: rank each target among ALL items (nothing excluded but padding).

rank = number of items scoring strictly higher than the target (0 = top). With one target per user:
  HR@K   = mean over users of 1[rank < K]
  NDCG@K = mean over users of 1 / log2(rank + 2) if rank < K else 0   (ideal DCG is 1)
The same metrics with the user's earlier items left out of the ranking are reported apart, under
"seen_excluded": data/README.md allows it, and the published Beauty baselines' code ranks that way.
"""
from __future__ import annotations

import numpy as np
import torch

from .model import score_items
from .names import EXPLORE, NEXT_ITEM, SIMILAR


def hit_rate(ranks: np.ndarray, k: int) -> float:
    """HR@k = mean(1[rank < k]); ranks are 0-based."""
    ranks = np.asarray(ranks)
    return float((ranks < k).mean()) if ranks.size else 0.0


def ndcg(ranks: np.ndarray, k: int) -> float:
    """NDCG@k = mean(1 / log2(rank + 2) if rank < k else 0); ranks are 0-based."""
    ranks = np.asarray(ranks, dtype=np.float64)
    if not ranks.size:
        return 0.0
    return float(np.where(ranks < k, 1.0 / np.log2(ranks + 2.0), 0.0).mean())


def target_ranks(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """scores (b, n), targets (b,) -> 0-based rank of each target (ties count in its favour)."""
    t = scores.gather(1, targets.unsqueeze(1))
    return (scores > t).sum(1)


def metrics(ranks: np.ndarray, ks=(5, 10)) -> dict:
    out = {}
    for k in ks:
        out[f"HR@{k}"] = hit_rate(ranks, k)
        out[f"NDCG@{k}"] = ndcg(ranks, k)
    out["users"] = int(len(ranks))
    return out


@torch.no_grad()
def evaluate(model, data, items: dict, prompt_table: torch.Tensor, rows: list, batch_size: int,
             cold=None, new=None, cooccurrence=None) -> dict:
    """rows: (history items, history events, target) per user, as SequenceData.val / .test.
    cold: optional (n,) bool, items without an ID embedding; adds metrics["cold"] over those targets.
    new: optional (n,) bool, items held out of training; adds metrics["new"] over those targets.
    cooccurrence: optional CoOccurrence whose boost the served score adds (cooccurrence.py)."""
    model.eval()
    cards = model.cards(items)
    rows = sorted(rows, key=lambda r: len(r[0]))  # similar lengths per batch: less padding; metrics are means
    ranks, unseen_ranks = [], []
    for i in range(0, len(rows), batch_size):
        part = rows[i:i + batch_size]
        b = {k: torch.from_numpy(v) for k, v in data.eval_batch(part).items()}
        scores = model.add_repeat(score_items(model.users(b, cards, prompt_table), cards), b)   # (b, n)
        if cooccurrence is not None and cooccurrence.weight > 0:
            scores = scores + cooccurrence.boosts([h for h, _, _ in part], scores.shape[1])
        ranks.append(target_ranks(scores, b["targets"][:, 0]).numpy())
        seen = torch.zeros_like(scores, dtype=torch.bool)                          # whole history, not only L
        for r, (hist, _, _) in enumerate(part):
            seen[r, torch.from_numpy(np.asarray(hist, np.int64))] = True
        seen[torch.arange(len(part)), b["targets"][:, 0]] = False
        unseen_ranks.append(target_ranks(scores.masked_fill(seen, float("-inf")), b["targets"][:, 0]).numpy())
    ranks = np.concatenate(ranks) if ranks else np.zeros(0)
    out = metrics(ranks)
    out["seen_excluded"] = metrics(np.concatenate(unseen_ranks) if unseen_ranks else np.zeros(0))
    targets = np.array([t for _, _, t in rows], np.int64)
    for name, items_in in (("cold", cold), ("new", new)):
        if items_in is not None:
            out[name] = metrics(ranks[np.asarray(items_in)[targets]]) if len(rows) else metrics(ranks)
    return out


@torch.no_grad()
def ndcg_by_weight(model, data, items: dict, prompt_table: torch.Tensor, rows: list, batch_size: int,
                   cooccurrence, weights, task: str = NEXT_ITEM) -> dict:
    """NDCG@10 over rows for each weight of the co-occurrence boost (one pass of the model). task
    "similar" poses rows as `urm evaluate --task similar` does: the newest history item (the anchor)
    alone is read, by the model and the co-occurrence term, and is never ranked; rows whose target is
    the anchor are left out. task "explore" as `urm evaluate --task explore`: only rows whose target has
    a category under none of the history's, ranked among the items outside the history's categories."""
    model.eval()
    cards = model.cards(items)
    if task == SIMILAR:
        rows = [(h[-1:], e[-1:], t) for h, e, t in rows if len(h) and h[-1] != t]
    if task == EXPLORE:
        rows = [r for r in rows if not explore_denied(data, r[0])[r[2]] and data.item_category[r[2]] >= 0]
    rows = sorted(rows, key=lambda r: len(r[0]))
    ranks = {w: [] for w in weights}
    for i in range(0, len(rows), batch_size):
        part = rows[i:i + batch_size]
        b = {k: torch.from_numpy(v) for k, v in data.eval_batch(part, task).items()}
        scores = model.add_repeat(score_items(model.users(b, cards, prompt_table), cards), b)
        if task == SIMILAR:
            scores[torch.arange(len(part)), torch.tensor([int(h[-1]) for h, _, _ in part])] = float("-inf")
        if task == EXPLORE:
            denied = torch.from_numpy(np.stack([explore_denied(data, h) for h, _, _ in part]))
            scores = scores.masked_fill(denied, float("-inf"))
        log_sums = cooccurrence.log_sums([h for h, _, _ in part], scores.shape[1])
        for w in weights:
            boosted = scores + cooccurrence.weighted(log_sums, w)
            ranks[w].append(target_ranks(boosted, b["targets"][:, 0]).numpy())
    return {w: ndcg(np.concatenate(r) if r else np.zeros(0), 10) for w, r in ranks.items()}


def explore_denied(data, history) -> np.ndarray:
    """(n,) bool: the items an explore answer leaves out for this history, those whose category lies under
    one of the history's (serving's explore rule; items without a category stay)."""
    seen = np.unique(data.item_category[np.asarray(history, np.int64)])
    seen = seen[seen >= 0]
    denied_category = data.category_under[:, seen].any(1) if len(seen) else np.zeros(len(data.category_under), bool)
    return np.where(data.item_category >= 0, denied_category[np.clip(data.item_category, 0, None)], False)
