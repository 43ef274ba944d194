#!/usr/bin/python3
"""numpy reference for `urm bench recommend`'s retrieval scan, run back to back with it.

The same problem: n random unit cards of d = 64 fp32 values, M = 4 user vectors, the top k = 40 by
max over the M inner products. numpy's best form: one matrix product (OpenBLAS, as many threads as it
is given: OPENBLAS_NUM_THREADS), the max over M, argpartition for the k best, and a sort of those k.

  /usr/bin/python3 src/Urm.Cli/Bench/scan_reference.py --items 100000,1000000
"""
import argparse
import os
import sys
import time

# numpy's OpenBLAS runs the kernels for this CPU, not Debian's SSE3 fallback: the trainer package sets
# OPENBLAS_CORETYPE from the CPU's flags on import, before numpy loads the library (src/trainer/README.md).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "trainer"))
import urm_train  # noqa: E402,F401

import numpy as np  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", default="100000,1000000", help="catalog sizes, comma-separated")
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--users", type=int, default=4, help="M, user vectors per request")
    parser.add_argument("--k", type=int, default=40)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per size (after 10 warm-up)")
    args = parser.parse_args()

    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default (all cores)")
    print(f"scan_reference.py: numpy {np.__version__}, d {args.dim}, M {args.users}, k {args.k}, "
          f"{args.requests} requests per size, OPENBLAS_NUM_THREADS={threads}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}")
    print()
    print("| items | numpy scan p50 ms | numpy scan p99 ms |")
    print("| ---: | ---: | ---: |")
    for n in (int(s) for s in args.items.split(",")):
        rng = np.random.default_rng(n)
        cards = rng.uniform(-1, 1, size=(n, args.dim)).astype(np.float32)
        cards /= np.linalg.norm(cards, axis=1, keepdims=True)
        times = []
        for i in range(args.requests + 10):
            users = rng.standard_normal((args.users, args.dim)).astype(np.float32)
            start = time.perf_counter()
            scores = (users @ cards.T).max(0)
            top = np.argpartition(scores, -args.k)[-args.k:]
            top = top[np.argsort(-scores[top], kind="stable")]
            elapsed = (time.perf_counter() - start) * 1000
            if i >= 10:
                times.append(elapsed)
        times.sort()
        p50 = times[int(np.ceil(0.50 * len(times))) - 1]
        p99 = times[int(np.ceil(0.99 * len(times))) - 1]
        print(f"| {n:,} | {p50:.2f} | {p99:.2f} |")


if __name__ == "__main__":
    main()
