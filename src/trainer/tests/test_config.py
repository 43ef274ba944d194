import json

import pytest

from urm_train.config import Config


def test_json_overrides_defaults(tmp_path):
    p = tmp_path / "c.json"
    p.write_text(json.dumps({"d": 32, "M": 2, "loss": "sampled"}))
    cfg = Config.load(str(p))
    assert (cfg.d, cfg.M, cfg.loss) == (32, 2, "sampled")
    assert cfg.L == Config().L == 50 and cfg.heads == 2 and cfg.dropout == "auto"


def test_auto_dropout_is_on_for_sparse_training_data_only():
    """Beauty's training part has 12.7 events per item, MovieLens 100K's 58.5 (docs/RESULTS.md)."""
    cfg = Config()
    assert cfg.resolved_dropout(12.7) == 0.1 and cfg.resolved_dropout(58.5) == 0.0
    assert Config(dropout=0.3).resolved_dropout(12.7) == 0.3 and Config(dropout=0.0).resolved_dropout(1.0) == 0.0
    with pytest.raises(ValueError, match="dropout must be"):
        Config.from_dict({"dropout": "high"})
    with pytest.raises(ValueError, match="dropout must be"):
        Config.from_dict({"dropout": 1.5})


def test_unknown_or_bad_values_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="unknown config keys: dd"):
        Config.from_dict({"dd": 3})
    with pytest.raises(ValueError, match="divisible"):
        Config.from_dict({"d": 30, "heads": 4})
    with pytest.raises(ValueError, match="contrast needs dropout"):   # two passes would be the same pass
        Config.from_dict({"contrast": 0.1, "dropout": 0.0})


def test_learning_rate_warms_up_holds_then_decays():
    from urm_train.train import decay_progress, learning_rate
    cfg = Config(lr=1e-3, warmup_steps=10, decay_share=0.25, lr_final=0.05)
    assert learning_rate(cfg, 0, 0.0) == pytest.approx(1e-4) and learning_rate(cfg, 9, 0.0) == pytest.approx(1e-3)
    # stable until the last quarter of the budget, then a cosine to lr_final * lr
    assert decay_progress(cfg, 0.5, None, 3.0) == 0.0 and decay_progress(cfg, 0.875, None, 7.0) == pytest.approx(0.5)
    assert learning_rate(cfg, 100, 0.5) == pytest.approx(1e-3 * (0.05 + 0.95 * 0.5))
    assert learning_rate(cfg, 100, 1.0) == pytest.approx(5e-5)
    # a plateau at epoch 6, decayed over 2 epochs: half way one epoch later, whatever the budget says
    assert decay_progress(cfg, 0.3, (6.0, 2.0), 7.0) == pytest.approx(0.5)


def test_a_checkpoints_config_loads_without_keys_this_version_dropped():
    saved = {**Config(d=32).to_dict(), "content_softmax": 0.3}   # an option since removed
    cfg = Config.from_checkpoint(saved, {"neighbour_k": 0})
    assert (cfg.d, cfg.neighbour_k) == (32, 0)
