"""Export the inference path: fusion.onnx (features -> card), user.onnx (prompt + history -> M user
vectors), manifest.json (the only source of sizes for the C# side) and parity/ fixtures (fixed inputs
and PyTorch outputs, for ONNX Runtime to reproduce within 1e-4)."""
from __future__ import annotations

import hashlib
import json
import os
import time

import numpy as np
import onnx
import torch
import torch.nn as nn

from .data import sha256_file
from .model import load_model
from .names import N_EVENT_TYPES, PADDING_EVENT, RECENCY_STARTS, REPEAT_TASKS, task_key

OPSET = 17


def fusion_io(s: dict, T: int) -> tuple[list, list]:
    """(inputs, outputs) as (name, shape, dtype); str dims are dynamic."""
    return ([("text", ["n", s["text_dim"]], "float32"), ("image", ["n", s["image_dim"]], "float32"),
             ("image_mask", ["n"], "float32"), ("attr_tokens", ["n", "T"], "int64"),
             ("price_bucket", ["n"], "int64"), ("id_index", ["n"], "int64")],
            [("card", ["n", s["d_card"]], "float32"), ("lender", ["n"], "int64")])


def user_io(s: dict) -> tuple[list, list]:
    return ([("prompt", ["b", "P", s["text_dim"]], "float32"), ("prompt_mask", ["b", "P"], "float32"),
             ("history_cards", ["b", "L", s["d_card"]], "float32"), ("history_events", ["b", "L"], "int64"),
             ("history_mask", ["b", "L"], "float32")],
            [("user_vectors", ["b", s["M"], s["d_card"]], "float32")])


class _FusionGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.fusion = model.fusion

    def forward(self, text, image, image_mask, attr_tokens, price_bucket, id_index):
        return self.fusion(text, image, image_mask, attr_tokens, price_bucket, id_index, with_lenders=True)


def fusion_inputs(s: dict, T: int, n: int, seed: int) -> dict:
    """Fixed random inputs that exercise every presence case (no image, no price, no ID, no attributes)."""
    g = np.random.default_rng(seed)
    text = g.standard_normal((n, s["text_dim"])).astype(np.float32)
    text /= np.linalg.norm(text, axis=1, keepdims=True)
    image_mask = (np.arange(n) % 2 == 0).astype(np.float32)
    image = np.abs(g.standard_normal((n, s["image_dim"]))).astype(np.float32) * image_mask[:, None]
    attr = g.integers(1, s["attribute_buckets"], (n, T)).astype(np.int64)
    attr[:, T // 2 + 1:] = 0
    attr[n - 1] = 0
    price = g.integers(0, s["price_buckets"], n).astype(np.int64)
    price[1::3] = -1
    ids = g.integers(1, s["id_count"] + 1, n).astype(np.int64) if s["id_count"] else np.zeros(n, np.int64)
    ids[0], ids[-1] = 0, -1
    return {"text": text, "image": image, "image_mask": image_mask, "attr_tokens": attr,
            "price_bucket": price, "id_index": ids}


def user_inputs(s: dict, b: int, P: int, L: int, seed: int) -> dict:
    """Fixed random inputs: left-padded histories of different lengths, one prompt piece masked."""
    g = np.random.default_rng(seed)
    prompt = g.standard_normal((b, P, s["text_dim"])).astype(np.float32)
    prompt_mask = np.ones((b, P), np.float32)
    prompt_mask[0, P - 1] = 0
    cards = g.standard_normal((b, L, s["d_card"])).astype(np.float32)
    cards /= np.linalg.norm(cards, axis=2, keepdims=True)
    lengths = [max(1, L - (3 * i) % L) for i in range(b)]
    hmask = np.array([[1.0 if j >= L - n else 0.0 for j in range(L)] for n in lengths], np.float32)
    events = (g.integers(PADDING_EVENT + 1, N_EVENT_TYPES, (b, L)) * hmask).astype(np.int64)
    cards *= hmask[:, :, None]
    return {"prompt": prompt, "prompt_mask": prompt_mask, "history_cards": cards,
            "history_events": events, "history_mask": hmask}


def _export(module, inputs: dict, io: tuple, path: str) -> None:
    ins, outs = io
    dynamic = {name: {i: dim for i, dim in enumerate(shape) if isinstance(dim, str)} for name, shape, _ in ins + outs}
    torch.onnx.export(module, tuple(torch.from_numpy(inputs[n]) for n, _, _ in ins), path,
                      input_names=[n for n, _, _ in ins], output_names=[n for n, _, _ in outs],
                      dynamic_axes=dynamic, opset_version=OPSET, do_constant_folding=True)
    # state the declared shapes on the graph's inputs and outputs (the exporter's own shape
    # inference names some fixed output dims symbolically, e.g. after normalize)
    model = onnx.load(path)
    for values, spec in ((model.graph.input, ins), (model.graph.output, outs)):
        for vi, (name, shape, _) in zip(values, spec):
            assert vi.name == name, (vi.name, name)
            dims = vi.type.tensor_type.shape.dim
            for dim, want in zip(dims, shape):
                dim.Clear()
                if isinstance(want, str):
                    dim.dim_param = want
                else:
                    dim.dim_value = want
    onnx.checker.check_model(model)
    onnx.save(model, path)


def _io_json(io: tuple) -> dict:
    ins, outs = io
    return {"inputs": [{"name": n, "shape": s, "dtype": t} for n, s, t in ins],
            "outputs": [{"name": n, "shape": s, "dtype": t} for n, s, t in outs]}


def export(ckpt: dict, out_dir: str, log=print) -> dict:
    """Writes fusion.onnx, user.onnx, manifest.json and parity/ into out_dir; returns the manifest."""
    os.makedirs(out_dir, exist_ok=True)
    model = load_model(ckpt)
    s, meta = ckpt["sizes"], ckpt["meta"]
    T = max(1, meta["attribute_tokens"])
    fio, uio = fusion_io(s, T), user_io(s)
    fin = fusion_inputs(s, T, n=5, seed=0)
    uin = user_inputs(s, b=3, P=2, L=s["L"], seed=1)
    with torch.no_grad():
        _export(_FusionGraph(model), fin, fio, os.path.join(out_dir, "fusion.onnx"))
        _export(model.user, uin, uio, os.path.join(out_dir, "user.onnx"))
        card, lender = (t.numpy() for t in _FusionGraph(model)(*(torch.from_numpy(fin[n]) for n, _, _ in fio[0])))
        users = model.user(*(torch.from_numpy(uin[n]) for n, _, _ in uio[0])).numpy()
    for graph, arrays in (("fusion", {**fin, "card": card, "lender": lender}), ("user", {**uin, "user_vectors": users})):
        os.makedirs(os.path.join(out_dir, "parity", graph), exist_ok=True)
        for name, a in arrays.items():
            np.save(os.path.join(out_dir, "parity", graph, f"{name}.npy"), np.ascontiguousarray(a))

    cooc = write_cooccurrence(ckpt, out_dir)
    repeat = repeat_section(ckpt)
    search = search_section(ckpt, out_dir)
    h = hashlib.sha256()
    for f in ("fusion.onnx", "user.onnx") + ((COOCCURRENCE_FILE,) if cooc else ()) \
            + ((POPULARITY_FILE,) if search and "popularity" in search else ()):   # what serving reads
        with open(os.path.join(out_dir, f), "rb") as fh:
            h.update(fh.read())
    created = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    metrics = meta["metrics"]
    manifest = {
        "version": f"{created}-{h.hexdigest()[:8]}",
        "createdAt": created,
        "sizes": {"d": s["d"], "dCard": s["d_card"], "contentCard": s.get("content_card", 0), "M": s["M"], "L": s["L"], "layers": s["layers"],
                  "heads": s["heads"], "textDim": s["text_dim"], "imageDim": s["image_dim"],
                  "attributeBuckets": s["attribute_buckets"], "attributeTokens": T,
                  "attributeTable": s.get("attribute_table") or s["attribute_buckets"],
                  "priceBuckets": s["price_buckets"], "idCount": s["id_count"], "eventTypes": N_EVENT_TYPES},
        "modalities": s["modalities"],
        "scoring": "score(item) = max over the M user_vectors of <user_vector, card>; both are L2-normalised",
        "idTable": meta["id_table"],
        "newItems": meta.get("new_items", []),
        "prompts": [{"key": k, "text": t} for k, t in zip(meta["prompt_keys"], meta["prompt_texts"])],
        "tasks": {t: task_key(t) for t in meta["tasks"]},
        "eventTypes": {"padding": PADDING_EVENT, **meta["event_ids"]},
        "dataHashes": meta["data_hashes"],
        "metrics": {"validation": metrics["validation"], "test": metrics["test"],
                    "bestEpoch": metrics["best_epoch"],
                    **({"modelAlone": metrics["model_alone"]} if "model_alone" in metrics else {})},
        "trainingSeconds": round(meta["training_seconds"], 1),
        "onnx": {"opset": OPSET,
                 "fusion": {"file": "fusion.onnx", "sha256": sha256_file(os.path.join(out_dir, "fusion.onnx")), **_io_json(fio)},
                 "user": {"file": "user.onnx", "sha256": sha256_file(os.path.join(out_dir, "user.onnx")), **_io_json(uio)}},
        **({"cooccurrence": cooc} if cooc else {}),
        **({"repeat": repeat} if repeat else {}),
        **({"search": search} if search else {}),
        "parity": {"fusion": "parity/fusion/<name>.npy", "user": "parity/user/<name>.npy", "tolerance": 1e-4},
        "config": ckpt["config"],
    }
    if cooc:
        manifest["scoring"] += ("; for the tasks in cooccurrence.tasks, plus cooccurrence.weight * ln(1 + sum over the "
                                "cooccurrence.recent newest history items h_r of C[h_r][item] / (r + 1))")
    if search:
        manifest["scoring"] += ("; for search, plus search.textWeight * <q, t> (search.textWeightWithoutHistory when "
                                "the request has no known history item), q the query as typed and t the item's "
                                "text vector as the card keeps it (both textModel's, int8 t / 127)")
        if "queryMap" in search:
            manifest["scoring"] += (", q mapped by search.queryMap first: q' = q A / |q A|, A (textDim x textDim) "
                                    "in query_map.bin")
        if "popularity" in search:
            manifest["scoring"] += (", plus search.popularity.weight (weightWithoutHistory without a known history "
                                    "item) * ln(1 + n), n the item's training events (popularity.bin; 0 for an item "
                                    "not in idTable)")
    if repeat:
        manifest["scoring"] += ("; for the tasks in repeat.tasks, an item of the newest L history items adds "
                                "repeat.byEvent[event][bucket] of its newest occurrence, bucket = the last b with "
                                "repeat.recencyStarts[b] <= its recency (0 = the newest item)")
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
    log(f"exported {manifest['version']} to {out_dir}")
    return manifest


def search_section(ckpt: dict, out_dir: str) -> dict | None:
    """The manifest's "search" section (docs/FORMATS.md): the weights of the served search score's text term
    and popularity prior and the validation figures they were chosen by, writing popularity.bin when there
    is a prior (an older file of that name is removed otherwise); None when the model has neither term."""
    c = ckpt.get("search") or {}
    prior = c.get("popularity")
    path = os.path.join(out_dir, POPULARITY_FILE)
    if os.path.exists(path) and not prior:
        os.remove(path)
    query_map = c.get("query_map")
    map_path = os.path.join(out_dir, QUERY_MAP_FILE)
    texted = c and (c["text_weight"] > 0 or c.get("text_weight_without_history", 0) > 0)
    if os.path.exists(map_path) and not (query_map and texted):
        os.remove(map_path)
    if not c or (not texted and not prior):
        return None
    without = c.get("text_weight_without_history", c["text_weight"])
    section = {"textWeight": float(c["text_weight"]), "textWeightWithoutHistory": float(without),
               "textModel": "all-MiniLM-L6-v2",
               "validation": {"users": int(c["users"]), "ndcg10ByWeight": c["ndcg10_by_weight"],
                              "ndcg10ByWeightWithoutHistory": c.get("ndcg10_by_weight_without_history", {}),
                              "textAloneNdcg10": float(c["text_alone_ndcg10"])}}
    if prior:
        section["popularity"] = write_popularity(prior, ckpt["sizes"]["id_count"], path)
    if query_map and texted:
        section["queryMap"] = write_query_map(query_map, ckpt["sizes"]["text_dim"], map_path)
    return section


QUERY_MAP_FILE = "query_map.bin"


def write_query_map(query_map: dict, text_dim: int, path: str) -> dict:
    """query_map.bin (docs/FORMATS.md), little-endian: b"URMQ", int32 version 1, int32 rows, int32 cols (both
    the text dimension), float32[rows * cols] A row-major; the served text term's query is normalize(q A)
    -> the search section's "queryMap" object."""
    a = np.asarray(query_map["matrix"], np.float32)
    if a.shape != (text_dim, text_dim) or not np.isfinite(a).all():
        raise ValueError(f"the query map must be {text_dim} x {text_dim} finite values, not {a.shape}")
    with open(path, "wb") as f:
        f.write(b"URMQ")
        f.write(np.array([1, text_dim, text_dim], "<i4").tobytes())
        f.write(a.astype("<f4").tobytes())
    return {"file": QUERY_MAP_FILE, "sha256": sha256_file(path),
            "validation": {"textAloneNdcg10": float(query_map["text_alone_ndcg10"]),
                           "ndcg10": query_map["ndcg10"], "unmappedNdcg10": query_map["unmapped_ndcg10"]}}


POPULARITY_FILE = "popularity.bin"


def write_popularity(prior: dict, id_count: int, path: str) -> dict:
    """popularity.bin (docs/FORMATS.md), little-endian: b"URMP", int32 version 1, int32 rows = idCount + 1,
    float32[rows] the training part's events of the item whose ID-table value is the row (row 0 = 0)
    -> the search section's "popularity" object."""
    counts = np.asarray(prior["counts"], np.float32)
    if len(counts) != id_count + 1 or counts[0] != 0 or not np.isfinite(counts).all() or (counts < 0).any():
        raise ValueError(f"the popularity counts must be idCount + 1 = {id_count + 1} finite values >= 0 with row 0 = 0")
    with open(path, "wb") as f:
        f.write(b"URMP")
        f.write(np.array([1, len(counts)], "<i4").tobytes())
        f.write(counts.astype("<f4").tobytes())
    return {"file": POPULARITY_FILE, "sha256": sha256_file(path), "weight": float(prior["weight"]),
            "weightWithoutHistory": float(prior["weight_without_history"]),
            "validation": {"ndcg10ByWeights": prior["ndcg10"], "ndcg10ByWeightsWithoutHistory": prior["ndcg10_without_history"]}}


def repeat_section(ckpt: dict) -> dict | None:
    """The manifest's "repeat" section (docs/FORMATS.md) from the learned table, or None for a model
    without the term: per event name, the term of each recency bucket, in the units of the score."""
    table = ckpt["state_dict"].get("repeat")
    if table is None or not ckpt["sizes"].get("repeat"):
        return None
    tasks = [t for t in REPEAT_TASKS if t in ckpt["meta"]["tasks"]]
    if not tasks:
        return None
    return {"tasks": tasks, "recencyStarts": list(RECENCY_STARTS),
            "byEvent": {name: [float(v) for v in table[i]] for name, i in ckpt["meta"]["event_ids"].items()}}


COOCCURRENCE_FILE = "cooccurrence.bin"


def write_cooccurrence(ckpt: dict, out_dir: str) -> dict | None:
    """cooccurrence.bin (docs/FORMATS.md) from the checkpoint's table, whose rows and neighbours are
    ID-table rows (CoOccurrence.served), little-endian: b"URMC", int32 version 1, int32 rows = idCount + 1,
    int32 pairs, int32[rows + 1] offsets, int32[pairs] neighbours, float32[pairs] counts. -> the
    manifest's "cooccurrence" section, or None when the model has no such term (an older file of that
    name is removed, so a re-export never leaves a stale table beside the graphs)."""
    path = os.path.join(out_dir, COOCCURRENCE_FILE)
    c = ckpt.get("cooccurrence")
    if not c:
        if os.path.exists(path):
            os.remove(path)
        return None
    offsets, neighbours, counts = np.asarray(c["offsets"]), np.asarray(c["neighbours"]), np.asarray(c["counts"])
    if len(offsets) != ckpt["sizes"]["id_count"] + 2:
        raise ValueError(f"the co-occurrence table has {len(offsets) - 1} rows; the ID table needs {ckpt['sizes']['id_count'] + 1}")
    with open(path, "wb") as f:
        f.write(b"URMC")
        f.write(np.array([1, len(offsets) - 1, len(neighbours)], "<i4").tobytes())
        for a, dtype in ((offsets, "<i4"), (neighbours, "<i4"), (counts, "<f4")):
            f.write(a.astype(dtype).tobytes())
    return {"file": COOCCURRENCE_FILE, "sha256": sha256_file(path), "weight": float(c["weight"]),
            "recent": int(c["recent"]), "window": int(c["window"]), "perItem": int(c["per_item"]),
            "pairs": int(len(neighbours)), "tasks": list(c["tasks"])}
