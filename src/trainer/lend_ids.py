"""Give a model trained before ID lending existed what `train` now does at its end: items without an
ID embedding borrow those of the items whose text is closest (Fusion.set_neighbours). The training
itself is unchanged by it, so this is the same model `train` would give; its validation and test
figures are computed again and the checkpoint and the exported model are written to OUT_DIR.

    PYTHONPATH=src/trainer /usr/bin/python3 src/trainer/lend_ids.py MODEL_DIR FEATURES_DIR EVENTS OUT_DIR \
        ['{"neighbour_k": 1}']

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
from urm_train.evaluate import evaluate
from urm_train.export import export
from urm_train.train import id_lenders, load_model, prepare


def main() -> None:
    model_dir, features, events, out_dir = sys.argv[1:5]
    overrides = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
    ckpt = torch.load(os.path.join(model_dir, "checkpoint.pt"))
    cfg = Config.from_dict({**ckpt["config"], **overrides})
    torch.set_num_threads(cfg.threads or os.cpu_count() or 1)
    p = prepare(features, events, cfg)
    if {k: int(v) for k, v in ckpt["meta"]["id_table"].items()} != {p.feats.ids[i]: int(p.id_index[i]) for i in p.id_index.nonzero()[0]}:
        raise ValueError("the features and events are not those the model was trained on (its ID table differs)")
    ckpt["neighbours"] = id_lenders(p, cfg)
    if ckpt["neighbours"] is None:
        raise ValueError("nothing to lend: the model has no text or no ID modality, or neighbour_k is 0")
    ckpt["config"] = cfg.to_dict()
    model = load_model(ckpt)
    # the exported model's attribute table: raw hashed tokens, no training bag
    items = {k: v for k, v in p.items.items() if k != "attr_bag"}
    items["attr_tokens"] = torch.from_numpy(p.feats.attr_tokens)
    cold, new = p.id_index == 0, (p.held_out if p.held_out.any() else None)
    with torch.no_grad():
        for split, rows in (("validation", p.data.val), ("test", p.data.test)):
            ckpt["meta"]["metrics"][split] = evaluate(model, p.data, items, p.prompt_table, rows, cfg.eval_batch, cold, new)
            print(f"{split}: {json.dumps(ckpt['meta']['metrics'][split])}")
    os.makedirs(out_dir, exist_ok=True)
    torch.save(ckpt, os.path.join(out_dir, "checkpoint.pt"))
    export(ckpt, out_dir)


if __name__ == "__main__":
    main()
