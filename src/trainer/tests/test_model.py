import math

import torch

from urm_train.model import URM, Sizes, full_softmax_loss, score_items


def sizes(**kw):
    base = dict(d=16, d_card=8, layers=1, heads=2, M=3, L=6, dropout=0.0, logit_scale_init=20.0, text_dim=384,
                image_dim=512, attribute_buckets=50, price_buckets=4, id_count=5,
                modalities=["text", "image", "attributes", "price", "id"])
    base.update(kw)
    return Sizes(**base)


def items(n=4):
    g = torch.Generator().manual_seed(0)
    return {"text": torch.randn(n, 384, generator=g), "image": torch.randn(n, 512, generator=g),
            "image_mask": torch.tensor([1.0, 0.0, 1.0, 0.0])[:n], "attr_tokens": torch.tensor([[3, 4], [0, 0], [7, 0], [9, 9]])[:n],
            "price_bucket": torch.tensor([0, -1, 3, 2])[:n], "id_index": torch.tensor([1, 0, -1, 5])[:n]}


def test_masked_modalities_are_ignored_not_zero_filled():
    torch.manual_seed(0)
    m = URM(sizes()).eval()
    x = items()
    base = m.cards(x)
    assert base.shape == (4, 8) and torch.allclose(base.norm(dim=1), torch.ones(4))
    y = dict(x, image=x["image"] * 0 + 5.0)                  # changes only masked-out image rows matter
    changed = (m.cards(y) - base).abs().sum(1) > 1e-6
    assert changed.tolist() == [True, False, True, False]
    # no-ID items (0 and -1) are the same cold-start path
    z = dict(x, id_index=torch.tensor([1, 0, 0, 5]))
    assert torch.allclose(m.cards(z), base)


def test_padding_side_does_not_matter():
    torch.manual_seed(0)
    m = URM(sizes()).eval()
    cards = torch.nn.functional.normalize(torch.randn(1, 3, 8), dim=-1)
    prompt, pmask = torch.randn(1, 2, 384), torch.tensor([[1.0, 0.0]])
    pad = torch.zeros(1, 2, 8)
    left = m.user(prompt, pmask, torch.cat([pad, cards], 1), torch.tensor([[0, 0, 1, 2, 4]]),
                  torch.tensor([[0.0, 0, 1, 1, 1]]))
    right = m.user(prompt, pmask, torch.cat([cards, pad], 1), torch.tensor([[1, 2, 4, 0, 0]]),
                   torch.tensor([[1.0, 1, 1, 0, 0]]))
    assert left.shape == (1, 3, 8) and torch.allclose(left, right, atol=1e-5)


def test_logsumexp_of_scores_matches_autograd():
    from urm_train.model import _LogSumExpScores
    torch.manual_seed(0)
    q = torch.randn(7, 5, dtype=torch.double, requires_grad=True)
    c = torch.randn(11, 5, dtype=torch.double, requires_grad=True)
    g = torch.randn(7, dtype=torch.double)
    (_LogSumExpScores.apply(q, c) * g).sum().backward()
    mine = q.grad.clone(), c.grad.clone()
    q.grad = c.grad = None
    ref = torch.logsumexp(q @ c.T, dim=1)
    (ref * g).sum().backward()
    assert torch.allclose(_LogSumExpScores.apply(q, c), ref)
    assert torch.allclose(mine[0], q.grad) and torch.allclose(mine[1], c.grad)


def test_full_softmax_loss_and_scoring():
    torch.manual_seed(0)
    u = torch.nn.functional.normalize(torch.randn(2, 3, 8), dim=-1)
    c = torch.nn.functional.normalize(torch.randn(10, 8), dim=-1)
    t = torch.tensor([[1, 2], [4, -1]])
    full = full_softmax_loss(u, c, t, torch.tensor(20.0))
    # by hand: each target picks its best [UM] vector, then cross-entropy over all cards
    logits = 20.0 * torch.einsum("bmc,nc->bmn", u, c)
    terms = []
    for b, k in ((0, 0), (0, 1), (1, 0)):
        m = logits[b, :, t[b, k]].argmax()
        terms.append(torch.logsumexp(logits[b, m], 0) - logits[b, m, t[b, k]])
    assert torch.allclose(full, torch.stack(terms).mean(), atol=1e-5)
    # row weights: a weighted mean over the rows' targets
    w = torch.tensor([1.0, 3.0])
    rows = [full_softmax_loss(u[i:i + 1], c, t[i:i + 1], torch.tensor(20.0)) for i in range(2)]
    assert torch.allclose(full_softmax_loss(u, c, t, torch.tensor(20.0), w), (2 * rows[0] + 3 * rows[1]) / 5, atol=1e-5)
    # log weights count a card exp(a) times in the normaliser: a card given twice with log 1 = 0 is the same as once with log 2
    twice = full_softmax_loss(u, torch.cat([c, c[7:]]), t, torch.tensor(20.0))
    weighted = full_softmax_loss(u, c, t, torch.tensor(20.0), log_weights=torch.tensor([0.0] * 7 + [math.log(2.0)] * 3))
    assert torch.allclose(twice, weighted, atol=1e-5)
    s = score_items(u, c)
    assert torch.allclose(s[0], (u[0] @ c.T).max(0).values)


def test_items_absent_from_training_are_left_out_of_the_softmax():
    """A new item is never a target, so it must not be every sample's negative either: with the
    absent bias the loss and its gradient are those of a softmax over the present items alone, and
    the absent items' cards get no gradient at all."""
    import numpy as np
    from urm_train.train import absent_bias
    torch.manual_seed(0)
    u = torch.nn.functional.normalize(torch.randn(2, 3, 8), dim=-1)
    c = torch.nn.functional.normalize(torch.randn(10, 8), dim=-1).requires_grad_()
    t = torch.tensor([[1, 2], [4, -1]])
    bias = absent_bias(10, np.array([0, 1, 2, 4, 5, 6]))
    assert torch.isinf(bias[[3, 7, 8, 9]]).all() and (bias[[0, 1, 2, 4, 5, 6]] == 0).all()
    masked = full_softmax_loss(u, c, t, torch.tensor(20.0), log_weights=bias)
    masked.backward()
    keep = torch.tensor([0, 1, 2, 4, 5, 6])
    alone = full_softmax_loss(u, c.detach()[keep], torch.tensor([[1, 2], [3, -1]]), torch.tensor(20.0))
    assert torch.allclose(masked, alone, atol=1e-5)
    assert (c.grad[[3, 7, 8, 9]] == 0).all() and (c.grad[keep].abs().sum(-1) > 0).all()
    assert absent_bias(4, np.array([0, 1, 2, 3, 3])) is None  # every item present: nothing to add


def test_sampled_candidates_estimate_the_full_normaliser():
    import numpy as np
    from urm_train.train import sample_candidates
    rng = np.random.default_rng(0)
    in_batch = np.array([3, 7, 11])
    cand, log_w = sample_candidates(in_batch, 100, 20, rng)
    assert cand[:3].tolist() == [3, 7, 11] and len(cand) == 23 and len(set(cand.tolist())) == 23
    assert (log_w[:3] == 0).all() and np.allclose(log_w[3:], np.log(97 / 20))
    # the importance-weighted sum of exp(score) is an unbiased estimate of the full sum
    scores = rng.standard_normal(100)
    est = [np.sum(np.exp(scores[c] + w)) for c, w in (sample_candidates(in_batch, 100, 20, rng) for _ in range(4000))]
    assert abs(np.mean(est) / np.exp(scores).sum() - 1) < 0.01
    # few items left: every item is a candidate, weight 1 (the full softmax)
    cand, log_w = sample_candidates(np.array([3, 7]), 10, 20, rng)
    assert sorted(cand.tolist()) == list(range(10)) and (log_w == 0).all()


def test_an_item_without_an_id_borrows_the_ids_of_its_closest_texts():
    torch.manual_seed(0)
    m = URM(sizes()).eval()
    x = items()
    before = m.cards(x)
    lender_text = torch.stack([x["text"][0], x["text"][3], -x["text"][1]])
    m.fusion.set_neighbours(lender_text, torch.tensor([1, 5, 2]), k=2, temperature=0.01)
    after = m.cards(x)
    assert torch.equal(after[[0, 3]], before[[0, 3]])        # items with an ID are untouched
    assert not torch.allclose(after[[1, 2]], before[[1, 2]])  # items without one borrow
    # an item (ID -1) with lender 0's text borrows ID row 1: cosine 1 against far less, temperature 0.01
    twin = dict(x, text=x["text"].clone())
    twin["text"][2] = x["text"][0]
    by_hand = m.cards(dict(twin, id_index=torch.tensor([1, 0, 1, 5])))[2]
    assert torch.allclose(m.cards(twin)[2], by_hand, atol=1e-5)
    assert m.fusion.lenders(twin["text"], twin["id_index"])[[0, 2, 3]].tolist() == [0, 1, 0]  # the top lender's ID row
    # an item without text has nothing to compare: it keeps its content-only card
    blank = dict(x, text=torch.zeros_like(x["text"]))
    with_lenders = m.cards(blank)
    m.fusion.neighbour_text = None
    assert torch.equal(with_lenders, m.cards(blank))


def test_a_folded_attribute_table_maps_buckets_onto_its_rows_and_keeps_padding():
    torch.manual_seed(0)
    m = URM(sizes(attribute_buckets=1000, attribute_table=11)).eval()
    assert m.fusion.attr.weight.shape[0] == 11
    x = items()
    # bucket b and b + 10 share row ((b - 1) % 10) + 1; padding (0) is still ignored
    y = dict(x, attr_tokens=x["attr_tokens"] + torch.where(x["attr_tokens"] > 0, 10 * torch.ones_like(x["attr_tokens"]), x["attr_tokens"]))
    assert torch.allclose(m.cards(y), m.cards(x), atol=1e-6)
    z = dict(x, attr_tokens=torch.tensor([[999, 0], [0, 0], [7, 0], [9, 9]]))
    assert not torch.allclose(m.cards(z)[0], m.cards(x)[0])


def test_training_and_export_paths_give_the_same_cards():
    """Training sums attributes with EmbeddingBag; the traced (exported) graph uses a masked mean."""
    torch.manual_seed(0)
    m = URM(sizes()).eval()
    x = items()
    args = tuple(x[k] for k in ("text", "image", "image_mask", "attr_tokens", "price_bucket", "id_index"))
    with torch.no_grad():
        traced = torch.jit.trace(m.fusion, args)
        assert torch.allclose(traced(*args), m.fusion(*args), atol=1e-6)


def test_compact_attribute_table_expands_to_the_same_cards():
    import dataclasses
    from urm_train.train import compact_attributes, expand_attributes
    torch.manual_seed(0)
    x = items()
    tokens, used = compact_attributes(x["attr_tokens"].numpy())
    assert used.tolist() == [3, 4, 7, 9] and tokens.tolist() == [[1, 2], [0, 0], [3, 0], [4, 4]]
    small = URM(dataclasses.replace(sizes(), attribute_buckets=len(used) + 1)).eval()
    full = URM(sizes()).eval()
    full.load_state_dict(expand_attributes(small.state_dict(), used, 50))
    with torch.no_grad():
        assert torch.allclose(small.cards(dict(x, attr_tokens=torch.from_numpy(tokens))), full.cards(x), atol=1e-6)
        assert full.fusion.attr.weight[[0, 1, 2, 49]].abs().sum() == 0  # padding and unseen buckets: zero


def test_dropout_masks_are_bernoulli_and_off_in_eval():
    from urm_train.model import Dropout
    torch.manual_seed(0)
    drop = Dropout(0.3)
    y = drop(torch.ones(200, 100))
    assert abs((y == 0).float().mean().item() - 0.3) < 0.02 and torch.allclose(y[y > 0], torch.tensor(1 / 0.7))
    assert not torch.equal(y, drop(torch.ones(200, 100)))  # a new mask each call
    assert torch.equal(drop.eval()(torch.ones(3, 4)), torch.ones(3, 4))


def test_card_dropout_is_set_apart_from_the_encoders():
    torch.manual_seed(0)
    m = URM(sizes(dropout=0.3, card_dropout=0.0)).train()
    x = items()
    assert torch.equal(m.cards(x), m.cards(x))        # cards built without dropout while training
    assert m.user.drop.p == 0.3                        # the history tokens keep theirs
    old = URM(sizes(dropout=0.3)).train()              # checkpoints from before card_dropout: dropout
    assert old.fusion.drop.p == 0.3 and not torch.equal(old.cards(x), old.cards(x))


def test_attribute_bag_is_the_masked_mean_with_its_gradient():
    from urm_train.model import AttributeBag
    torch.manual_seed(0)
    tokens = torch.tensor([[3, 4, 4], [0, 0, 0], [7, 0, 0], [9, 1, 0]])
    w1 = torch.randn(10, 5, requires_grad=True)
    w2 = w1.detach().clone().requires_grad_(True)
    a = AttributeBag(tokens, 10)(w1)
    b = torch.nn.functional.embedding_bag(tokens, w2, mode="mean", padding_idx=0)
    assert torch.allclose(a, b, atol=1e-6)
    g = torch.randn(4, 5)
    (a * g).sum().backward()
    (b * g).sum().backward()
    assert torch.allclose(w1.grad, w2.grad, atol=1e-6)


def test_content_distillation_moves_only_the_content_path():
    """1 - cos(content-only card, full card) over the targets; the full card is held fixed, so the
    ID table gets no gradient from it and the content modalities do."""
    from urm_train.train import content_distillation
    torch.manual_seed(0)
    m = URM(sizes()).train()
    x = items()
    cards = m.cards(x)
    loss = content_distillation(m, x, cards, torch.tensor([[0, 3], [3, -1]]))
    assert 0.0 < loss.item() < 2.0
    loss.backward()
    assert m.fusion.id.weight.grad is None or m.fusion.id.weight.grad.abs().sum() == 0
    assert m.fusion.text.fc.weight.grad.abs().sum() > 0


def test_dropout_contrast_rewards_rows_that_agree_with_their_own_other_pass():
    from urm_train.train import dropout_contrast
    torch.manual_seed(0)
    u = torch.nn.functional.normalize(torch.randn(8, 4, 16), dim=-1)
    noisy = torch.nn.functional.normalize(u + 0.1 * torch.randn_like(u), dim=-1)
    agree = dropout_contrast(u, noisy, 0.1)
    swapped = dropout_contrast(u, noisy[torch.randperm(8)], 0.1)
    assert agree < 0.05 < swapped


def test_causal_encoder_reads_out_every_prefix_in_one_pass():
    torch.manual_seed(0)
    m = URM(sizes(causal=True)).eval()
    b, T = 2, 5
    prompt, pmask = torch.randn(b, 1, 384), torch.ones(b, 1)
    cards = torch.nn.functional.normalize(torch.randn(b, T, 8), dim=-1)
    hmask = torch.tensor([[0.0, 0, 1, 1, 1], [1.0, 1, 1, 1, 1]])      # row 0 left-padded
    events = (torch.randint(1, 5, (b, T)) * hmask).long()
    every = m.user.vectors(m.user.hidden(prompt, pmask, cards, events, hmask))  # (b, 1 + T, M, c)
    assert every.shape == (b, 1 + T, 3, 8)
    for r in range(b):
        real = [j for j in range(T) if hmask[r, j] > 0]
        for j in real:   # the read-out after slot j is what serving the history up to j answers
            alone = m.user(prompt[r:r + 1], pmask[r:r + 1], cards[r:r + 1, :j + 1], events[r:r + 1, :j + 1],
                           hmask[r:r + 1, :j + 1])
            assert torch.allclose(every[r, 1 + j], alone[0], atol=1e-5)
        empty = m.user(prompt[r:r + 1], pmask[r:r + 1], cards[r:r + 1, :1], events[r:r + 1, :1] * 0,
                       torch.zeros(1, 1))   # no history: read out at the prompt token
        assert torch.allclose(every[r, 0], empty[0], atol=1e-5)
    # where the padding sits changes nothing (distances count real items)
    right = m.user(prompt[:1], pmask[:1], torch.cat([cards[:1, 2:], cards[:1, :2] * 0], 1),
                   torch.cat([events[:1, 2:], events[:1, :2] * 0], 1), torch.tensor([[1.0, 1, 1, 0, 0]]))
    assert torch.allclose(right, m.user(prompt[:1], pmask[:1], cards[:1], events[:1], hmask[:1]), atol=1e-5)


def test_repeat_term_takes_each_history_items_newest_occurrence_by_event_and_recency():
    model = URM(sizes(repeat=True))
    with torch.no_grad():
        model.repeat.copy_(torch.arange(model.repeat.numel(), dtype=torch.float32).view_as(model.repeat))
    batch = {"hist_items": torch.tensor([[-1, 3, 4, 3, 5], [1, 2, 2, 2, 7], [6, 6, -1, -1, 6]]),
             "hist_events": torch.tensor([[0, 4, 1, 2, 4], [4, 4, 4, 1, 4], [1, 2, 0, 0, 3]]),
             "hist_mask": torch.tensor([[0., 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 0, 0, 1]]),
             "repeat_on": torch.tensor([1., 1., 0.])}                 # row 2's task is not one the term joins
    row, item, term = model.repeat_entries(batch)
    got = {(int(r), int(i)): float(t) for r, i, t in zip(row, item, term)}
    B = model.repeat.size(1)   # table[event, bucket]; buckets start at recencies 0, 1, 2, 3, 5, ...
    assert got == {(0, 4): 1 * B + 2, (0, 3): 2 * B + 1, (0, 5): 4 * B + 0,       # item 3: its newer click
                   (1, 1): 4 * B + 3, (1, 2): 1 * B + 1, (1, 7): 4 * B + 0}       # recency 4 is bucket "3-4"
    scores = model.add_repeat(torch.zeros(3, 10), batch)
    assert scores[0, 3] == 2 * B + 1 and scores[2].abs().sum() == 0 and scores[1, 0] == 0


def dense_softmax_loss(u, cards, targets, scale, added):
    """full_softmax_loss spelled out target by target: each with its best vector, a softmax over every card
    of scale * (score + added[user]); the mean over the targets there are."""
    losses = []
    for b, k in (targets >= 0).nonzero().tolist():
        t = int(targets[b, k])
        m = int((u[b] @ cards[t]).argmax())
        logits = scale * (u[b, m] @ cards.t() + added[b])
        losses.append(torch.logsumexp(logits, 0) - logits[t])
    return torch.stack(losses).mean()


def test_full_softmax_loss_with_the_repeat_term_matches_autograd_over_all_cards():
    torch.manual_seed(3)
    model = URM(sizes(repeat=True))
    with torch.no_grad():
        model.repeat.normal_()
    batch = {"hist_items": torch.tensor([[-1, 3, 4, 3, 5], [1, 2, 2, 2, 7]]),
             "hist_events": torch.tensor([[0, 4, 1, 2, 4], [4, 4, 4, 1, 4]]),
             "hist_mask": torch.tensor([[0., 1, 1, 1, 1], [1, 1, 1, 1, 1]]), "repeat_on": torch.tensor([1., 1.])}
    u = torch.nn.functional.normalize(torch.randn(2, 3, 8), dim=-1)
    cards = torch.nn.functional.normalize(torch.randn(10, 8), dim=-1)
    targets = torch.tensor([[3, 9], [2, -1]])                             # item 3 and item 2 are repeats
    loss = full_softmax_loss(u, cards, targets, torch.tensor(7.0), None, None, model.repeat_entries(batch))
    loss.backward()
    fast = model.repeat.grad.clone()
    model.repeat.grad = None
    slow = dense_softmax_loss(u, cards, targets, 7.0, model.add_repeat(torch.zeros(2, 10), batch))
    slow.backward()
    assert math.isclose(float(loss), float(slow), rel_tol=1e-5)
    assert torch.allclose(fast, model.repeat.grad, atol=1e-6) and fast.abs().sum() > 0


def test_the_repeat_table_steps_at_its_own_multiple_of_the_rate():
    from urm_train.config import Config
    from urm_train.train import parameter_groups
    model = URM(sizes(repeat=True))
    groups = parameter_groups(model, Config(repeat_lr_scale=20.0))
    assert [g["lr_scale"] for g in groups] == [1.0, 20.0]
    assert groups[1]["params"] == [model.repeat]
    assert sum(p.numel() for g in groups for p in g["params"]) == sum(p.numel() for p in model.parameters())
    assert [g["lr_scale"] for g in parameter_groups(URM(sizes()), Config())] == [1.0]


def test_without_lend_ids_a_new_item_keeps_its_content_card_and_still_names_its_lender():
    torch.manual_seed(0)
    m = URM(sizes()).eval()
    x = items()
    twin = dict(x, text=x["text"].clone())
    twin["text"][2] = x["text"][0]                            # item 2 (no ID) has item 0's text
    before = m.cards(twin)
    m.fusion.set_neighbours(torch.stack([x["text"][0], x["text"][3]]), torch.tensor([1, 5]), k=1,
                            temperature=0.05, lend_ids=False)
    assert torch.equal(m.cards(twin), before)                  # no borrowed ID embedding in any card
    assert m.fusion.lenders(twin["text"], twin["id_index"])[[0, 2, 3]].tolist() == [0, 1, 0]


def test_full_softmax_loss_with_the_search_text_term_matches_autograd_over_all_cards():
    """The text term (train.SearchTextTerm) joins only the rows it names, beside the repeat term, and its
    gradient reaches the user vectors as a dense softmax's does."""
    torch.manual_seed(4)
    model = URM(sizes(repeat=True))
    with torch.no_grad():
        model.repeat.normal_()
    batch = {"hist_items": torch.tensor([[-1, 3, 4, 3, 5], [1, 2, 2, 2, 7], [-1, -1, -1, -1, -1]]),
             "hist_events": torch.tensor([[0, 4, 1, 2, 4], [4, 4, 4, 1, 4], [0, 0, 0, 0, 0]]),
             "hist_mask": torch.tensor([[0., 1, 1, 1, 1], [1, 1, 1, 1, 1], [0., 0, 0, 0, 0]]),
             "repeat_on": torch.tensor([1., 1., 0.])}
    u = torch.nn.functional.normalize(torch.randn(3, 3, 8), dim=-1).requires_grad_()
    cards = torch.nn.functional.normalize(torch.randn(10, 8), dim=-1)
    targets = torch.tensor([[3, 9], [2, -1], [6, -1]])
    users, term = torch.tensor([1, 2]), 4.0 * torch.rand(2, 10)         # rows 1 and 2 are searches
    loss = full_softmax_loss(u, cards, targets, torch.tensor(7.0), None, None, model.repeat_entries(batch), (users, term))
    loss.backward()
    fast = u.grad.clone()
    u.grad = None
    r = model.add_repeat(torch.zeros(3, 10), batch)
    r[users] += term
    slow = dense_softmax_loss(u, cards, targets, 7.0, r)
    slow.backward()
    assert math.isclose(float(loss), float(slow), rel_tol=1e-5)
    assert torch.allclose(fast, u.grad, atol=1e-6)
    without = full_softmax_loss(u.detach(), cards, targets, torch.tensor(7.0), None, None, model.repeat_entries(batch))
    assert not math.isclose(float(loss), float(without), rel_tol=1e-3)
