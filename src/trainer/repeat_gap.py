"""Analysis (prints figures, asserts nothing): a trained model's next-item figures with its learned
repeat term and with the term set to zero, on validation and test, everything ranked and with the
user's earlier items excluded; and the learned table.

    PYTHONPATH=src/trainer /usr/bin/python3 src/trainer/repeat_gap.py MODEL_DIR FEATURES_DIR EVENTS

MODEL_DIR holds checkpoint.pt; FEATURES_DIR and EVENTS are those it was trained on.
"""
import urm_train  # noqa: F401  first: it sets OMP_WAIT_POLICY and OPENBLAS_CORETYPE before torch loads

import os
import sys

import torch
from urm_train.config import Config
from urm_train.evaluate import evaluate
from urm_train.model import load_model
from urm_train.names import EVENT_IDS
from urm_train.train import prepare


def main() -> None:
    model_dir, features, events = sys.argv[1:4]
    ckpt = torch.load(os.path.join(model_dir, "checkpoint.pt"))
    cfg = Config.from_checkpoint(ckpt["config"])
    torch.set_num_threads(cfg.threads or os.cpu_count() or 1)
    p = prepare(features, events, cfg, log=lambda m: None)
    model = load_model(ckpt)
    if model.repeat is None:
        raise SystemExit("this model has no repeat term")
    items = {k: v for k, v in p.items.items() if k != "attr_bag"}   # the exported model's attribute table
    items["attr_tokens"] = torch.from_numpy(p.feats.attr_tokens)
    print(f"repeat[event, recency bucket] (rows: padding, {', '.join(EVENT_IDS)}):")
    for row in model.repeat.detach().tolist():
        print("  " + " ".join(f"{v:+.3f}" for v in row))
    table = model.repeat
    for label in ("with the term", "term set to 0"):
        if label == "term set to 0":
            model.repeat = None
        for split, rows in (("validation", p.data.val), ("test", p.data.test)):
            m = evaluate(model, p.data, items, p.prompt_table, rows, cfg.eval_batch)
            x = m["seen_excluded"]
            print(f"{label}, {split}: all ranked HR@10 {m['HR@10']:.4f} NDCG@10 {m['NDCG@10']:.4f}; "
                  f"earlier excluded HR@10 {x['HR@10']:.4f} NDCG@10 {x['NDCG@10']:.4f}")
    model.repeat = table


if __name__ == "__main__":
    main()
