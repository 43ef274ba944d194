"""Benchmark (prints figures, asserts nothing): where a training step's time goes, on a real features
directory: the forward pass (batch building, cards, user vectors, loss), the backward pass and Adam, over
`steps` steps after 3 warm-up steps, extrapolated to an epoch.

    PYTHONPATH=src/trainer /usr/bin/python3 src/trainer/bench_step.py FEATURES_DIR EVENTS [steps] ['{"batch": 64}']
"""
from __future__ import annotations

import urm_train  # noqa: F401  first: it sets OMP_WAIT_POLICY before torch loads OpenMP

import dataclasses
import json
import os
import sys
import time

import numpy as np
import torch
from urm_train.config import Config
from urm_train.model import URM
from urm_train.train import batch_loss, prepare


def main() -> None:
    features, events = sys.argv[1], sys.argv[2]
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    cfg = Config.from_dict(json.loads(sys.argv[4]) if len(sys.argv) > 4 else {})
    torch.set_num_threads(cfg.threads or os.cpu_count() or 1)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    p = prepare(features, events, cfg, log=lambda m: None)
    model = URM(dataclasses.replace(p.sizes, attribute_buckets=len(p.attr_used) + 1, attribute_table=0))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    loss_kind = "sampled" if cfg.loss == "sampled" or p.feats.n > cfg.full_softmax_max_items else "full"
    batches = (p.data.causal_epoch_batches(p.data.causal_windows(), rng) if model.sizes.causal
               else p.data.epoch_batches(rng))
    parts = dict.fromkeys(["forward", "backward", "adam"], 0.0)
    for i, w in enumerate(batches[:steps + 3]):
        if i == 3:
            parts = dict.fromkeys(parts, 0.0)
            start = time.perf_counter()
        t = [time.perf_counter()]
        loss = batch_loss(model, p.data, p.items, p.prompt_table, w, rng, cfg, loss_kind)
        t.append(time.perf_counter())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        t.append(time.perf_counter())
        opt.step()
        t.append(time.perf_counter())
        for k, a, z in zip(parts, t, t[1:]):
            parts[k] += z - a
    per_step = (time.perf_counter() - start) / steps
    print(f"threads {torch.get_num_threads()}, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, "
          f"load {os.getloadavg()[0]:.1f}, {loss_kind} softmax, batch {cfg.batch}")
    print("  ".join(f"{k} {1000 * v / steps:.1f} ms" for k, v in parts.items()))
    print(f"{1000 * per_step:.0f} ms/step -> {per_step * len(batches):.0f} s/epoch ({len(batches)} steps)")


if __name__ == "__main__":
    main()
