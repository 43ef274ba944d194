import math

import numpy as np
import pytest
import torch

from urm_train.evaluate import hit_rate, metrics, ndcg, target_ranks


def test_hit_rate_and_ndcg_by_hand():
    ranks = np.array([0, 1, 4, 10])
    assert hit_rate(ranks, 5) == 0.75
    assert hit_rate(ranks, 1) == 0.25
    # 1/log2(2) + 1/log2(3) + 1/log2(6) + 0, over 4 users
    assert ndcg(ranks, 5) == pytest.approx((1.0 + 0.6309297535714575 + 0.38685280723454163) / 4)
    assert ndcg(ranks, 11) == pytest.approx((1.0 + 0.6309297535714575 + 0.38685280723454163
                                             + 1 / math.log2(12)) / 4)
    assert hit_rate(np.array([]), 10) == 0.0


def test_target_ranks_count_strictly_higher_scores():
    scores = torch.tensor([[0.9, 0.1, 0.5, 0.7],
                           [0.2, 0.2, 0.2, 0.3]])
    ranks = target_ranks(scores, torch.tensor([2, 0]))
    assert ranks.tolist() == [2, 1]  # ties do not push the target down
    m = metrics(ranks.numpy(), ks=(1, 2))
    assert m["HR@1"] == 0.0 and m["HR@2"] == 0.5
    assert m["NDCG@2"] == pytest.approx(0.5 * 1 / math.log2(3))
