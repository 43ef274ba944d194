"""Benchmark (prints figures, asserts nothing): where a training step's time goes, on a real features
directory. Times each part of `steps` steps (after 5 warm-up steps) and extrapolates to an epoch.

    PYTHONPATH=src/trainer /usr/bin/python3 src/trainer/bench_step.py FEATURES_DIR EVENTS [steps] ['{"threads": 1}']
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
from urm_train.model import URM, full_softmax_loss
from urm_train.train import prepare


def main() -> None:
    features, events = sys.argv[1], sys.argv[2]
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    cfg = Config.from_dict(json.loads(sys.argv[4]) if len(sys.argv) > 4 else {})
    torch.set_num_threads(cfg.threads or os.cpu_count() or 1)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    p = prepare(features, events, cfg, log=lambda m: None)
    model = URM(dataclasses.replace(p.sizes, attribute_buckets=len(p.attr_used) + 1))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    batches = p.data.epoch_batches(rng)
    parts = dict.fromkeys(["batch", "cards", "users", "loss", "backward", "adam"], 0.0)
    for i, g in enumerate(batches[:steps + 5]):
        if i == 5:
            parts = dict.fromkeys(parts, 0.0)
            start = time.perf_counter()
        t = [time.perf_counter()]
        b = {k: torch.from_numpy(v) for k, v in p.data.train_batch(g, p.data.draw_tasks(g, rng), rng).items()}
        t.append(time.perf_counter())
        cards = model.cards(p.items)
        t.append(time.perf_counter())
        u = model.users(b, cards, p.prompt_table)
        t.append(time.perf_counter())
        loss = full_softmax_loss(u, cards, b["targets"], model.scale())
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
          f"load {os.getloadavg()[0]:.1f}")
    print("  ".join(f"{k} {1000 * v / steps:.1f} ms" for k, v in parts.items()))
    print(f"{1000 * per_step:.0f} ms/step -> {per_step * len(batches):.0f} s/epoch ({len(batches)} steps)")


if __name__ == "__main__":
    main()
