import json

import pytest

from urm_train.config import Config


def test_json_overrides_defaults(tmp_path):
    p = tmp_path / "c.json"
    p.write_text(json.dumps({"d": 32, "M": 2, "loss": "sampled"}))
    cfg = Config.load(str(p))
    assert (cfg.d, cfg.M, cfg.loss) == (32, 2, "sampled")
    assert cfg.L == Config().L == 50 and cfg.heads == 2 and cfg.dropout == 0.2


def test_unknown_or_bad_values_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="unknown config keys: dd"):
        Config.from_dict({"dd": 3})
    with pytest.raises(ValueError, match="divisible"):
        Config.from_dict({"d": 30, "heads": 4})
