"""What the served score gives new items when each borrows only its lender's co-occurrence column, as it
borrows the lender's ID embedding (Fusion.set_neighbours: the item with an ID whose MiniLM text is
closest); the measurement made before the served score lent both row and column (CoOccurrence.lender).
A diagnostic for a model trained with new_item_share > 0: on the held-out new items' users it prints
HR@10 / NDCG@10 of the model alone, as served with nothing lent (a new item never gets a boost), and as
served with the borrowed column (S(new item) = S(its lender)), then the same over all users, both splits.

    PYTHONPATH=src/trainer /usr/bin/python3 src/trainer/lender_boost.py MODEL_DIR FEATURES_DIR EVENTS

FEATURES_DIR and EVENTS must be those the model was trained on.
"""
from __future__ import annotations

import urm_train  # noqa: F401  first: it sets OMP_WAIT_POLICY before torch loads OpenMP

import os
import sys

import numpy as np
import torch
from urm_train import cooccurrence
from urm_train.config import Config
from urm_train.evaluate import evaluate
from urm_train.model import load_model
from urm_train.train import lender_rows, prepare


class LentColumn(cooccurrence.CoOccurrence):
    """The same table, where each new item's S (its column) is its lender's; history rows are not lent
    (the served score, cooccurrence.CoOccurrence.lender, lends both)."""

    def __init__(self, table: cooccurrence.CoOccurrence, borrowers: np.ndarray, lenders: np.ndarray):
        super().__init__(table.offsets, table.neighbours, table.counts, table.window, table.recent,
                         table.per_item, table.weight)
        self.borrowers, self.lenders = borrowers, lenders

    def sums(self, histories: list, n: int) -> np.ndarray:
        s = super().sums(histories, n)
        s[:, self.borrowers] = s[:, self.lenders]
        return s


def main() -> None:
    model_dir, features, events = sys.argv[1:4]
    ckpt = torch.load(os.path.join(model_dir, "checkpoint.pt"))
    cfg = Config.from_checkpoint(ckpt["config"])
    torch.set_num_threads(cfg.threads or os.cpu_count() or 1)
    p = prepare(features, events, cfg)
    if not p.held_out.any() or not ckpt.get("neighbours") or not ckpt.get("cooccurrence"):
        raise SystemExit("the model needs new items (new_item_share > 0), ID lending and a co-occurrence term")
    model = load_model(ckpt)
    items = {k: v for k, v in p.items.items() if k != "attr_bag"}
    items["attr_tokens"] = torch.from_numpy(p.feats.attr_tokens)
    # the served table is keyed by ID rows; rebuild the catalog-row form from the same training part
    table = cooccurrence.build(p.data.flat_items, p.data.start_of, p.data.end_of, p.feats.n, cfg.cooccurrence_window,
                               cfg.cooccurrence_recent, cfg.cooccurrence_per_item)
    table.weight = float(ckpt["cooccurrence"]["weight"])
    lender = lender_rows(model, items, p.id_index)[p.held_out]   # k = 1: the nearest text among the pool
    new_rows = np.nonzero(p.held_out)[0][lender >= 0]
    lent = LentColumn(table, new_rows, lender[lender >= 0])
    cold, new = p.id_index == 0, p.held_out
    print(f"{int(p.held_out.sum())} new items; co-occurrence weight {table.weight}")
    with torch.no_grad():
        for split, rows in (("validation", p.data.val), ("test", p.data.test)):
            for name, cooc in (("model alone", None), ("served, nothing lent", table), ("served, lender's column", lent)):
                m = evaluate(model, p.data, items, p.prompt_table, rows, cfg.eval_batch, cold, new, cooc)
                print(f"{split:10s} {name:24s} new items ({m['new']['users']} users) HR@10 {m['new']['HR@10']:.4f} "
                      f"NDCG@10 {m['new']['NDCG@10']:.4f}; all users HR@10 {m['HR@10']:.4f} NDCG@10 {m['NDCG@10']:.4f}")


if __name__ == "__main__":
    main()
