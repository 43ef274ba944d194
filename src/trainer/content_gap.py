"""Analysis (prints figures, asserts nothing): how the model ranks a validation target when that
target's card alone is built from content (no ID embedding, no lending), as for a new item, against
its full card; and how close the two cards are.

    PYTHONPATH=src/trainer /usr/bin/python3 src/trainer/content_gap.py MODEL_DIR FEATURES_DIR EVENTS [users]

MODEL_DIR holds checkpoint.pt; FEATURES_DIR and EVENTS are those it was trained on.
"""
import urm_train  # noqa: F401  first: it sets OMP_WAIT_POLICY before torch loads OpenMP

import dataclasses
import sys

import numpy as np
import torch
from urm_train.config import Config
from urm_train.model import URM
from urm_train.train import prepare
from urm_train.evaluate import metrics, score_items, target_ranks


def main() -> None:
    ck = torch.load(sys.argv[1] + "/checkpoint.pt")
    cfg = Config.from_dict(ck["config"])
    p = prepare(sys.argv[2], sys.argv[3], cfg, log=lambda s: None)
    model = URM(dataclasses.replace(p.sizes, attribute_buckets=len(p.attr_used) + 1, attribute_table=0))
    st = dict(ck["state_dict"]); full = st["fusion.attr.weight"]
    st["fusion.attr.weight"] = torch.cat([torch.zeros(1, full.shape[1]), full[torch.from_numpy(p.attr_used)]])
    model.load_state_dict(st); model.eval()
    rows = p.data.val[:int(sys.argv[4]) if len(sys.argv) > 4 else 4000]
    with torch.no_grad():
        cards = model.cards(p.items)
        content = model.cards(dict(p.items, id_index=torch.zeros_like(p.items["id_index"])))
        cos = (cards * content).sum(-1)
        print(f"cos(full card, content-only card): mean {cos.mean():.3f}, p10 {cos.quantile(0.1):.3f}, p90 {cos.quantile(0.9):.3f}")
        r_full, r_swap, s_t_full, s_t_cont, s_top = [], [], [], [], []
        for i in range(0, len(rows), 500):
            part = rows[i:i+500]
            b = {k: torch.from_numpy(v) for k, v in p.data.eval_batch(part).items()}
            u = model.users(b, cards, p.prompt_table)
            sc = score_items(u, cards); t = b["targets"][:, 0]
            r_full.append(target_ranks(sc, t).numpy())
            # the target alone becomes content-only (a new item among warm ones)
            st_c = (u * content[t][:, None, :]).sum(-1).max(-1).values
            sc2 = sc.clone(); sc2[torch.arange(len(t)), t] = st_c
            r_swap.append(target_ranks(sc2, t).numpy())
            s_t_full.append(sc[torch.arange(len(t)), t].numpy()); s_t_cont.append(st_c.numpy())
            s_top.append(sc.topk(10, 1).values[:, -1].numpy())
        print("validation targets, full cards:", metrics(np.concatenate(r_full)))
        print("validation targets, target card content-only:", metrics(np.concatenate(r_swap)))
        print(f"score of target: full {np.mean(np.concatenate(s_t_full)):.3f}, content-only {np.mean(np.concatenate(s_t_cont)):.3f}, 10th best score {np.mean(np.concatenate(s_top)):.3f}")


if __name__ == "__main__":
    main()
