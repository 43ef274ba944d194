import torch

from urm_train.model import URM, Sizes, _set_out_ce, full_softmax_loss, sampled_softmax_loss, score_items


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


def test_losses_and_scoring_shapes():
    torch.manual_seed(0)
    u = torch.nn.functional.normalize(torch.randn(2, 3, 8), dim=-1)
    c = torch.nn.functional.normalize(torch.randn(10, 8), dim=-1)
    t = torch.tensor([[1, 2], [4, -1]])
    full = full_softmax_loss(u, c, t, torch.tensor(20.0))
    freq = torch.full((10,), 0.1)
    sampled = sampled_softmax_loss(u, c, t, torch.tensor(20.0), 5, freq, torch.Generator().manual_seed(0))
    assert full.item() > 0 and sampled.item() > 0
    # the same as scoring all M vectors and letting each target pick its best one
    ref = _set_out_ce(20.0 * torch.einsum("bmc,nc->bmn", u, c), t.clamp(min=0), t >= 0)
    assert torch.allclose(full, ref, atol=1e-5)
    s = score_items(u, c)
    assert torch.allclose(s[0], (u[0] @ c.T).max(0).values)


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
