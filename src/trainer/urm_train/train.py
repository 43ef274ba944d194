"""Training loop: read data, build the model, Adam with early stopping on validation NDCG@10,
keep the best state, score the test split, save a checkpoint that carries its config."""
from __future__ import annotations

import copy
import dataclasses
import json
import os
import time
from dataclasses import dataclass

import numpy as np
import torch

from .config import Config
from .data import (EVENT_IDS, TASK_KEYS, Events, Features, Prompts, SequenceData, category_key,
                   load_features, load_prompts, read_events, required_prompt_keys)
from .evaluate import evaluate
from .model import MODALITIES, URM, AttributeBag, Sizes, full_softmax_loss, sampled_softmax_loss


@dataclass
class Prepared:
    feats: Features
    events: Events
    prompts: Prompts
    data: SequenceData
    sizes: Sizes
    tasks: list
    id_index: np.ndarray        # (n,) per item: 1.. for items with an ID embedding, 0 = content only
    items: dict                 # item feature tensors for Fusion (attribute tokens compacted)
    prompt_table: torch.Tensor  # (keys, text_dim)
    attr_used: np.ndarray       # (U,) attribute buckets that occur; compact token u+1 = bucket attr_used[u]


def fold_attributes(tokens: np.ndarray, rows: int) -> np.ndarray:
    """Hashed tokens 1.. onto rows 1..rows-1 as the exported graph folds them (Fusion._attributes);
    rows = 0 keeps every bucket. Padding (0) stays 0."""
    if rows <= 0:
        return tokens
    return np.where(tokens > 0, (tokens - 1) % (rows - 1) + 1, 0).astype(np.int64)


def compact_attributes(tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hashed attribute tokens (n, T) in [0, buckets) -> the same tokens renumbered 1..U over the U
    buckets that occur (0 stays padding), and those buckets. Training then keeps a (U + 1, d) table
    instead of (buckets, d): on Beauty 890 rows instead of 65,536, whose dense gradient and Adam
    update every step cost more than the rows in use."""
    used = np.unique(tokens[tokens > 0])
    return np.where(tokens > 0, np.searchsorted(used, tokens) + 1, 0).astype(np.int64), used


def expand_attributes(state: dict, used: np.ndarray, buckets: int) -> dict:
    """The inverse for export: the compact table's rows go back to their buckets; buckets never seen
    in training get zero vectors (padding row 0 stays zero)."""
    state = dict(state)
    compact = state["fusion.attr.weight"]
    full = torch.zeros(buckets, compact.shape[1], dtype=compact.dtype)
    full[torch.from_numpy(used)] = compact[1:]
    state["fusion.attr.weight"] = full
    return state


def prepare(features_dir: str, events_path: str, cfg: Config, log=print) -> Prepared:
    feats = load_features(features_dir)
    item_index = {iid: i for i, iid in enumerate(feats.ids)}
    ev = read_events(events_path, item_index)
    log(f"events: {ev.total} read, {ev.dropped_unknown_item} dropped (item not in items.jsonl), "
        f"{ev.dropped_bad_event} dropped (event not one of {', '.join(EVENT_IDS)}), {len(ev.users)} users")
    tasks, keys = required_prompt_keys(cfg, ev, feats)
    prompts = load_prompts(features_dir, keys)
    rows = {k: i for i, k in enumerate(prompts.keys)}
    task_rows = {t: rows[TASK_KEYS[t]] for t in tasks}
    cat_rows = {i: rows[category_key(c)] for i, c in enumerate(feats.categories)} if "category" in tasks else {}
    data = SequenceData(ev, feats, cfg, task_rows, cat_rows)

    # ID table: items seen in training, minus a random cold share kept content-only
    rng = np.random.default_rng(cfg.seed)
    cold = np.zeros(feats.n, bool)
    cold[rng.permutation(feats.n)[:int(round(cfg.cold_share * feats.n))]] = True
    seen = np.zeros(feats.n, bool)
    seen[data.train_items] = True
    has_id = seen & ~cold if "id" in cfg.modalities else np.zeros(feats.n, bool)
    id_index = np.zeros(feats.n, np.int64)
    id_index[has_id] = np.arange(1, has_id.sum() + 1)

    available = {"text": True, "image": feats.has_image, "attributes": bool((feats.attr_tokens > 0).any()),
                 "price": bool((feats.price_bucket >= 0).any()), "id": bool(has_id.any())}
    modalities = [m for m in MODALITIES if m in cfg.modalities and available[m]]
    sizes = Sizes(cfg.d, cfg.d_card, cfg.layers, cfg.heads, cfg.M, cfg.L, cfg.dropout, cfg.logit_scale_init,
                  feats.text_dim, feats.image_dim, feats.attribute_buckets, feats.price_buckets,
                  int(has_id.sum()), modalities, cfg.attribute_table)
    # Fold first (a smaller exported table, when attribute_table asks for one), then compact the rows in use.
    attr_tokens, attr_used = compact_attributes(fold_attributes(feats.attr_tokens, sizes.attribute_table))
    items = {"text": torch.from_numpy(feats.text), "image": torch.from_numpy(feats.image),
             "image_mask": torch.from_numpy(feats.image_mask), "attr_tokens": torch.from_numpy(attr_tokens),
             "price_bucket": torch.from_numpy(feats.price_bucket), "id_index": torch.from_numpy(id_index),
             "attr_bag": AttributeBag(torch.from_numpy(attr_tokens), len(attr_used) + 1)}
    log(f"data: {feats.n} items ({int(has_id.sum())} with an ID embedding), {len(data.samples)} training "
        f"samples, {len(data.val)} validation users; modalities {modalities}; tasks {tasks}")
    return Prepared(feats, ev, prompts, data, sizes, tasks, id_index, items, torch.from_numpy(prompts.emb),
                    attr_used)


def train(features_dir: str, events_path: str, out_dir: str, cfg: Config, log=print) -> dict:
    """Train, keep the best epoch, write out_dir/checkpoint.pt; returns the checkpoint dict."""
    log("config " + json.dumps(cfg.to_dict(), sort_keys=True))
    torch.set_num_threads(cfg.threads or os.cpu_count() or 1)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    p = prepare(features_dir, events_path, cfg, log)
    data, items, ptab = p.data, p.items, p.prompt_table
    # compact table, tokens already folded: the training model neither folds nor holds unused rows
    model = URM(dataclasses.replace(p.sizes, attribute_buckets=len(p.attr_used) + 1, attribute_table=0))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    loss_kind = "sampled" if cfg.loss == "sampled" or p.feats.n > cfg.full_softmax_max_items else "full"
    freq = torch.from_numpy(np.bincount(data.flat_items[data.samples], minlength=p.feats.n).astype(np.float32))
    freq = freq / freq.sum().clamp(min=1.0)
    gen = torch.Generator().manual_seed(cfg.seed)
    cold = p.id_index == 0  # items without an ID embedding: their metrics are reported apart too
    log(f"loss: {loss_kind} softmax; parameters: {sum(x.numel() for x in model.parameters())}")

    best, best_state, best_epoch, stale, history = -1.0, None, 0, 0, []
    t_start = time.time()
    for epoch in range(1, cfg.epochs + 1):
        t0 = time.time()
        model.train()
        total, steps = 0.0, 0
        batches = data.epoch_batches(rng)
        next_note = time.time() + 60
        for g in batches:
            nb = data.train_batch(g, data.draw_tasks(g, rng), rng)
            b = {k: torch.from_numpy(v) for k, v in nb.items()}
            cards = model.cards(items)                                   # (n, c), with dropout
            u = model.users(b, cards, ptab)                              # (B, M, c)
            if loss_kind == "full":
                loss = full_softmax_loss(u, cards, b["targets"], model.scale())
            else:
                loss = sampled_softmax_loss(u, cards, b["targets"], model.scale(), cfg.negatives, freq, gen)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item()
            steps += 1
            if cfg.max_train_seconds and time.time() - t_start > cfg.max_train_seconds:
                break  # the budget holds inside an epoch too; this partial epoch is still validated
            if time.time() > next_note:  # long epochs show progress once a minute
                log(f"  epoch {epoch} step {steps}/{len(batches)} loss {total / steps:.4f} {time.time() - t0:.0f}s")
                next_note = time.time() + 60
        train_s = time.time() - t0
        val = evaluate(model, data, items, ptab, data.val, cfg.eval_batch, cold) if data.val else {}
        score = val.get("NDCG@10", 0.0)
        history.append({"epoch": epoch, "loss": total / max(steps, 1), **val, "seconds": time.time() - t0})
        log(f"epoch {epoch} loss {total / max(steps, 1):.4f} val HR@10 {val.get('HR@10', 0):.4f} "
            f"NDCG@10 {score:.4f} (cold targets HR@10 {val.get('cold', {}).get('HR@10', 0):.4f}) "
            f"train {train_s:.1f}s total {time.time() - t0:.1f}s")
        if score > best or best_state is None:
            best, best_state, best_epoch, stale = score, copy.deepcopy(model.state_dict()), epoch, 0
        else:
            stale += 1
            if stale >= cfg.patience:
                log(f"early stop: no better validation NDCG@10 for {cfg.patience} epochs")
                break
        if cfg.max_train_seconds and time.time() - t_start > cfg.max_train_seconds:
            log(f"time budget of {cfg.max_train_seconds:.0f}s reached")
            break
    train_seconds = time.time() - t_start
    model.load_state_dict(best_state)
    val = evaluate(model, data, items, ptab, data.val, cfg.eval_batch, cold) if data.val else {}
    test = evaluate(model, data, items, ptab, data.test, cfg.eval_batch, cold) if data.test else {}
    log(f"best epoch {best_epoch}: val {json.dumps(val)} test {json.dumps(test)}")

    ckpt = {
        "config": cfg.to_dict(),
        "sizes": p.sizes.to_dict(),
        "state_dict": expand_attributes(best_state, p.attr_used, p.sizes.attribute_table or p.sizes.attribute_buckets),
        "meta": {
            "id_table": {p.feats.ids[i]: int(p.id_index[i]) for i in np.nonzero(p.id_index)[0]},
            "prompt_keys": p.prompts.keys, "prompt_texts": p.prompts.texts, "tasks": p.tasks,
            "event_ids": dict(EVENT_IDS), "attribute_tokens": int(p.feats.attr_tokens.shape[1]),
            "data_hashes": {"events": p.events.file_hash, "items": p.feats.items_hash},
            "metrics": {"validation": val, "test": test, "best_epoch": best_epoch, "history": history},
            "training_seconds": train_seconds, "loss": loss_kind, "item_count": p.feats.n,
            "dropped_events": {"unknown_item": p.events.dropped_unknown_item,
                               "bad_event": p.events.dropped_bad_event},
        },
    }
    os.makedirs(out_dir, exist_ok=True)
    torch.save(ckpt, os.path.join(out_dir, "checkpoint.pt"))
    return ckpt


def load_model(ckpt: dict) -> URM:
    model = URM(Sizes(**ckpt["sizes"]))
    model.load_state_dict(ckpt["state_dict"])
    return model.eval()
