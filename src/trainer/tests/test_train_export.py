"""One tiny end-to-end run through the CLI (train + export), shared by the checks below."""
import dataclasses
import json
import os

import numpy as np
import onnx
import pytest
import torch

import synth
from urm_train.__main__ import main
from urm_train.config import Config
from urm_train.export import _FusionGraph, _export, fusion_inputs, fusion_io, user_inputs, user_io
from urm_train.model import URM, load_model
from urm_train.train import train

TINY = {"d": 32, "d_card": 32, "content_card": 16, "layers": 1, "heads": 2, "M": 2, "L": 10, "dropout": 0.0, "batch": 4,
        "lr": 0.002, "epochs": 30, "patience": 30, "threads": 1, "new_item_share": 0.1}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    d = tmp_path_factory.mktemp("run")
    synth.write_features(str(d / "features"), queries=True)   # every task: search and explore too
    synth.write_events(str(d / "events.csv"))
    (d / "config.json").write_text(json.dumps(TINY))
    rc = main(["train", "--features", str(d / "features"), "--events", str(d / "events.csv"),
               "--out", str(d / "model"), "--config", str(d / "config.json")])
    assert rc == 0
    return d


def test_loss_falls_and_planted_pattern_is_learned(run):
    ckpt = torch.load(run / "model" / "checkpoint.pt")
    hist = ckpt["meta"]["metrics"]["history"]
    assert hist[-1]["loss"] < 0.8 * hist[0]["loss"]
    # item i is always followed by i+1: random HR@10 over 60 items is 10/60 = 0.17
    assert ckpt["meta"]["metrics"]["validation"]["HR@10"] >= 0.5
    assert ckpt["config"]["d"] == 32  # the checkpoint carries its config


def test_manifest_sizes_and_ids(run):
    m = json.loads((run / "model" / "manifest.json").read_text())
    s = m["sizes"]
    assert (s["d"], s["dCard"], s["contentCard"], s["M"], s["L"], s["layers"], s["heads"]) == (32, 48, 16, 2, 10, 1, 2)
    assert (s["textDim"], s["imageDim"], s["attributeBuckets"], s["priceBuckets"], s["attributeTokens"]) == (384, 512, 100, 8, 3)
    assert s["idCount"] == len(m["idTable"]) and sorted(m["idTable"].values()) == list(range(1, s["idCount"] + 1))
    assert len(m["newItems"]) == 6 and not set(m["newItems"]) & set(m["idTable"])  # 10% held out as new
    assert s["idCount"] == 54  # every item seen in training has an ID embedding
    assert m["modalities"] == ["text", "image", "attributes", "price", "id"]
    keys = {p["key"] for p in m["prompts"]}
    assert {"task:next-item", "task:next-purchase", "task:similar", "task:category", "task:search", "task:explore"} <= keys
    assert set(m["tasks"]) == {"next-item", "next-purchase", "similar", "category", "search", "explore"}
    assert "paraphrase:search:1" in keys and not any(k.startswith("query") for k in keys)  # queries train, never ship
    assert m["eventTypes"] == {"padding": 0, "view": 1, "click": 2, "cart": 3, "purchase": 4}
    assert len(m["dataHashes"]["events"]) == 64 and len(m["dataHashes"]["items"]) == 64
    assert "HR@10" in m["metrics"]["test"] and m["trainingSeconds"] > 0
    assert m["metrics"]["validation"]["new"]["users"] > 0  # targets never seen in training, apart
    assert [i["name"] for i in m["onnx"]["user"]["inputs"]] == [
        "prompt", "prompt_mask", "history_cards", "history_events", "history_mask"]


def _dims(vi):
    return [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]


def test_onnx_graphs_pass_checker_with_dynamic_shapes(run):
    m = json.loads((run / "model" / "manifest.json").read_text())
    for graph in ("fusion", "user"):
        model = onnx.load(str(run / "model" / f"{graph}.onnx"))
        onnx.checker.check_model(model)
        assert model.opset_import[0].version <= 17
        spec = m["onnx"][graph]
        assert [(i.name, _dims(i)) for i in model.graph.input] == [(i["name"], i["shape"]) for i in spec["inputs"]]
        assert [(o.name, _dims(o)) for o in model.graph.output] == [(o["name"], o["shape"]) for o in spec["outputs"]]


def _op(node):
    return node.op_type, [a.SerializeToString() for a in node.attribute]


def test_dynamic_dims_are_not_baked_in(run, tmp_path):
    """Export again with other n, T, b, P, L: a graph that baked in an example size would differ."""
    ckpt = torch.load(run / "model" / "checkpoint.pt")
    model, s = load_model(ckpt), ckpt["sizes"]
    with torch.no_grad():
        _export(_FusionGraph(model), fusion_inputs(s, 5, n=7, seed=3), fusion_io(s, 5), str(tmp_path / "f.onnx"))
        _export(model.user, user_inputs(s, b=4, P=1, L=6, seed=3), user_io(s), str(tmp_path / "u.onnx"))
    for name, other in (("fusion", "f"), ("user", "u")):
        a = onnx.load(str(run / "model" / f"{name}.onnx")).graph
        b = onnx.load(str(tmp_path / f"{other}.onnx")).graph
        assert [_op(n) for n in a.node] == [_op(n) for n in b.node], name


def test_parity_fixture_matches_pytorch(run):
    ckpt = torch.load(run / "model" / "checkpoint.pt")
    model = load_model(ckpt)
    p = run / "model" / "parity"
    f = {n: torch.from_numpy(np.load(p / "fusion" / f"{n}.npy"))
         for n in ("text", "image", "image_mask", "attr_tokens", "price_bucket", "id_index")}
    with torch.no_grad():
        card = model.fusion(*f.values()).numpy()
    assert np.allclose(card, np.load(p / "fusion" / "card.npy"), atol=1e-6)
    # rows 0 and 4 have no ID (0, -1): they borrow one, and the graph says from whom
    lender = np.load(p / "fusion" / "lender.npy")
    assert lender.dtype == np.int64 and (lender[1:4] == 0).all() and (lender[[0, 4]] > 0).all()
    assert (lender == model.fusion.lenders(f["text"], f["id_index"]).numpy()).all()
    u = np.load(p / "user" / "user_vectors.npy")
    assert u.shape == (3, 2, 48) and np.load(p / "user" / "history_events.npy").dtype == np.int64


def test_sampled_softmax_trains(tmp_path):
    synth.write_features(str(tmp_path / "f"))
    synth.write_events(str(tmp_path / "e.csv"), n_users=10)
    cfg = Config.from_dict({**TINY, "epochs": 2, "loss": "sampled", "negatives": 16})
    ckpt = train(str(tmp_path / "f"), str(tmp_path / "e.csv"), str(tmp_path / "m"), cfg, log=lambda m: None)
    assert ckpt["meta"]["loss"] == "sampled" and np.isfinite(ckpt["meta"]["metrics"]["history"][-1]["loss"])


@pytest.mark.parametrize("threshold, dropout, content", [(1e9, 0.1, 64), (0.0, 0.0, 0)])
def test_auto_dropout_and_content_card_are_resolved_from_the_training_data_into_the_model(tmp_path, threshold, dropout, content):
    synth.write_features(str(tmp_path / "f"))
    synth.write_events(str(tmp_path / "e.csv"), n_users=10)
    cfg = Config.from_dict({**TINY, "epochs": 1, "dropout": "auto", "content_card": "auto", "sparse_events_per_item": threshold})
    ckpt = train(str(tmp_path / "f"), str(tmp_path / "e.csv"), str(tmp_path / "m"), cfg, log=lambda m: None)
    assert ckpt["sizes"]["dropout"] == dropout and ckpt["config"]["dropout"] == "auto"
    assert (ckpt["sizes"]["content_card"], ckpt["sizes"]["d_card"]) == (content, 32 + content)


def test_unused_modalities_stay_graph_inputs(tmp_path):
    from test_model import sizes
    from urm_train.model import URM
    s = sizes(modalities=["text", "id"]).to_dict()
    model = URM(sizes(modalities=["text", "id"])).eval()
    with torch.no_grad():
        _export(_FusionGraph(model), fusion_inputs(s, 2, n=3, seed=0), fusion_io(s, 2), str(tmp_path / "f.onnx"))
        x = fusion_inputs(s, 2, n=3, seed=0)
        a = model.fusion(*(torch.from_numpy(v) for v in x.values()))
        x["image"] = x["image"] + 1.0
        x["price_bucket"] = x["price_bucket"] * 0 + 1
        b = model.fusion(*(torch.from_numpy(v) for v in x.values()))
    assert torch.equal(a, b)  # unused modalities do not change the card
    names = [i.name for i in onnx.load(str(tmp_path / "f.onnx")).graph.input]
    assert names == ["text", "image", "image_mask", "attr_tokens", "price_bucket", "id_index"]


def test_served_cooccurrence_term_is_in_the_package_with_its_figures(run):
    """Item i is always followed by i+1 in the synthetic events, so co-occurrence helps there and gets a
    weight; the package holds the table and the figures with and without it."""
    m = json.loads((run / "model" / "manifest.json").read_text())
    c = m["cooccurrence"]
    assert c["weight"] > 0 and c["recent"] == 3
    # similar is served with the term only where its validation NDCG@10 says it helps
    metrics = torch.load(run / "model" / "checkpoint.pt")["meta"]["metrics"]
    similar, explore = metrics["similar_validation_ndcg10"], metrics["explore_validation_ndcg10"]
    assert c["tasks"] == ["next-item", "next-purchase"] + (["similar"] if similar["served"] > similar["alone"] else []) \
        + (["explore"] if explore["served"] > explore["alone"] else [])
    raw = (run / "model" / c["file"]).read_bytes()
    rows, pairs = np.frombuffer(raw[8:16], "<i4")
    assert raw[:4] == b"URMC" and rows == m["sizes"]["idCount"] + 1 and pairs == c["pairs"] > 0
    assert m["metrics"]["modelAlone"]["validation"]["users"] == m["metrics"]["validation"]["users"]
    assert m["metrics"]["validation"]["NDCG@10"] >= m["metrics"]["modelAlone"]["validation"]["NDCG@10"]


def test_search_text_term_is_weighted_on_held_out_queries_and_in_the_manifest(run):
    """The held-out items' typed queries lie near their items' text and their prompt pieces say nothing,
    so without a history the text term finds the target where the model cannot: it gets a weight, chosen
    on validation users whose target has a held-out query, and the manifest says it with the figures.
    With a history the planted walk already names the target, so that weight may well be 0."""
    m = json.loads((run / "model" / "manifest.json").read_text())
    s = m["search"]
    assert s["textModel"] == "all-MiniLM-L6-v2" and s["validation"]["users"] > 0
    assert "search.textWeight" in m["scoring"] and "textWeightWithoutHistory" in m["scoring"]
    by_weight, alone = s["validation"]["ndcg10ByWeight"], s["validation"]["ndcg10ByWeightWithoutHistory"]
    prior = s.get("popularity")
    if prior is None:   # the prior helped in neither case: the text weights are the best without it
        assert by_weight[f"{s['textWeight']:g}"] == max(by_weight.values())
        assert not (run / "model" / "popularity.bin").exists()
    else:               # the chosen pair is the best of the grid, which holds the no-prior figures too
        for weights, w, b in ((prior["validation"]["ndcg10ByWeights"], s["textWeight"], prior["weight"]),
                              (prior["validation"]["ndcg10ByWeightsWithoutHistory"], s["textWeightWithoutHistory"],
                               prior["weightWithoutHistory"])):
            assert weights[f"{w:g}/{b:g}"] == max(weights.values())
        assert {k: v for k, v in prior["validation"]["ndcg10ByWeights"].items() if k.endswith("/0")} \
            == {f"{w}/0": v for w, v in by_weight.items()}
        raw = (run / "model" / "popularity.bin").read_bytes()
        rows = int(np.frombuffer(raw[8:12], "<i4")[0])
        counts = np.frombuffer(raw[12:], "<f4")
        assert raw[:4] == b"URMP" and rows == m["sizes"]["idCount"] + 1 == len(counts) and counts[0] == 0
        assert "search.popularity.weight" in m["scoring"]
    # without a history the text term finds what the model alone cannot
    assert s["textWeightWithoutHistory"] > 0 and max(alone.values()) > alone["0"]
    # the query map ships only where validation says it beats the query as typed, and then as query_map.bin
    qmap = s.get("queryMap")
    if qmap is None:
        assert not (run / "model" / "query_map.bin").exists()
    else:
        v = qmap["validation"]
        assert sum(v["ndcg10"].values()) > sum(v["unmappedNdcg10"].values()) and "search.queryMap" in m["scoring"]
        raw = (run / "model" / "query_map.bin").read_bytes()
        assert raw[:4] == b"URMQ" and list(np.frombuffer(raw[4:16], "<i4")) == [1, 384, 384] and len(raw) == 16 + 384 * 384 * 4


def test_search_weights_prefer_the_smaller_on_a_tie_and_the_prior_is_a_logarithm():
    from urm_train import search_text
    assert search_text.best({(0.0, 0.0): 0.5, (4.0, 0.0): 0.7, (4.0, 0.08): 0.7, (8.0, 0.0): 0.7}) == (4.0, 0.0)
    assert np.allclose(search_text.log_popularity(np.array([0, 1, 9])), [0.0, np.log(2), np.log(10)])


def test_the_query_map_learns_what_the_frozen_cosine_misses_and_generalises_to_held_out_items():
    """Queries that see their item's text through a planted distortion (a few directions carry the item,
    the rest is noise of the query maker): the raw cosine finds few; a map fitted on other items' queries
    finds most of the held-out items' own."""
    from urm_train import search_text
    g = np.random.default_rng(0)
    n, d = 300, 24
    text = g.standard_normal((n, d)).astype(np.float32)
    text = search_text.quantized(text / np.linalg.norm(text, axis=1, keepdims=True))
    keep = np.zeros(d, np.float32)
    keep[:6] = 1.0                                                    # the query keeps 6 directions of the item

    def queries(items):
        q = text[items] * keep + 0.9 * g.standard_normal((len(items), d)).astype(np.float32) * (1 - keep) / np.sqrt(d - 6) * 4
        return (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)

    trained, held = np.repeat(np.arange(250), 4), np.arange(250, 300)
    with torch.no_grad():                                              # as the finish calls it
        a = search_text.fit_query_map(queries(trained), trained, text, epochs=30, decay=1e-4, lr=1e-2, batch=100)

    def hr10(q, items):
        s = q @ text.T
        return float(((s > s[np.arange(len(items)), items][:, None]).sum(1) < 10).mean())
    probe = queries(held)
    raw, mapped = hr10(probe, held), hr10(search_text.map_queries(probe, a), held)
    assert mapped > raw + 0.2, (raw, mapped)
    assert np.allclose(np.linalg.norm(search_text.map_queries(probe, a), axis=1), 1.0, atol=1e-5)
    assert not search_text.map_queries(np.zeros((1, d), np.float32), a).any()   # an item without a probe stays 0
    assert search_text.map_queries(probe, None) is probe


def test_query_map_file_is_refused_unless_square_in_the_text_dimension(tmp_path):
    from urm_train.export import write_query_map
    figures = {"text_alone_ndcg10": 0.6, "ndcg10": {"withHistory": 0.7, "withoutHistory": 0.6},
               "unmapped_ndcg10": {"withHistory": 0.69, "withoutHistory": 0.58}}
    a = np.arange(9, dtype=np.float32).reshape(3, 3)
    section = write_query_map({"matrix": a, **figures}, 3, str(tmp_path / "query_map.bin"))
    raw = (tmp_path / "query_map.bin").read_bytes()
    assert raw[:4] == b"URMQ" and list(np.frombuffer(raw[4:16], "<i4")) == [1, 3, 3]
    assert list(np.frombuffer(raw[16:], "<f4")) == list(range(9)) and section["file"] == "query_map.bin"
    assert len(section["sha256"]) == 64 and section["validation"]["unmappedNdcg10"]["withoutHistory"] == 0.58
    for bad in (np.eye(4, dtype=np.float32), np.full((3, 3), np.nan, np.float32)):
        with pytest.raises(ValueError):
            write_query_map({"matrix": bad, **figures}, 3, str(tmp_path / "q.bin"))


def test_popularity_file_is_refused_unless_it_has_a_row_per_id_and_row_0_empty(tmp_path):
    from urm_train.export import write_popularity
    prior = {"counts": np.array([0, 3, 1], np.float32), "weight": 0.04, "weight_without_history": 0.32,
             "ndcg10": {}, "ndcg10_without_history": {}}
    section = write_popularity(prior, 2, str(tmp_path / "popularity.bin"))
    raw = (tmp_path / "popularity.bin").read_bytes()
    assert raw[:4] == b"URMP" and list(np.frombuffer(raw[4:12], "<i4")) == [1, 3]
    assert list(np.frombuffer(raw[12:], "<f4")) == [0, 3, 1] and len(raw) == 12 + 3 * 4
    assert section["weight"] == 0.04 and section["weightWithoutHistory"] == 0.32 and len(section["sha256"]) == 64
    for bad, id_count in (([0, 3], 2), ([1, 3, 1], 2), ([0, -1, 1], 2)):
        with pytest.raises(ValueError):
            write_popularity({**prior, "counts": np.array(bad, np.float32)}, id_count, str(tmp_path / "p.bin"))


def test_held_out_queries_are_never_trained_on(tmp_path):
    from urm_train.config import Config as C
    from urm_train.train import prepare
    synth.write_features(str(tmp_path / "f"), queries=True)
    synth.write_events(str(tmp_path / "e.csv"))
    p = prepare(str(tmp_path / "f"), str(tmp_path / "e.csv"), C(**TINY), log=lambda *_: None)
    query_row, typed = p.search_probes
    probed = np.nonzero(query_row >= 0)[0]
    assert list(probed) == [i for i in range(60) if i % 10 == 0]
    # training draws queries from query_offsets' rows only, which hold none of the probes' rows
    trained_rows = set(p.data.query_rows.tolist())
    assert not trained_rows & set(query_row[probed].tolist())
    assert np.allclose(np.linalg.norm(typed[probed], axis=1), 1.0, atol=1e-5)


def test_causal_encoder_learns_the_planted_pattern_and_exports(tmp_path):
    synth.write_features(str(tmp_path / "f"))
    synth.write_events(str(tmp_path / "e.csv"))
    (tmp_path / "c.json").write_text(json.dumps({**TINY, "encoder": "causal", "batch": 16}))
    assert main(["train", "--features", str(tmp_path / "f"), "--events", str(tmp_path / "e.csv"),
                 "--out", str(tmp_path / "m"), "--config", str(tmp_path / "c.json")]) == 0
    ckpt = torch.load(tmp_path / "m" / "checkpoint.pt")
    figures = ckpt["meta"]["metrics"]
    assert ckpt["sizes"]["causal"] and figures.get("model_alone", figures)["validation"]["HR@10"] >= 0.5
    onnx.checker.check_model(onnx.load(str(tmp_path / "m" / "user.onnx")))
    u = load_model(ckpt).user(*(torch.from_numpy(np.load(tmp_path / "m" / "parity" / "user" / f"{n}.npy"))
                                for n in ("prompt", "prompt_mask", "history_cards", "history_events", "history_mask")))
    assert np.allclose(u.detach().numpy(), np.load(tmp_path / "m" / "parity" / "user" / "user_vectors.npy"), atol=1e-5)


def test_content_card_part_is_built_from_content_alone_and_exports(tmp_path):
    """content_card: the card's last values come from content alone, so an item never seen in training
    gets that part exactly as it would with an ID; the package serves d_card + content_card values."""
    synth.write_features(str(tmp_path / "f"))
    synth.write_events(str(tmp_path / "e.csv"))
    (tmp_path / "c.json").write_text(json.dumps({**TINY, "epochs": 3}))
    assert main(["train", "--features", str(tmp_path / "f"), "--events", str(tmp_path / "e.csv"),
                 "--out", str(tmp_path / "m"), "--config", str(tmp_path / "c.json")]) == 0
    m = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert (m["sizes"]["dCard"], m["sizes"]["contentCard"]) == (48, 16)
    ckpt = torch.load(tmp_path / "m" / "checkpoint.pt")
    model = load_model(ckpt)
    p = tmp_path / "m" / "parity" / "fusion"
    f = {n: torch.from_numpy(np.load(p / f"{n}.npy"))
         for n in ("text", "image", "image_mask", "attr_tokens", "price_bucket", "id_index")}
    card = np.load(p / "card.npy")
    assert card.shape[1] == 48 and np.allclose(np.linalg.norm(card, axis=1), 1.0, atol=1e-5)
    with torch.no_grad():
        assert np.allclose(model.fusion(*f.values()).numpy(), card, atol=1e-6)   # fusion.onnx's own figures
        other = model.fusion(*dict(f, id_index=torch.where(f["id_index"] > 0, 1, 2)).values()).numpy()
    assert np.allclose(other[:, 32:], card[:, 32:], atol=1e-6)        # another ID: same content part
    assert not np.allclose(other[:, :32], card[:, :32], atol=1e-3)    # the fused part reads the ID


def test_search_rows_get_the_served_text_term_with_their_own_weight(tmp_path):
    """Each search row's logits get w * <typed query, item text>, w by whether the row reads a history;
    the other rows get nothing; features written before queries_typed.npy say what to do."""
    from urm_train.config import Config as C
    from urm_train.names import SEARCH
    from urm_train.train import batch_loss, prepare
    synth.write_features(str(tmp_path / "f"), queries=True)
    synth.write_events(str(tmp_path / "e.csv"))
    cfg = C(**{**TINY, "search_text_weight": 2.0, "search_text_weight_without_history": 16.0})
    p = prepare(str(tmp_path / "f"), str(tmp_path / "e.csv"), cfg, log=lambda *_: None)
    term = p.search_text
    assert term is not None and term.typed.shape[0] == len(p.data.query_rows)
    rows = [p.data.val[i] for i in range(6)]
    search = {k: torch.from_numpy(v) for k, v in p.data.eval_batch(rows, SEARCH).items()}
    q = torch.from_numpy(p.data.query_rows[:6])                             # six training queries' prompt rows
    search["prompt_idx"] = torch.cat([search["prompt_idx"], q.view(-1, 1)], dim=1)
    search["hist_mask"][3:] = 0                                              # the last three read no history
    found, added = term.rows(search)
    assert found.tolist() == list(range(6)) and added.shape == (6, 60)
    typed = term.typed[q - term.first_row]
    expected = typed @ term.item_text.T
    assert torch.allclose(added[:3], 2.0 * expected[:3]) and torch.allclose(added[3:], 16.0 * expected[3:])
    category = dict(search, prompt_idx=torch.cat([search["prompt_idx"][:, :1], search["prompt_idx"][:, :1]], dim=1))
    assert term.rows(category) is None                                       # a prompt piece is no query
    model = URM(dataclasses.replace(p.sizes, attribute_buckets=len(p.attr_used) + 1, attribute_table=0))
    g = p.data.epoch_batches(np.random.default_rng(0))[0]
    cfg = dataclasses.replace(cfg, aux_share=1.0, task_weights={t: float(t == SEARCH) for t in cfg.task_weights})
    p.data.cfg = cfg                                                          # every sample also a search row
    with_term = batch_loss(model, p.data, p.items, p.prompt_table, g, np.random.default_rng(1), cfg, "full", None, term)
    without = batch_loss(model, p.data, p.items, p.prompt_table, g, np.random.default_rng(1), cfg, "full", None, None)
    assert torch.isfinite(with_term) and float(with_term) != float(without)
    os.remove(tmp_path / "f" / "queries_typed.npy")
    with pytest.raises(ValueError, match="queries_typed.npy"):
        prepare(str(tmp_path / "f"), str(tmp_path / "e.csv"), cfg, log=lambda *_: None)
