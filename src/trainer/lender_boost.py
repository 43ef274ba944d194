"""What the served score would give new items if each borrowed its lender's co-occurrence column, as it
already borrows the lender's ID embedding (Fusion.set_neighbours: the item with an ID whose MiniLM text
is closest). A diagnostic for a model trained with new_item_share > 0: on the held-out new items' users
it prints HR@10 / NDCG@10 of the model alone, as served today (a new item never gets a boost), and as
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
from urm_train.train import prepare


class LentCoOccurrence(cooccurrence.CoOccurrence):
    """The same table, where each borrowing item's S is its lender's."""

    def __init__(self, table: cooccurrence.CoOccurrence, borrower: np.ndarray, lender: np.ndarray):
        super().__init__(table.offsets, table.neighbours, table.counts, table.window, table.recent,
                         table.per_item, table.weight)
        self.borrower, self.lender = borrower, lender

    def sums(self, histories: list, n: int) -> np.ndarray:
        s = super().sums(histories, n)
        s[:, self.borrower] = s[:, self.lender]
        return s


def lenders_of(new_rows: np.ndarray, text: np.ndarray, neighbours: dict, id_index: np.ndarray) -> np.ndarray:
    """Catalog row of each new item's lender (k = 1: the nearest text among the lending pool)."""
    pool = torch.nn.functional.normalize(neighbours["text"].float(), dim=-1)
    query = torch.nn.functional.normalize(torch.from_numpy(text[new_rows]).float(), dim=-1)
    lender_id = neighbours["id_index"][(query @ pool.t()).argmax(1)].numpy()
    row_of_id = np.zeros(id_index.max() + 1, np.int64)
    row_of_id[id_index[id_index > 0]] = np.nonzero(id_index > 0)[0]
    return row_of_id[lender_id]


def main() -> None:
    model_dir, features, events = sys.argv[1:4]
    ckpt = torch.load(os.path.join(model_dir, "checkpoint.pt"))
    known = set(Config().to_dict())
    cfg = Config.from_dict({k: v for k, v in ckpt["config"].items() if k in known})
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
    new_rows = np.nonzero(p.held_out)[0]
    lent = LentCoOccurrence(table, new_rows, lenders_of(new_rows, p.feats.text, ckpt["neighbours"], p.id_index))
    cold, new = p.id_index == 0, p.held_out
    print(f"{len(new_rows)} new items; co-occurrence weight {table.weight}")
    with torch.no_grad():
        for split, rows in (("validation", p.data.val), ("test", p.data.test)):
            for name, cooc in (("model alone", None), ("served today", table), ("served, lender's column", lent)):
                m = evaluate(model, p.data, items, p.prompt_table, rows, cfg.eval_batch, cold, new, cooc)
                print(f"{split:10s} {name:24s} new items ({m['new']['users']} users) HR@10 {m['new']['HR@10']:.4f} "
                      f"NDCG@10 {m['new']['NDCG@10']:.4f}; all users HR@10 {m['HR@10']:.4f} NDCG@10 {m['NDCG@10']:.4f}")


if __name__ == "__main__":
    main()
