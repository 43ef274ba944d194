"""The served co-occurrence term: counts, the boost, the package file."""
import json

import numpy as np
import torch

from urm_train import cooccurrence
from urm_train.export import write_cooccurrence


def flat(*users):
    """Training parts -> flat_items, start_of, end_of as SequenceData holds them."""
    items = np.concatenate([np.array(u, np.int64) for u in users])
    lengths = np.array([len(u) for u in users])
    start = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return items, np.repeat(start, lengths), np.repeat(start + lengths, lengths)


def table(c):
    return {(a, int(b)): float(x) for a in range(len(c.offsets) - 1)
            for b, x in zip(c.neighbours[c.offsets[a]:c.offsets[a + 1]], c.counts[c.offsets[a]:c.offsets[a + 1]])}


def test_counts_pairs_within_the_window_both_ways_and_never_across_users():
    c = cooccurrence.build(*flat([0, 1, 2, 3], [3, 3, 4]), n=6, window=2, recent=3, per_item=100)
    t = table(c)
    assert t[(0, 1)] == t[(1, 0)] == 1 and t[(0, 2)] == 1 and (0, 3) not in t      # 3 is 3 steps after 0
    assert t[(3, 4)] == 2 and (3, 3) not in t                                        # never with itself
    assert (2, 4) not in t and (4, 2) not in t                                       # 2 and 4 are other users'
    assert set(t) <= {(a, b) for a in range(6) for b in range(6)} and 5 not in np.asarray(c.neighbours)


def test_each_item_keeps_its_most_frequent_neighbours():
    c = cooccurrence.build(*flat([0, 1], [0, 1], [0, 2], [0, 3], [1, 3]), n=4, window=1, recent=1, per_item=1)
    assert table(c) == {(0, 1): 2.0, (1, 0): 2.0, (2, 0): 1.0, (3, 0): 1.0}


def test_boost_weighs_the_newest_history_item_most():
    c = cooccurrence.build(*flat([0, 1], [2, 1]), n=4, window=1, recent=2, per_item=10)
    c.weight = 0.5
    s = c.sums([[0, 2], [2]], 4)
    assert np.allclose(s[0], [0, 1 + 1 / 2, 0, 0])                 # item 1 next to 2 (r = 0) and to 0 (r = 1)
    assert np.allclose(s[1], [0, 1, 0, 0])
    assert torch.allclose(c.boosts([[0, 2]], 4)[0], torch.tensor([0, 0.5 * np.log(2.5), 0, 0], dtype=torch.float32))


def test_package_file_is_keyed_by_id_table_rows(tmp_path):
    c = cooccurrence.build(*flat([3, 1, 3]), n=4, window=1, recent=1, per_item=10)
    c.weight = 0.1
    id_index = np.array([0, 2, 0, 1])                               # catalog rows 3 and 1 have IDs 1 and 2
    ckpt = {"cooccurrence": c.served(id_index, 2, ["next-item"]), "sizes": {"id_count": 2}}
    section = write_cooccurrence(ckpt, str(tmp_path))
    raw = (tmp_path / "cooccurrence.bin").read_bytes()
    assert raw[:4] == b"URMC"
    version, rows, pairs = np.frombuffer(raw[4:16], "<i4")
    offsets = np.frombuffer(raw[16:16 + 4 * (rows + 1)], "<i4")
    body = 16 + 4 * (rows + 1)
    neighbours = np.frombuffer(raw[body:body + 4 * pairs], "<i4")
    counts = np.frombuffer(raw[body + 4 * pairs:], "<f4")
    assert (version, rows, pairs) == (1, 3, 2) and list(offsets) == [0, 0, 1, 2]
    assert list(neighbours) == [2, 1] and list(counts) == [2.0, 2.0]   # the pair 3-1 twice, as ID rows
    assert section["weight"] == 0.1 and section["pairs"] == 2 and section["tasks"] == ["next-item"]
    assert len(section["sha256"]) == 64 and section["file"] == "cooccurrence.bin"
    assert write_cooccurrence({"cooccurrence": None}, str(tmp_path)) is None    # a model without one
    assert not (tmp_path / "cooccurrence.bin").exists()                          # leaves no stale table


def test_an_item_with_a_lender_is_its_lender_as_candidate_and_as_history_item():
    """Item 3 is new since training and borrowed item 1's ID embedding: it gets item 1's S, and in a
    history it lifts what item 1 would lift (item 0)."""
    c = cooccurrence.build(*flat([0, 1], [2, 1]), n=4, window=1, recent=2, per_item=10)
    plain = c.sums([[0], [3]], 4)
    assert plain[0, 3] == 0 and not plain[1].any()                  # no events: nothing either way
    c.lender = np.array([-1, -1, -1, 1])
    s = c.sums([[0], [3]], 4)
    assert np.allclose(s[0], [0, 1, 0, 1])                          # 3 scored as 1, next to 0
    assert np.allclose(s[1], [1, 0, 1, 0])                          # history [3] read as [1]
