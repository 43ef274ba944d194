"""Tiny synthetic features directories and event files for the tests.

Planted pattern: every user walks the catalog in order (item i is always followed by item i+1,
wrapping), so the next item is fully predictable from the last one."""
from __future__ import annotations

import json
import os

import numpy as np

from urm_train.names import TASK_KEYS, TASKS, category_key, paraphrase_key

CATEGORIES = ["Beauty>Skin", "Beauty>Hair", "Beauty>Nails"]


def write_features(d: str, n_items: int = 60, seed: int = 0, prompts: bool = True, drop_keys=(),
                   queries: bool = False) -> list[str]:
    """queries: also queries.jsonl + queries.npy + queries_typed.npy (two per item, none for every 10th item: held out) and
    two paraphrases per task among the prompt pieces."""
    g = np.random.default_rng(seed)
    os.makedirs(d, exist_ok=True)
    ids = [f"sku-{i}" for i in range(n_items)]
    with open(os.path.join(d, "items.jsonl"), "w") as f:
        for i, iid in enumerate(ids):
            f.write(json.dumps({"id": iid, "contentHash": f"{i:08x}", "category": CATEGORIES[i % 3],
                                "modalities": ["text", "image", "attributes", "price"]}) + "\n")
    text = g.standard_normal((n_items, 384)).astype(np.float32)
    np.save(os.path.join(d, "text.npy"), text / np.linalg.norm(text, axis=1, keepdims=True))
    mask = (np.arange(n_items) % 2 == 0).astype(np.uint8)
    np.save(os.path.join(d, "image.npy"), (np.abs(g.standard_normal((n_items, 512))) * mask[:, None]).astype(np.float32))
    np.save(os.path.join(d, "image_mask.npy"), mask)
    with open(os.path.join(d, "attributes.jsonl"), "w") as f:
        for i, iid in enumerate(ids):
            toks = [int(t) for t in g.integers(1, 100, i % 4)]
            f.write(json.dumps({"id": iid, "tokens": toks, "priceBucket": -1 if i % 5 == 0 else i % 8}) + "\n")
    with open(os.path.join(d, "features.json"), "w") as f:
        json.dump({"count": n_items, "textModel": "all-MiniLM-L6-v2", "textDim": 384, "imageModel": "resnet18",
                   "imageDim": 512, "attributeBuckets": 100, "priceBuckets": 8}, f)
    if prompts:
        keys = [k for k in list(TASK_KEYS.values()) + [category_key(c) for c in CATEGORIES] if k not in drop_keys]
        if queries:
            keys += [paraphrase_key(t, i) for t in TASKS for i in range(2)]
        with open(os.path.join(d, "prompts.jsonl"), "w") as f:
            for k in keys:
                f.write(json.dumps({"key": k, "text": f"text of {k}"}) + "\n")
        emb = g.standard_normal((len(keys), 384)).astype(np.float32)
        np.save(os.path.join(d, "prompts.npy"), emb / np.linalg.norm(emb, axis=1, keepdims=True))
    if queries:
        rows = [(iid, f"query {j} of {iid}") for i, iid in enumerate(ids) if i % 10 for j in range(2)]
        with open(os.path.join(d, "queries.jsonl"), "w") as f:
            for iid, q in rows:
                f.write(json.dumps({"id": iid, "text": q}) + "\n")
        emb = g.standard_normal((len(rows), 384)).astype(np.float32)
        np.save(os.path.join(d, "queries.npy"), emb / np.linalg.norm(emb, axis=1, keepdims=True))
        # as typed, each near its item's text (own generator: the draws below stay as they were)
        item_row = [ids.index(iid) for iid, _ in rows]
        near = text[item_row] / np.linalg.norm(text[item_row], axis=1, keepdims=True)
        near += 0.3 * np.random.default_rng(seed + 7).standard_normal(near.shape).astype(np.float32) / np.sqrt(384)
        np.save(os.path.join(d, "queries_typed.npy"), (near / np.linalg.norm(near, axis=1, keepdims=True)).astype(np.float32))
        # the held-out items' evaluation queries: typed, each near its item's text (as a query made from
        # the item's title is); as a prompt piece, unrelated
        held = [i for i in range(n_items) if i % 10 == 0]
        with open(os.path.join(d, "held_out_queries.jsonl"), "w") as f:
            for i in held:
                f.write(json.dumps({"id": ids[i], "text": f"held-out query of {ids[i]}"}) + "\n")
        piece = g.standard_normal((len(held), 384)).astype(np.float32)
        np.save(os.path.join(d, "held_out_queries.npy"), piece / np.linalg.norm(piece, axis=1, keepdims=True))
        typed = text[held] / np.linalg.norm(text[held], axis=1, keepdims=True) + 0.3 * g.standard_normal((len(held), 384)).astype(np.float32) / np.sqrt(384)
        np.save(os.path.join(d, "held_out_queries_typed.npy"), (typed / np.linalg.norm(typed, axis=1, keepdims=True)).astype(np.float32))
    return ids


def write_events(path: str, n_users: int = 40, n_items: int = 60, seed: int = 1, extra_unknown: int = 3) -> None:
    """CSV events following the planted pattern; every 4th event is a purchase; a few unknown items."""
    g = np.random.default_rng(seed)
    with open(path, "w") as f:
        f.write("user_id,item_id,event,timestamp\n")
        for u in range(n_users):
            start, length = int(g.integers(0, n_items)), int(g.integers(8, 16))
            for j in range(length):
                ev = "purchase" if j % 4 == 3 else ("view" if j % 2 else "click")
                ts = 1_700_000_000 + u * 10_000 + j * 60
                f.write(f"u{u},sku-{(start + j) % n_items},{ev},{ts}\n")
        for k in range(extra_unknown):
            f.write(f"u0,nope-{k},view,2026-01-01T00:00:00Z\n")
