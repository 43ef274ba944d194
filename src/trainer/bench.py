"""Benchmark (prints figures, asserts nothing): seconds per epoch of the default config on a synthetic
set at Amazon Beauty scale (12,101 items, 22,363 users, ~198k events -> ~131k training prefixes).

    PYTHONPATH=src/trainer /usr/bin/python3 src/trainer/bench.py [--epochs 1] [--image] [--config F.json]
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import urm_train  # noqa: F401  first: it sets OMP_WAIT_POLICY before torch loads OpenMP

import numpy as np
import torch
from urm_train.config import Config
from urm_train.names import TASK_KEYS, category_key
from urm_train.train import train


def make_data(d: str, n_items: int, n_users: int, image: bool, seed: int = 0) -> None:
    g = np.random.default_rng(seed)
    cats = [f"Beauty>C{i}" for i in range(20)]
    with open(os.path.join(d, "items.jsonl"), "w") as f:
        for i in range(n_items):
            f.write(json.dumps({"id": f"i{i}", "contentHash": "0", "category": cats[i % 20]}) + "\n")
    t = g.standard_normal((n_items, 384)).astype(np.float32)
    np.save(os.path.join(d, "text.npy"), t / np.linalg.norm(t, axis=1, keepdims=True))
    if image:
        np.save(os.path.join(d, "image.npy"), np.abs(g.standard_normal((n_items, 512))).astype(np.float32))
        np.save(os.path.join(d, "image_mask.npy"), np.ones(n_items, np.uint8))
    with open(os.path.join(d, "attributes.jsonl"), "w") as f:
        for i in range(n_items):
            f.write(json.dumps({"id": f"i{i}", "tokens": [int(x) for x in g.integers(1, 4096, 4)],
                                "priceBucket": int(i % 16)}) + "\n")
    with open(os.path.join(d, "features.json"), "w") as f:
        json.dump({"count": n_items, "textDim": 384, "imageDim": 512, "attributeBuckets": 4096, "priceBuckets": 16}, f)
    keys = list(TASK_KEYS.values()) + [category_key(c) for c in cats]
    with open(os.path.join(d, "prompts.jsonl"), "w") as f:
        for k in keys:
            f.write(json.dumps({"key": k, "text": k}) + "\n")
    np.save(os.path.join(d, "prompts.npy"), g.standard_normal((len(keys), 384)).astype(np.float32))
    with open(os.path.join(d, "events.csv"), "w") as f:
        f.write("user_id,item_id,event,timestamp\n")
        for u in range(n_users):
            item = int(g.integers(n_items))
            for j in range(5 + int(g.geometric(1 / 4.0)) - 1):   # mean ~8.9 events per user
                ev = "purchase" if g.random() < 0.1 else "view"
                f.write(f"u{u},i{item},{ev},{1_600_000_000 + j}\n")
                item = (item + 1) % n_items if g.random() < 0.5 else int(g.integers(n_items))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--items", type=int, default=12101)
    ap.add_argument("--users", type=int, default=22363)
    ap.add_argument("--image", action="store_true")
    ap.add_argument("--config")
    a = ap.parse_args()
    cfg = Config.load(a.config)
    cfg.epochs = a.epochs
    print(f"torch threads: {torch.get_num_threads()}", flush=True)
    with tempfile.TemporaryDirectory() as d:
        make_data(d, a.items, a.users, a.image)
        t = time.time()
        train(d, os.path.join(d, "events.csv"), os.path.join(d, "model"), cfg, log=lambda m: print(m, flush=True))
        print(f"total {time.time() - t:.1f}s for {a.epochs} epoch(s) including data loading and the final evaluation")


if __name__ == "__main__":
    main()
