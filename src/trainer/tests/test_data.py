import numpy as np
import pytest

import synth
from urm_train.config import Config
from urm_train.data import SequenceData, load_features, load_queries, parse_timestamp, read_events
from urm_train.names import EVENT_IDS, NO_TASK, TASK_CODE, TASKS, TaskCode
from urm_train.train import prepare


def test_timestamps_iso_and_unix():
    assert parse_timestamp("1700000000") == 1_700_000_000.0
    assert parse_timestamp(1700000000) == 1_700_000_000.0
    assert parse_timestamp("2023-11-14T22:13:20Z") == 1_700_000_000.0
    assert parse_timestamp("2023-11-14T23:13:20+01:00") == 1_700_000_000.0


def test_events_sorted_stably_and_unknown_items_dropped(tmp_path):
    ids = synth.write_features(str(tmp_path / "f"), n_items=6, prompts=False)
    ev = tmp_path / "e.jsonl"
    ev.write_text("\n".join([
        '{"user_id": "a", "item_id": "sku-3", "event": "view", "timestamp": "2026-01-01T00:00:10Z"}',
        '{"user_id": "a", "item_id": "sku-1", "event": "cart", "timestamp": "2026-01-01T00:00:00Z"}',
        '{"user_id": "a", "item_id": "sku-2", "event": "purchase", "timestamp": 1767225600}',
        '{"user_id": "a", "item_id": "gone", "event": "view", "timestamp": 1767225601}',
        '{"user_id": "b", "item_id": "sku-5", "event": "smell", "timestamp": 1}',
    ]) + "\n")
    feats = load_features(str(tmp_path / "f"))
    e = read_events(str(ev), {i: k for k, i in enumerate(ids)})
    assert e.users == ["a"] and e.dropped_unknown_item == 1 and e.dropped_bad_event == 1
    # sku-1 and sku-2 share a timestamp: file order kept (sku-1 first)
    assert e.items[0].tolist() == [1, 2, 3] and e.events[0].tolist() == [3, 4, 1]
    assert feats.attr_tokens.shape == (6, 3) and feats.price_bucket[0] == -1


def test_leave_one_out_and_prefix_samples(tmp_path):
    synth.write_features(str(tmp_path / "f"))
    synth.write_events(str(tmp_path / "e.csv"), n_users=5)
    cfg = Config(L=4, targets=2, aux_share=0.0)
    p = prepare(str(tmp_path / "f"), str(tmp_path / "e.csv"), cfg, log=lambda m: None)
    d = p.data
    hist, hev, target = d.val[0]
    test_hist, _, test_target = d.test[0]
    assert len(test_hist) == len(hist) + 1 and test_target == (target + 1) % 60  # planted walk
    n_train = sum(len(i) - 2 for i in p.events.items)
    assert len(d.samples) == n_train - 5  # every prefix with a non-empty history
    b = d.train_batch(d.samples[:3], np.random.default_rng(0))
    # histories of 1, 2, 3 items: right-aligned, left padding, all-padding columns trimmed (L=4 -> 3)
    assert b["hist_items"].shape == (3, 3) and b["targets"].shape == (3, 2)
    assert b["hist_items"][0].tolist()[:2] == [-1, -1] and b["hist_mask"].sum(1).tolist() == [1, 2, 3]
    assert b["weights"].tolist() == [1.0, 1.0, 1.0] and (b["prompt_idx"][:, 0] == d.task_rows["next-item"]).all()
    batches = d.epoch_batches(np.random.default_rng(0))
    assert sorted(np.concatenate(batches).tolist()) == sorted(d.samples.tolist())
    assert b["targets"][0, 0] == (b["hist_items"][0, -1] + 1) % 60


def test_missing_prompt_keys_fail_with_the_list(tmp_path):
    synth.write_features(str(tmp_path / "f"), drop_keys=("task:similar", "category:Beauty>Hair"))
    synth.write_events(str(tmp_path / "e.csv"), n_users=5)
    with pytest.raises(ValueError) as err:
        prepare(str(tmp_path / "f"), str(tmp_path / "e.csv"), Config(), log=lambda m: None)
    assert "task:similar" in str(err.value) and "category:Beauty>Hair" in str(err.value)
    assert "task:next-item" not in str(err.value)


def test_events_without_required_columns_are_rejected(tmp_path):
    ev = tmp_path / "e.csv"
    ev.write_text("user,item_id,event,timestamp\nu1,sku-1,view,1\n")
    with pytest.raises(ValueError, match="lacks user_id"):
        read_events(str(ev), {"sku-1": 0})


def test_auxiliary_tasks_come_on_top_of_next_item(tmp_path):
    synth.write_features(str(tmp_path / "f"))
    synth.write_events(str(tmp_path / "e.csv"), n_users=6)
    p = prepare(str(tmp_path / "f"), str(tmp_path / "e.csv"), Config(L=5, targets=3, aux_share=0.5, aux_weight=0.25),
                log=lambda m: None)
    d, rng = p.data, np.random.default_rng(0)
    g = d.samples[d.next_purchase[d.samples] >= 0][2:8]
    b = d.train_batch(g, rng)
    n, first = len(g), b["targets"][:, 0]
    # every sample trains next-item first, weight 1; then the auxiliary copies, weight aux_weight
    assert (b["prompt_idx"][:n, 0] == d.task_rows["next-item"]).all() and (b["weights"][:n] == 1.0).all()
    assert len(b["weights"]) > n and (b["weights"][n:] == 0.25).all()
    assert (first[:n] == d.flat_items[g]).all()
    cat_rows = set(d.category_rows.values())
    # each task's rows, forced through aux_tasks
    for code in (TaskCode.NEXT_PURCHASE, TaskCode.SIMILAR, TaskCode.CATEGORY):
        d.aux_tasks = lambda gg, r, share=None, c=code: np.full(len(gg), c, np.int64)
        b = d.train_batch(g, rng)
        aux, first = slice(n, None), b["targets"][n:, 0]
        assert (first >= 0).all()
        if code == TaskCode.NEXT_PURCHASE:   # the next purchase
            assert (d.flat_events[d.next_purchase[g]] == EVENT_IDS["purchase"]).all() and (first == d.flat_items[d.next_purchase[g]]).all()
        if code == TaskCode.SIMILAR:   # the anchor alone; a target near it
            assert (b["hist_mask"][aux].sum(1) == 1).all() and (b["targets"][aux, 1:] == -1).all()
            gap = (first - b["hist_items"][aux, -1]) % 60  # planted walk: position gap = item gap
            assert ((gap >= 1) & (gap <= 3) | (gap >= 57)).all()
        if code == TaskCode.CATEGORY:   # the prompt names the next item's category; targets stay in it
            assert (b["prompt_idx"][aux, 0] == d.task_rows["category"]).all()
            assert set(b["prompt_idx"][aux, 1].tolist()) <= cat_rows
            cats = p.feats.category[np.where(b["targets"][aux] >= 0, b["targets"][aux], first[:, None])]
            assert (cats == cats[:, :1]).all()
    del d.aux_tasks
    drawn = d.aux_tasks(d.samples, rng)
    # no queries in this features directory: search is not trained
    assert set(drawn.tolist()) == {NO_TASK, TaskCode.NEXT_PURCHASE, TaskCode.SIMILAR, TaskCode.CATEGORY, TaskCode.EXPLORE}
    assert 0.4 < (drawn != NO_TASK).mean() < 0.6 and "search" not in p.tasks


def _forced(d, code):
    d.aux_tasks = lambda gg, r, share=None, c=code: np.full(len(gg), c, np.int64)


def test_search_rows_read_a_query_of_their_target_with_and_without_history(tmp_path):
    synth.write_features(str(tmp_path / "f"), queries=True)
    synth.write_events(str(tmp_path / "e.csv"), n_users=30)
    p = prepare(str(tmp_path / "f"), str(tmp_path / "e.csv"), Config(L=5, targets=3, aux_share=0.5, paraphrase_share=0),
                log=lambda m: None)
    d, rng = p.data, np.random.default_rng(0)
    assert "search" in p.tasks
    queries = load_queries(str(tmp_path / "f"), {iid: i for i, iid in enumerate(p.feats.ids)})
    g = d.samples[:200]
    has = d.flat_items[g] % 10 != 0                      # every 10th item's queries are held out
    # aux_tasks never draws search for an item without queries
    d.aux_tasks = lambda gg, r, share=None: SequenceData.aux_tasks(d, gg, r, 1.0)
    d.cfg.task_weights = {"search": 1.0}
    drawn = d.aux_tasks(g, rng)
    assert (drawn[~has] == NO_TASK).all() and (drawn[has] == TaskCode.SEARCH).all()
    _forced(d, TaskCode.SEARCH)
    g = g[has]
    b = d.train_batch(g, rng, next_item=False)
    assert (b["targets"][:, 0] == d.flat_items[g]).all() and (b["targets"][:, 1:] == -1).all()
    query_item = queries.item[b["prompt_idx"][:, 1] - len(p.prompts.keys)]
    assert (query_item == d.flat_items[g]).all() and (b["prompt_idx"][:, 0] == d.task_rows["search"]).all()
    alone = b["hist_mask"].sum(1) == 0
    assert 0.3 < alone.mean() < 0.7                        # search_without_history 0.5
    # the pieces, the trained queries, then the held-out items' evaluation queries (never drawn above)
    probes = int((p.search_probes[0] >= 0).sum())
    assert probes == 6 and p.prompt_table.shape[0] == len(p.prompts.keys) + len(queries.texts) + probes
    assert (b["prompt_idx"][:, 1] < len(p.prompts.keys) + len(queries.texts)).all()


def test_explore_targets_the_first_item_in_a_category_the_history_lacks(tmp_path):
    synth.write_features(str(tmp_path / "f"), queries=True)
    synth.write_events(str(tmp_path / "e.csv"), n_users=6)
    p = prepare(str(tmp_path / "f"), str(tmp_path / "e.csv"), Config(L=5, aux_share=0.5, paraphrase_share=0), log=lambda m: None)
    d, rng = p.data, np.random.default_rng(0)
    _forced(d, TaskCode.EXPLORE)
    # the planted walk cycles three categories: after one or two history items the next item is in a
    # category the history lacks; after three every category has been seen and no row is made
    starts = np.unique(d.start_of)
    for offset, made in ((1, True), (2, True), (3, False), (4, False)):
        g = starts + offset
        b = d.train_batch(g, rng, next_item=False)
        if made:
            assert len(b["targets"]) == len(g) and (b["targets"][:, 0] == d.flat_items[g]).all()
            assert (b["prompt_idx"][:, 0] == d.task_rows["explore"]).all()
        else:
            assert len(b["targets"]) == 0


def test_paraphrases_replace_the_instruction_on_their_share(tmp_path):
    synth.write_features(str(tmp_path / "f"), queries=True)
    synth.write_events(str(tmp_path / "e.csv"), n_users=30)
    p = prepare(str(tmp_path / "f"), str(tmp_path / "e.csv"), Config(L=5, aux_share=0.5, paraphrase_share=0.5), log=lambda m: None)
    d, rng = p.data, np.random.default_rng(0)
    rows = {k: i for i, k in enumerate(p.prompts.keys)}
    wordings = {rows[f"paraphrase:next-item:{i}"] for i in range(2)}
    g = d.samples
    b = d.train_batch(g, rng)
    first = b["prompt_idx"][:len(g), 0]
    swapped = np.isin(first, list(wordings))
    assert set(first[~swapped].tolist()) == {d.task_rows["next-item"]} and 0.4 < swapped.mean() < 0.6


def test_task_codes_follow_the_task_list():
    # a batch row's code is its task's position in TASKS, and each code is named after its task
    assert [int(TASK_CODE[t]) for t in TASKS] == list(range(len(TASKS))) == [int(c) for c in TaskCode]
    assert [TASK_CODE[t].name for t in TASKS] == [t.upper().replace("-", "_") for t in TASKS]
    assert NO_TASK not in set(TaskCode)


def test_causal_windows_train_every_target_once_with_enough_history(tmp_path):
    synth.write_features(str(tmp_path / "f"))
    synth.write_events(str(tmp_path / "e.csv"), n_users=12)
    cfg = Config(L=4, encoder="causal", aux_share=0.0)
    d = prepare(str(tmp_path / "f"), str(tmp_path / "e.csv"), cfg, log=lambda m: None).data
    windows = d.causal_windows()
    trained = np.zeros(len(d.flat_items), int)
    for first, lo, end in windows:
        assert end - 1 - first <= cfg.L and first <= lo < end
        b = d.causal_batch(np.array([[first, lo, end]]))
        hist = b["hist_items"][0]
        assert hist[b["hist_mask"][0] > 0].tolist() == d.flat_items[first:end - 1].tolist()
        t = b["targets"][0]
        # column 0 is read at the prompt (the part's first item), column 1 + j after slot j
        want = [d.flat_items[first] if lo == first else -1] + [-1] * (len(hist) - (end - 1 - first)) \
            + [d.flat_items[p + 1] if p + 1 >= lo else -1 for p in range(first, end - 1)]
        assert t.tolist() == want
        for p in range(lo, end):
            trained[p] += 1
            assert p - first >= cfg.L // 2 or first == d.start_of[p]   # enough history, or all there is
    assert (trained == 1).all()   # every training item is a target exactly once per epoch
    batches = d.causal_epoch_batches(windows, np.random.default_rng(0))
    assert sorted(map(tuple, np.concatenate(batches).tolist())) == sorted(map(tuple, windows.tolist()))


def test_explore_denies_the_items_under_the_historys_categories(tmp_path):
    from urm_train.evaluate import explore_denied
    synth.write_features(str(tmp_path / "f"), queries=True)
    synth.write_events(str(tmp_path / "e.csv"), n_users=6)
    p = prepare(str(tmp_path / "f"), str(tmp_path / "e.csv"), Config(L=5), log=lambda m: None)
    # items cycle Skin, Hair, Nails: a history of items 0 and 1 denies every Skin and Hair item, never Nails
    denied = explore_denied(p.data, [0, 1])
    assert denied.tolist() == [i % 3 != 2 for i in range(p.feats.n)]
    assert not explore_denied(p.data, []).any()
