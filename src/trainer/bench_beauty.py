"""Benchmark (prints figures, asserts nothing): train on Amazon Beauty from ../shared/data, the
protocol of data/README.md (leave-one-out, full ranking over all 12,101 items).

Python has no MiniLM here, so the text modality is a stand-in: signed feature hashing of the title and
category words into 384 dims (L2-normalised). Attributes are the S3-Rec attribute ids; no price, no
image; prompt embeddings are random. Compare with DESIGN.md's "Measured starting point".

    PYTHONPATH=src/trainer /usr/bin/python3 src/trainer/bench_beauty.py [--config F.json] [--epochs N]
        [--data ../shared/data/amazon-beauty] [--no-text]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import zlib

import numpy as np

from urm_train.config import Config
from urm_train.names import TASK_KEYS, category_key
from urm_train.train import train


def hashed_text(words: list[str], dim: int = 384) -> np.ndarray:
    v = np.zeros(dim, np.float32)
    for w in words:
        h = zlib.crc32(w.encode())
        v[h % dim] += 1.0 if (h >> 16) & 1 else -1.0
    n = np.linalg.norm(v)
    return v / n if n else v


def make_features(src: str, d: str, text: bool) -> None:
    rows = {}
    with open(os.path.join(src, "Beauty.item_text.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            rows[int(r["s3rec_id"])] = r
    with open(os.path.join(src, "Beauty_item2attributes.json"), encoding="utf-8") as f:
        attrs = {int(k): v for k, v in json.load(f).items()}
    ids = sorted(rows)
    cats = {i: ">".join(rows[i]["categories"][0]) if rows[i].get("categories") else None for i in ids}
    with open(os.path.join(d, "items.jsonl"), "w") as f:
        for i in ids:
            f.write(json.dumps({"id": str(i), "contentHash": "", "category": cats[i]}) + "\n")
    vecs = np.zeros((len(ids), 384), np.float32)
    if text:
        for k, i in enumerate(ids):
            words = re.findall(r"[a-z0-9]+", (rows[i]["title"] + " " + (cats[i] or "")).lower())
            vecs[k] = hashed_text(words)
    np.save(os.path.join(d, "text.npy"), vecs)
    top = max(max(v) for v in attrs.values() if v)
    with open(os.path.join(d, "attributes.jsonl"), "w") as f:
        for i in ids:
            f.write(json.dumps({"id": str(i), "tokens": [t + 1 for t in attrs.get(i, [])], "priceBucket": -1}) + "\n")
    with open(os.path.join(d, "features.json"), "w") as f:
        json.dump({"count": len(ids), "textDim": 384, "imageDim": 512, "attributeBuckets": top + 2,
                   "priceBuckets": 1}, f)
    keys = list(TASK_KEYS.values()) + [category_key(c) for c in sorted({c for c in cats.values() if c})]
    with open(os.path.join(d, "prompts.jsonl"), "w") as f:
        for k in keys:
            f.write(json.dumps({"key": k, "text": k}) + "\n")
    g = np.random.default_rng(0)
    p = g.standard_normal((len(keys), 384)).astype(np.float32)
    np.save(os.path.join(d, "prompts.npy"), p / np.linalg.norm(p, axis=1, keepdims=True))
    with open(os.path.join(src, "Beauty.txt")) as fin, open(os.path.join(d, "events.csv"), "w") as f:
        f.write("user_id,item_id,event,timestamp\n")
        for line in fin:
            user, *items = line.split()
            for t, item in enumerate(items):
                f.write(f"{user},{item},view,{t}\n")


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "..", "shared", "data", "amazon-beauty"))
    ap.add_argument("--config")
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--out")
    ap.add_argument("--no-text", action="store_true")
    a = ap.parse_args()
    cfg = Config.load(a.config)
    if a.epochs:
        cfg.epochs = a.epochs
    with tempfile.TemporaryDirectory() as d:
        make_features(a.data, d, not a.no_text)
        train(d, os.path.join(d, "events.csv"), a.out or os.path.join(d, "model"), cfg,
              log=lambda m: print(m, flush=True))


if __name__ == "__main__":
    main()
