"""Analysis (prints figures, asserts nothing): how the validation and test targets of the leave-one-out
split differ in what the training part tells about them, which bounds how well any method learned on
that part can carry a validation figure over to the test one.

    PYTHONPATH=src/trainer /usr/bin/python3 src/trainer/split_drift.py FEATURES_DIR EVENTS

For each split: how often the target item occurs in the training part (median, share under 5, share
never), and how often the step (newest history item -> target) occurs somewhere in the training part,
which is what a co-occurrence or transition model can use.
"""
from __future__ import annotations

import sys
from collections import Counter

import numpy as np
from urm_train.data import load_features, read_events


def main() -> None:
    features, events = sys.argv[1], sys.argv[2]
    feats = load_features(features)
    ev = read_events(events, {item: i for i, item in enumerate(feats.ids)})
    seqs = [s for s in ev.items if len(s) >= 3]
    counts: Counter = Counter()
    steps: set = set()
    for s in ev.items:   # the training part: all but the last two events of an evaluated user
        part = s[:-2] if len(s) >= 3 else s
        counts.update(part.tolist())
        steps.update(zip(part[:-1].tolist(), part[1:].tolist()))
    for name, cut in (("validation", -2), ("test", -1)):
        target = np.array([s[cut] for s in seqs])
        newest = np.array([s[cut - 1] for s in seqs])
        c = np.array([counts[t] for t in target])
        seen_step = np.mean([(a, b) in steps for a, b in zip(newest.tolist(), target.tolist())])
        print(f"{name}: {len(seqs)} users; target's count in the training part: median {np.median(c):.0f}, "
              f"under 5 {np.mean(c < 5):.3f}, never {np.mean(c == 0):.4f}; "
              f"step newest history item -> target seen in training {seen_step:.3f}")


if __name__ == "__main__":
    main()
