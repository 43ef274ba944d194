"""The URM model, sized for a CPU: item cards from multimodal fusion, M user vectors from a
transformer over prompt + history + [UM] tokens. Read top to bottom: blocks, sizes, fusion, user
encoder, the whole model, then the training losses.

Shapes: n items, b users, P prompt pieces, L history slots, M [UM] tokens, d width, c = d_card.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F

from .names import MODALITIES, N_EVENT_TYPES, PADDING_EVENT, RECENCY_STARTS


class RMSNorm(nn.Module):
    def __init__(self, d: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Dropout(nn.Module):
    """nn.Dropout with cheap masks. Debian's CPU torch draws a dropout mask one element at a time
    (30 ms for 12,101 x 64 under load), which made dropout about a fifth of a training step. Here a
    mask is a window, at a random offset, of a bank of independent draws made once per process:
    within a mask the elements are independent Bernoulli(1 - p) draws, as with nn.Dropout, and each
    call starts at a new random place. Identity in eval mode, so exported graphs hold no trace of it."""

    BANK = 1 << 24
    _banks: dict = {}  # p -> (BANK,) float tensor of 0 and 1 / (1 - p)

    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x):
        n = x.numel()
        if not self.training or self.p == 0.0:
            return x
        if n > self.BANK // 2:
            return F.dropout(x, self.p, True)
        bank = Dropout._banks.get(self.p)
        if bank is None:
            bank = (torch.rand(self.BANK) >= self.p).float() / (1.0 - self.p)
            Dropout._banks[self.p] = bank
        start = int(torch.randint(0, self.BANK - n + 1, (1,)))
        return x * bank[start:start + n].view(x.shape)


class MLP(nn.Module):
    def __init__(self, d_in: int, d_hidden: int, d_out: int, dropout: float):
        super().__init__()
        self.fc = nn.Linear(d_in, d_hidden)
        self.proj = nn.Linear(d_hidden, d_out)
        self.drop = Dropout(dropout)

    def forward(self, x):
        return self.drop(self.proj(F.gelu(self.fc(x))))


class SelfAttention(nn.Module):
    """Bidirectional multi-head attention; keys where mask == 0 are ignored."""

    def __init__(self, d: int, heads: int, dropout: float):
        super().__init__()
        self.heads, self.d = heads, d
        self.inv_sqrt_hd = 1.0 / math.sqrt(d // heads)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.attn_drop = Dropout(dropout)
        self.resid_drop = Dropout(dropout)

    def forward(self, x, mask):
        """x (b, T, d); mask (b, T) float, 1 = real key, or an additive (b, h or 1, T, T) bias that
        already holds the masking (the causal encoder's)."""
        b, T, d = x.size()
        q, k, v = self.qkv(x).split(self.d, dim=2)
        q, k, v = (t.view(b, T, self.heads, self.d // self.heads).transpose(1, 2) for t in (q, k, v))  # (b, h, T, hd)
        att = (q @ k.transpose(-2, -1)) * self.inv_sqrt_hd                                   # (b, h, T, T)
        if mask.dim() == 2:
            att = att + (1.0 - mask)[:, None, None, :] * -1e9  # additive: no -inf, no NaN rows
        else:
            att = att + mask
        att = self.attn_drop(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).reshape(b, T, self.d)
        return self.resid_drop(self.proj(y))


class Block(nn.Module):
    """Pre-LN transformer block."""

    def __init__(self, d: int, heads: int, dropout: float):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = SelfAttention(d, heads, dropout)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = MLP(d, 4 * d, d, dropout)

    def forward(self, x, mask):
        x = x + self.attn(self.ln1(x), mask)
        return x + self.mlp(self.ln2(x))


class _SparseMM(torch.autograd.Function):
    """a @ w for a fixed sparse a, whose transpose is kept too: the backward is one more sparse
    product, with no sorting of indices as EmbeddingBag's backward does at every call."""

    @staticmethod
    def forward(ctx, w, a, a_t):
        ctx.a_t = a_t
        return torch.sparse.mm(a, w)

    @staticmethod
    def backward(ctx, grad):
        return torch.sparse.mm(ctx.a_t, grad), None, None


class AttributeBag:
    """The mean over each item's attribute tokens (0 = padding) as a fixed sparse (n, buckets)
    matrix, built once for a catalog: the training path of Fusion._attributes."""

    def __init__(self, attr_tokens: torch.Tensor, buckets: int):
        n, T = attr_tokens.shape
        rows = torch.arange(n).unsqueeze(1).expand(n, T)
        real = attr_tokens > 0
        weight = (1.0 / real.sum(1, keepdim=True).clamp(min=1)).expand(n, T)[real].float()
        idx = torch.stack([rows[real], attr_tokens[real]])
        self.a = torch.sparse_coo_tensor(idx, weight, (n, buckets)).coalesce()
        self.a_t = torch.sparse_coo_tensor(idx.flip(0), weight, (buckets, n)).coalesce()

    def __call__(self, weight: torch.Tensor) -> torch.Tensor:   # (buckets, d) -> (n, d)
        return _SparseMM.apply(weight, self.a, self.a_t)


@dataclass
class Sizes:
    """Everything the model's shape depends on: config sizes plus what the data dictates."""
    d: int
    d_card: int
    layers: int
    heads: int
    M: int
    L: int
    dropout: float
    logit_scale_init: float
    text_dim: int
    image_dim: int
    attribute_buckets: int
    price_buckets: int
    id_count: int           # rows of the ID table, not counting the reserved row 0 ("no ID")
    modalities: list        # modalities used, a subset of MODALITIES
    attribute_table: int = 0  # rows of the attribute embedding; 0 = attribute_buckets (no folding)
    causal: bool = False    # CausalUserEncoder (read out at every position) instead of UserEncoder
    repeat: bool = False    # the learned repeat term (URM.repeat); False in checkpoints from before it
    card_dropout: float | None = None  # dropout on the modality embeddings of a card; None = dropout (older checkpoints)
    content_card: int = 0   # the last content_card of the d_card values: a part built from content alone (Fusion)

    def to_dict(self) -> dict:
        return asdict(self)


class Fusion(nn.Module):
    """Item features -> card. Each present modality maps to d; the sum over present modalities
    (masked, not zero-filled) goes through RMSNorm and an MLP to the L2-normalised card.
    Presence is read from the inputs themselves, so the exported graph needs no extra masks:
    text: any non-zero value; image: image_mask; attributes: any token > 0; price: bucket >= 0;
    id: id_index > 0 (0 or -1 = no ID embedding, the cold-start path).

    With content_card > 0 the card has two parts, each unit length and scaled by sqrt(1/2): the fused
    card above (d_card - content_card values) and a content part from the same modality embeddings
    without the ID (content_card values). The URM paper likewise gives every item a content part and an
    ID part. A user vector's inner product with the content part is a learned content similarity that
    an item never seen in training gets exactly as a warm item does, where the fused part of a new item
    is only as good as the ID embedding it borrows."""

    def __init__(self, s: Sizes):
        super().__init__()
        d = s.d
        self.text = MLP(s.text_dim, d, d, 0.0)
        self.image = MLP(s.image_dim, d, d, 0.0)
        self.attr_rows = s.attribute_table or s.attribute_buckets
        self.fold_attributes = self.attr_rows < s.attribute_buckets
        self.attr = nn.Embedding(self.attr_rows, d, padding_idx=0)  # mean bag, see forward
        self.price = nn.Embedding(s.price_buckets, d)
        self.id = nn.Embedding(s.id_count + 1, d)                       # row 0 reserved: no ID
        self.drop = Dropout(s.dropout if s.card_dropout is None else s.card_dropout)
        self.norm = RMSNorm(d)
        self.content_card = s.content_card
        self.out = MLP(d, 2 * d, s.d_card - s.content_card, 0.0)
        if s.content_card:
            self.content_norm = RMSNorm(d)
            self.content_out = MLP(d, 2 * d, s.content_card, 0.0)
        self.used = [m in s.modalities for m in MODALITIES]
        self.neighbour_text: torch.Tensor | None = None  # (P, text_dim) unit text vectors of items with an ID
        self.neighbour_id: torch.Tensor | None = None    # (P,) their ID rows
        self.neighbour_k, self.neighbour_temperature, self.lend_ids = 1, 0.05, True

    def set_neighbours(self, text: torch.Tensor, id_index: torch.Tensor, k: int, temperature: float,
                       lend_ids: bool = True) -> None:
        """An item without an ID embedding (new since training) gets a lender: the item with an ID whose
        text is closest to its own, which serving treats it as in the co-occurrence term. With lend_ids
        it also borrows an ID embedding: the softmax(cosine / temperature)-weighted mean of those of the
        k closest. A new shade or size of a product line thus lands where its siblings' events put them,
        which a fused card from content alone does not reach; a card with a content part
        (Sizes.content_card) does better without the borrowed ID (see docs/RESULTS.md). Set after
        training, so the exported graph carries the pool as constants; items with an ID are untouched."""
        self.neighbour_text = F.normalize(text.float(), dim=-1)
        self.neighbour_id = id_index.long()
        self.neighbour_k, self.neighbour_temperature = min(k, len(id_index)), temperature
        self.lend_ids = lend_ids

    def forward(self, text, image, image_mask, attr_tokens, price_bucket, id_index, attr_bag=None, with_lenders=False):
        """attr_bag: optional AttributeBag of attr_tokens (training passes one; export does not).
        with_lenders: also return lenders(...), from the same text similarities (fusion.onnx's two outputs)."""
        parts = [self._text, self._image, self._attributes, self._price, self._id]
        args = [(text,), (image, image_mask), (attr_tokens, attr_bag), (price_bucket,), (id_index, text)]
        h, content, lender = 0.0, 0.0, torch.zeros_like(id_index)
        for name, used, part, a in zip(MODALITIES, self.used, parts, args):
            if used or torch.jit.is_tracing():  # ONNX export reads an unused input too, so the graph keeps it
                emb, present, *rest = part(*a)                              # (n, d), (n,)[, lender (n,)]
                term = (self.drop(emb) if used else 0.0 * emb) * present.unsqueeze(-1)
                h = h + term
                if name != "id":
                    content = content + term
                if used and rest:
                    lender = rest[0]
        card = F.normalize(self.out(self.norm(h)), dim=-1)                  # (n, c - content_card)
        if self.content_card:
            part = F.normalize(self.content_out(self.content_norm(content)), dim=-1)   # (n, content_card)
            card = torch.cat([card, part], dim=-1) * math.sqrt(0.5)
        return (card, lender) if with_lenders else card

    # each modality -> (embedding (n, d), presence (n,) float)
    def _text(self, text):
        return self.text(text), (text.abs().sum(-1) > 0).float()

    def _image(self, image, image_mask):
        return self.image(image), image_mask.float()

    def _attributes(self, attr_tokens, bag=None):
        tok = (attr_tokens > 0).float()                                    # (n, T)
        count = tok.sum(1, keepdim=True)                                   # (n, 1)
        rows = attr_tokens
        if self.fold_attributes:  # hashed ids 1.. fold onto rows 1..; 0 stays padding (in the graph)
            rows = torch.where(attr_tokens > 0, torch.remainder(attr_tokens - 1, self.attr_rows - 1) + 1, attr_tokens)
        if bag is not None:       # training: the mean as a fixed sparse (n, rows) @ (rows, d)
            mean = bag(self.attr.weight)
        elif torch.jit.is_tracing():
            # ONNX export: the mean over real tokens as a masked mean of an Embedding, plain ONNX ops
            mean = (self.attr(rows) * tok.unsqueeze(-1)).sum(1) / count.clamp(min=1.0)
        else:                     # the same mean with EmbeddingBag
            mean = F.embedding_bag(rows, self.attr.weight, mode="mean", padding_idx=0)
        return mean, (count.squeeze(1) > 0).float()

    def _price(self, price_bucket):
        return self.price(price_bucket.clamp(min=0)), (price_bucket >= 0).float()

    def _id(self, id_index, text):
        """-> embedding, presence, lender: the ID row of each card's lender (lenders), whose ID embedding it
        borrows when lend_ids is set."""
        emb, present, lender = self.id(id_index.clamp(min=0)), (id_index > 0).float(), torch.zeros_like(id_index)
        if self.neighbour_text is None or self.neighbour_k < 1:
            return emb, present, lender
        borrow = (id_index <= 0) & (text.abs().sum(-1) > 0)                  # (n,) new items with text
        if torch.jit.is_tracing():  # the graph computes every row and selects
            borrowed, nearest = self._borrowed(text)
            if self.lend_ids:
                emb = torch.where(borrow.unsqueeze(-1), borrowed, emb)
            lender = torch.where(borrow, nearest, lender)
        else:                       # eager: only the rows that borrow (evaluation fuses whole catalogs)
            rows = torch.nonzero(borrow).squeeze(1)
            borrowed, nearest = self._borrowed(text[rows])
            if self.lend_ids:
                emb = emb.index_copy(0, rows, borrowed)
            lender = lender.index_copy(0, rows, nearest.to(lender.dtype))
        if self.lend_ids:
            present = torch.maximum(present, borrow.float())
        return emb, present, lender

    def lenders(self, text, id_index):
        """(n,) int64: the ID row of each card's lender (the nearest item by text, the top one when k > 1),
        0 for a card with none (its own ID, no text, lending off).
        Serving treats a new item as that lender in the co-occurrence term too (cooccurrence.py)."""
        return self._id(id_index, text)[2]

    def _borrowed(self, text):
        """-> the softmax(cosine / temperature)-weighted ID embedding of the k nearest lenders (n, d), and the
        nearest one's ID row (n,)."""
        sim = F.normalize(text, dim=-1) @ self.neighbour_text.t()            # (n, P) cosine
        top, pos = sim.topk(self.neighbour_k, dim=1)                          # (n, k)
        w = torch.softmax(top / self.neighbour_temperature, dim=1)
        return (w.unsqueeze(-1) * self.id(self.neighbour_id[pos])).sum(1), self.neighbour_id[pos[:, 0]]


class UserEncoder(nn.Module):
    """[prompt pieces | history | M x UM] -> transformer -> M user vectors in card space.
    History is oldest -> newest with padding anywhere (masked); the position of a slot is its
    recency (0 = newest real item), so left or right padding give the same result."""

    def __init__(self, s: Sizes):
        super().__init__()
        d = s.d
        self.L, self.M = s.L, s.M
        self.prompt_proj = nn.Linear(s.text_dim, d)
        self.card_proj = nn.Linear(s.d_card, d)
        self.event = nn.Embedding(N_EVENT_TYPES, d, padding_idx=PADDING_EVENT)
        self.pos = nn.Embedding(s.L, d)
        self.um = nn.Parameter(torch.randn(s.M, d) * 0.02)
        self.drop = Dropout(s.dropout)
        self.blocks = nn.ModuleList([Block(d, s.heads, s.dropout) for _ in range(s.layers)])
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, s.d_card)

    def forward(self, prompt, prompt_mask, history_cards, history_events, history_mask):
        m = history_mask.float()                                                     # (b, L)
        recency = (m.sum(1, keepdim=True) - m.cumsum(1)).clamp(0, self.L - 1).long()  # (b, L)
        p = self.prompt_proj(prompt)                                                 # (b, P, d)
        h = self.card_proj(history_cards) + self.event(history_events) + self.pos(recency)  # (b, L, d)
        u = self.um.unsqueeze(0) + torch.zeros_like(history_cards[:, :1, :1])        # (b, M, d)
        x = self.drop(torch.cat([p, h, u], dim=1))                                   # (b, P+L+M, d)
        ones = torch.ones_like(m[:, :1]).expand(-1, self.M)
        mask = torch.cat([prompt_mask.float(), m, ones], dim=1)                      # (b, P+L+M)
        for block in self.blocks:
            x = block(x, mask)
        out = self.head(self.ln_f(x[:, -self.M:]))                                    # (b, M, c)
        return F.normalize(out, dim=-1)


class CausalUserEncoder(nn.Module):
    """[prompt pieces | history] -> causal transformer -> M user vectors read out at the last real token.
    Every token sees only itself and what comes before it, so one pass over a training sequence reads
    out the user vectors after each of its items at once, each exactly as serving that prefix would
    (SASRec's training, Kang & McAuley 2018): a sequence of n items trains n targets in one pass, where
    UserEncoder needs n passes. Order is carried by a learned per-head attention bias on the distance
    between two history items (counted in real items, so padding anywhere changes nothing) and one
    more bias for prompt keys; the M user vectors come from M heads on the read-out token.
    Same inputs and output as UserEncoder: the exported user.onnx is interchangeable."""

    def __init__(self, s: Sizes):
        super().__init__()
        d = s.d
        self.L, self.M, self.heads, self.d_card = s.L, s.M, s.heads, s.d_card
        self.prompt_proj = nn.Linear(s.text_dim, d)
        self.card_proj = nn.Linear(s.d_card, d)
        self.event = nn.Embedding(N_EVENT_TYPES, d, padding_idx=PADDING_EVENT)
        self.distance = nn.Embedding(s.L + 1, s.heads)  # rows 0..L-1: history distance; row L: a prompt key
        self.drop = Dropout(s.dropout)
        self.blocks = nn.ModuleList([Block(d, s.heads, s.dropout) for _ in range(s.layers)])
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, s.M * s.d_card)

    def hidden(self, prompt, prompt_mask, history_cards, history_events, history_mask):
        """-> (b, P+T, d) final hidden state of every token (read out by vectors())."""
        P, T = prompt.size(1), history_cards.size(1)
        m = torch.cat([prompt_mask.float(), history_mask.float()], dim=1)           # (b, N)
        x = torch.cat([self.prompt_proj(prompt),
                       self.card_proj(history_cards) + self.event(history_events)], dim=1)
        x = self.drop(x)                                                            # (b, N, d)
        # distance between query t and key s in real history items; prompt keys get row L
        seen = torch.cat([torch.zeros_like(prompt_mask), history_mask.float().cumsum(1)], dim=1)  # (b, N)
        dist = (seen.unsqueeze(2) - seen.unsqueeze(1)).clamp(0, self.L - 1).long()            # (b, N, N)
        is_prompt = torch.cat([torch.ones_like(prompt_mask), torch.zeros_like(history_mask)], dim=1)
        dist = torch.where(is_prompt.unsqueeze(1) > 0, torch.full_like(dist, self.L), dist)
        bias = self.distance(dist).permute(0, 3, 1, 2)                              # (b, h, N, N)
        pos = torch.arange(P + T, device=m.device)
        allowed = (pos.view(1, -1, 1) >= pos.view(1, 1, -1)).float() * m.unsqueeze(1)  # (b, N, N) causal, real keys
        bias = bias + (1.0 - allowed).unsqueeze(1) * -1e9
        for block in self.blocks:
            x = block(x, bias)
        return self.ln_f(x)

    def vectors(self, h):
        """(..., d) hidden states -> (..., M, c) unit user vectors."""
        out = self.head(h)
        return F.normalize(out.view(*out.shape[:-1], self.M, self.d_card), dim=-1)

    def forward(self, prompt, prompt_mask, history_cards, history_events, history_mask):
        h = self.hidden(prompt, prompt_mask, history_cards, history_events, history_mask)
        m = torch.cat([prompt_mask.float(), history_mask.float()], dim=1)
        last = (m * torch.arange(1, m.size(1) + 1, device=m.device)).argmax(1)       # (b,) last real token
        read = h.gather(1, last.view(-1, 1, 1).expand(-1, 1, h.size(2))).squeeze(1)  # (b, d)
        return self.vectors(read)                                                   # (b, M, c)


class URM(nn.Module):
    def __init__(self, s: Sizes):
        super().__init__()
        self.sizes = s
        self.fusion = Fusion(s)
        self.user = CausalUserEncoder(s) if s.causal else UserEncoder(s)
        self.log_scale = nn.Parameter(torch.tensor(math.log(s.logit_scale_init)))
        # (event type, recency bucket) -> term added to the score of an item already in the history
        self.repeat = nn.Parameter(torch.zeros(N_EVENT_TYPES, len(RECENCY_STARTS))) if s.repeat else None
        # Embeddings start at N(0, 0.02) as in nanoGPT: with PyTorch's N(0, 1), Adam's steps of ~lr are
        # tiny next to the weights and training sits on a long plateau (measured on Beauty: loss 8.9
        # vs 8.0 after 120 steps). Linear layers keep PyTorch's init (0.02 there collapses the cards),
        # with zero biases in the fusion, so that cards share no common direction at the start.
        for m in self.modules():
            if isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, std=0.02)
                if m.padding_idx is not None:
                    nn.init.zeros_(m.weight[m.padding_idx])
        for m in self.fusion.modules():
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def scale(self):
        return self.log_scale.exp().clamp(max=100.0)

    def cards(self, items: dict) -> torch.Tensor:
        """items: tensors text, image, image_mask, attr_tokens, price_bucket, id_index -> (n, c)."""
        return self.fusion(items["text"], items["image"], items["image_mask"], items["attr_tokens"],
                           items["price_bucket"], items["id_index"], items.get("attr_bag"))

    def users(self, batch: dict, cards: torch.Tensor, prompt_table: torch.Tensor) -> torch.Tensor:
        """Training/eval path: batch of item and prompt indices (-1 = padding) -> (b, M, c)."""
        pidx, hidx = batch["prompt_idx"], batch["hist_items"]
        return self.user(prompt_table[pidx.clamp(min=0)], (pidx >= 0).float(),
                         cards[hidx.clamp(min=0)], batch["hist_events"], batch["hist_mask"])

    def users_at_every_item(self, batch: dict, cards: torch.Tensor, prompt_table: torch.Tensor) -> torch.Tensor:
        """Causal training path: (b, P+T, M, c), the user vectors read out at every token (at a prompt
        token: with no history yet), each what forward() gives for the sequence ending there."""
        pidx, hidx = batch["prompt_idx"], batch["hist_items"]
        h = self.user.hidden(prompt_table[pidx.clamp(min=0)], (pidx >= 0).float(),
                             cards[hidx.clamp(min=0)], batch["hist_events"], batch["hist_mask"])
        return self.user.vectors(h)


    def repeat_entries(self, batch: dict) -> tuple | None:
        """The repeat term of each distinct item in a row's history, for rows whose task it joins
        (batch["repeat_on"] > 0): (row, item, term) with term = repeat[event, bucket] of the item's newest
        occurrence, bucket = its recency (real history items after it, 0 = the newest) in RECENCY_STARTS.
        A shop's shoppers may rarely take an item again (Beauty: a review per product), or mostly buy
        what they viewed; a max of inner products cannot say either about the very items that built the
        user vectors, so the model learns it apart. None without the term."""
        if self.repeat is None:
            return None
        items, events, real = batch["hist_items"], batch["hist_events"], batch["hist_mask"] > 0
        T = items.size(1)
        later = torch.ones(T, T, dtype=torch.bool).triu(1)                                # [j, j'] = j' > j
        again = ((items.unsqueeze(2) == items.unsqueeze(1)) & real.unsqueeze(1) & later).any(2)  # (b, T)
        newest = real & ~again
        if "repeat_on" in batch:
            newest = newest & (batch["repeat_on"] > 0).unsqueeze(1)
        recency = (real.sum(1, keepdim=True) - real.long().cumsum(1))                     # (b, T)
        bucket = torch.bucketize(recency, torch.tensor(RECENCY_STARTS[1:]), right=True)
        r, j = newest.nonzero(as_tuple=True)
        return r, items[r, j], self.repeat[events[r, j], bucket[r, j]]

    def add_repeat(self, scores: torch.Tensor, batch: dict) -> torch.Tensor:
        """scores (b, n) + the repeat term of the batch's history items (in place; scores unchanged without it)."""
        entries = self.repeat_entries(batch)
        if entries is not None and len(entries[0]):
            scores.index_put_(entries[:2], entries[2], accumulate=True)
        return scores


def load_model(ckpt: dict) -> URM:
    """A checkpoint (train.train's) -> the trained model in eval mode, ID lending set when it has one."""
    model = URM(Sizes(**ckpt["sizes"]))
    model.load_state_dict(ckpt["state_dict"])
    if ckpt.get("neighbours"):
        model.fusion.set_neighbours(**ckpt["neighbours"])
    return model.eval()


def score_items(user_vectors: torch.Tensor, cards: torch.Tensor) -> torch.Tensor:
    """The serving score: max over the M user vectors of the inner product. (b, M, c), (n, c) -> (b, n)."""
    return torch.einsum("bmc,nc->bmn", user_vectors, cards).max(dim=1).values


# ----------------------------------------------------------------------------- training losses

class _LogSumExpScores(torch.autograd.Function):
    """lse_r = logsumexp_j <q_r, c_j> over all n cards, q (R, c), cards (n, c) -> (R,). The (R, n) score
    matrix is made once and turned into exp(score - max) in place, and the backward scales it in place
    into the softmax times the incoming gradient: autograd's logsumexp keeps several (R, n) tensors and
    passes over them many more times (measured on Beauty, 1,500 rows x 12,101 cards: 680 -> 190 ms a step)."""

    @staticmethod
    def forward(ctx, q, cards, bias=None, rows=None, cols=None, extra=None):
        e = torch.mm(q, cards.t())                                  # (R, n) scores
        if bias is not None:                                        # a constant (n,) added to every row
            e.add_(bias)
        if extra is not None:                                       # extra[i] added at (rows[i], cols[i]), distinct
            e.index_put_((rows, cols), extra, accumulate=True)
        m = e.max(dim=1, keepdim=True).values
        e.sub_(m).exp_()
        z = e.sum(dim=1, keepdim=True)
        ctx.save_for_backward(q, cards, e, z, rows, cols)
        return (m + z.log()).squeeze(1)

    @staticmethod
    def backward(ctx, g):                                           # d lse_r / d score_rj = softmax_rj
        q, cards, e, z, rows, cols = ctx.saved_tensors
        p = e.mul_(g.unsqueeze(1) / z)                              # e is not needed again
        extra = p[rows, cols] if rows is not None and ctx.needs_input_grad[5] else None
        return p @ cards, p.t() @ q, None, None, None, extra


def full_softmax_loss(user_vectors, cards, targets, scale, weights=None, log_weights=None, repeat=None, text=None):
    """Softmax over the item cards given. targets (b, K) rows of cards, -1 = none; weights (b,) per row.
    Each target picks its best [UM] vector; the softmax normaliser (logsumexp over all n cards) is
    computed once per distinct (user, [UM] vector) pair in use, not once per target:
    loss(target t of user b) = logsumexp_j(s * (<u_bm, c_j> + r_bj) + a_j) - s * (<u_bm, c_t> + r_bt),
    m = argmax_m <u_bm, c_t>, a = log_weights (n,) (0 when None: every card counts once), r = the repeat
    term (URM.repeat_entries: (user, item, term), 0 elsewhere) plus, for the users text names, the search
    text term (text: (users (S,), term (S, n)), train.SearchTextTerm); the weighted mean over targets."""
    b, M, c = user_vectors.shape
    valid = targets >= 0
    t = targets.clamp(min=0)
    t_score = torch.einsum("bmc,bkc->bmk", user_vectors, cards[t])               # (b, M, K)
    best = t_score.argmax(dim=1).detach()                                         # (b, K)
    rows, slot = torch.unique((torch.arange(b).unsqueeze(1) * M + best)[valid], return_inverse=True)
    sparse, pos_repeat = (), 0.0
    if repeat is not None and len(repeat[0]):
        user, item, term = repeat
        r, e = ((rows // M).unsqueeze(1) == user.unsqueeze(0)).nonzero(as_tuple=True)   # every row of the entry's user
        sparse = (r, item[e], scale * term[e])
        t_user = torch.arange(b).unsqueeze(1).expand_as(targets)[valid]
        own = (t_user.unsqueeze(1) == user.unsqueeze(0)) & (t[valid].unsqueeze(1) == item.unsqueeze(0))  # (V, E)
        pos_repeat = scale * (own.float() @ term)                                   # the target's own term
    if text is not None:
        user, term = text
        n = cards.shape[0]
        r, s_ = ((rows // M).unsqueeze(1) == user.unsqueeze(0)).nonzero(as_tuple=True)   # each text user's lse rows
        entries = (r.repeat_interleave(n), torch.arange(n).repeat(len(r)), scale * term[s_].reshape(-1))
        sparse = tuple(torch.cat([a, e]) for a, e in zip(sparse, entries)) if sparse else entries
        at = torch.full((b,), -1, dtype=torch.long)
        at[user] = torch.arange(len(user))
        t_at = at.unsqueeze(1).expand_as(targets)[valid]                              # (V,) the target's text row
        pos_repeat = pos_repeat + scale * torch.where(t_at >= 0, term[t_at.clamp(min=0), t[valid]], torch.zeros(()))
    lse = _LogSumExpScores.apply(scale * user_vectors.reshape(b * M, c)[rows], cards, log_weights, *sparse)  # (R,)
    pos = scale * t_score.gather(1, best.unsqueeze(1)).squeeze(1)[valid] + pos_repeat  # (V,)
    if not pos.numel():
        return t_score.sum() * 0.0
    if weights is None:
        return (lse[slot] - pos).mean()
    w = weights.unsqueeze(1).expand_as(targets)[valid]
    return ((lse[slot] - pos) * w).sum() / w.sum().clamp(min=1e-12)
