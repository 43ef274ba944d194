"""CLI: python -m urm_train train --features DIR --events FILE --out MODEL_DIR [--config F] [--epochs N]
        python -m urm_train export --checkpoint MODEL_DIR/checkpoint.pt --out MODEL_DIR"""
from __future__ import annotations

import argparse
import sys

import torch


def log(msg: str) -> None:
    print(msg, flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="urm_train", description="Train and export the Urm model.")
    sub = ap.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train on a features directory and an events file, then export")
    t.add_argument("--features", required=True, help="features directory written by `urm features`")
    t.add_argument("--events", required=True, help="events CSV or JSONL: user_id,item_id,event,timestamp")
    t.add_argument("--out", required=True, help="model directory to write")
    t.add_argument("--config", help="JSON file overriding Config defaults")
    t.add_argument("--epochs", type=int, help="override the epoch cap")
    e = sub.add_parser("export", help="re-export a model directory from its checkpoint")
    e.add_argument("--checkpoint", required=True)
    e.add_argument("--out", required=True)
    args = ap.parse_args(argv)

    from .config import Config
    from .export import export
    try:
        if args.command == "train":
            from .train import train
            cfg = Config.load(args.config)
            if args.epochs is not None:
                cfg.epochs = args.epochs
            ckpt = train(args.features, args.events, args.out, cfg, log)
        else:
            ckpt = torch.load(args.checkpoint)
        export(ckpt, args.out, log)
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
