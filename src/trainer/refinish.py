"""Give a trained model what `train` now does after its training loop (train.finish): ID lending for
items without an ID embedding and the served co-occurrence term, its weight chosen on validation. The
trained weights are kept as they are, so this is the model `train` would give today; its validation
and test figures are computed again and the checkpoint and the exported model are written to OUT_DIR.

    PYTHONPATH=src/trainer /usr/bin/python3 src/trainer/refinish.py MODEL_DIR FEATURES_DIR EVENTS OUT_DIR \
        ['{"neighbour_k": 1, "cooccurrence_per_item": 100}']

FEATURES_DIR and EVENTS must be those the model was trained on (the split and the held-out new items
follow from them and the checkpoint's config).
"""
from __future__ import annotations

import urm_train  # noqa: F401  first: it sets OMP_WAIT_POLICY before torch loads OpenMP

import json
import os
import sys

import torch
from urm_train.config import Config
from urm_train.export import export
from urm_train.model import load_model
from urm_train.train import finish, prepare


def main() -> None:
    model_dir, features, events, out_dir = sys.argv[1:5]
    overrides = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
    ckpt = torch.load(os.path.join(model_dir, "checkpoint.pt"))
    cfg = Config.from_checkpoint(ckpt["config"], overrides)
    torch.set_num_threads(cfg.threads or os.cpu_count() or 1)
    p = prepare(features, events, cfg)
    if {k: int(v) for k, v in ckpt["meta"]["id_table"].items()} != {p.feats.ids[i]: int(p.id_index[i]) for i in p.id_index.nonzero()[0]}:
        raise ValueError("the features and events are not those the model was trained on (its ID table differs)")
    model = load_model({**ckpt, "neighbours": None})
    # the exported model's attribute table: raw hashed tokens, no training bag
    items = {k: v for k, v in p.items.items() if k != "attr_bag"}
    items["attr_tokens"] = torch.from_numpy(p.feats.attr_tokens)
    with torch.no_grad():
        finished = finish(model, p, cfg, items)
    ckpt.update(config=cfg.to_dict(), neighbours=finished["neighbours"], cooccurrence=finished["cooccurrence"],
                search=finished["search"])
    ckpt["meta"]["metrics"] = {**{k: v for k, v in ckpt["meta"]["metrics"].items() if k in ("best_epoch", "history")},
                               **finished["metrics"]}
    os.makedirs(out_dir, exist_ok=True)
    torch.save(ckpt, os.path.join(out_dir, "checkpoint.pt"))
    export(ckpt, out_dir)


if __name__ == "__main__":
    main()
