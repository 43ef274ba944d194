"""Training configuration: every default in one place, overridden from a JSON file.

The config travels inside the checkpoint and (as sizes) inside manifest.json, so loading a model
never needs hyperparameters from outside.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

from .names import AUX_TASKS, MODALITIES


@dataclass
class Config:
    # --- model sizes ---
    d: int = 64                 # width of modality embeddings and of the transformer
    d_card: int = 64            # item card size (L2-normalised); user vectors live in the same space
    content_card: int | str = "auto"  # > 0: the card gets a second part of this size built from content alone
                                # (model.Fusion), so the served card has d_card + content_card values; 0 = one fused
                                # card; "auto" = sparse_content_card where the training part has fewer than
                                # sparse_events_per_item events per item with an ID, 0 otherwise. Beauty (12.7) with a
                                # tenth of its items new (never in training), test HR@10 on them, model alone: 0.0584
                                # with 64, 0.0352 without, content-only baseline 0.0522; warm items level. MovieLens
                                # 100K (58.5): test HR@10 / NDCG@10 0.1506 / 0.0732 with 64, 0.1622 / 0.0846 without
    sparse_content_card: int = 64
    layers: int = 2             # transformer blocks
    heads: int = 2              # attention heads (d % heads == 0)
    M: int = 4                  # user vectors (interests) per request
    encoder: str = "bidirectional"  # UserEncoder: M [UM] tokens, one pass per prefix; "causal": CausalUserEncoder,
                                # a target at every item of a sequence per pass (SASRec-style). Beauty, 300 s of
                                # training each: validation HR@10 0.0470 bidirectional, 0.0309 causal (batch 256)
    L: int = 50                 # history length (most recent items kept)
    dropout: float | str = "auto"  # on history tokens, attention and MLPs; "auto" = sparse_dropout where the
                                # training part has fewer than sparse_events_per_item events per item with an ID,
                                # 0 otherwise (SASRec's authors likewise set more dropout on sparse Amazon sets than
                                # on MovieLens). Full budget, model alone, validation / test HR@10: Beauty (12.7
                                # events per item) 0.1090 / 0.0875 at 0.1 against 0.1072 / 0.0816 at 0; MovieLens
                                # 100K (58.5) 0.1644 / 0.1262 at 0.1 against 0.1909 / 0.1601 at 0 (RESULTS)
    sparse_dropout: float = 0.1
    sparse_events_per_item: float = 30.0
    card_dropout: float = 0.0   # on each modality embedding of every card (the history's and the scored ones);
                                # Beauty, 600 s: 0.0884 / 0.0639 with 0 here and dropout 0.2
    logit_scale_init: float = 20.0  # learned temperature on cosine scores (Beauty: ends near 31). A start at 30
                                # wins a 600-s screen but is level at the full budget (RESULTS, "Screened after run F")
    # --- modalities fused into the card (those absent from the features dir are dropped) ---
    modalities: list = field(default_factory=lambda: list(MODALITIES))
    attribute_table: int = 0    # rows of the attribute embedding; 0 = one per hashed bucket (65,536),
                                # fewer fold buckets together (the demo model: a smaller package)
    id_dropout: float = 0.0     # per step, each item's card is built without its ID with this probability
                                # (Beauty, 400 steps: validation HR@10 0.0383 at 0, 0.0287 at 0.1)
    content_distill: float = 0.5  # weight of pulling each target's content-only card toward its full card,
                                  # which trains the content path that items unseen in training rely on
    contrast: float = 0.0       # weight of agreement between two dropout passes over the same histories
    contrast_temperature: float = 0.1  # (InfoNCE over the batch's users, DuoRec's unsupervised term)
    neighbour_k: int = 1        # an item without an ID gets lenders: the k items with an ID whose text is closest
    neighbour_temperature: float = 0.05  # (with lend_ids, their ID embeddings softmax(cosine / temperature)-weighted);
                                # k 0 = none (on Beauty the nearest one alone lent best: docs/RESULTS.md)
    lend_ids: bool = False      # True: a new item's card borrows its lenders' ID embeddings; False: its card is
                                # built from content alone and the lender (nearest text item) is named only for the
                                # served co-occurrence term. With content_card, borrowing cut new items' HR@10 (model
                                # alone) on Beauty from 0.0584 to 0.0477 (docs/RESULTS.md)
    neighbour_pool: int = 20_000  # at most this many items lend (the most frequent in training): the pool's
                                  # text vectors go into fusion.onnx (384 floats each)
    repeat: bool = True         # a learned term for items already in the history, by event and recency of
                                # their newest occurrence (URM.repeat_entries), added to their score for
                                # next-item and next-purchase; the bidirectional encoder only (Beauty, test
                                # model alone: 0.0781 / 0.0438 HR@10 / NDCG@10 with it, 0.0710 / 0.0355 before)
    repeat_lr_scale: float = 1.0  # the repeat table's learning rate, in multiples of lr. Sample shop (short
                                # trainings, view-cart-purchase funnels): test HR@10 0.441 at 1x, 0.543 at 20x,
                                # 0.501 without the term; Beauty (30 min): 1x is the headline, 20x was behind
                                # (docs/RESULTS.md, run D), so 1x stays the default
    new_item_share: float = 0.0  # share of items whose events are dropped from training entirely, to
                                 # measure cold start honestly (urm evaluate's "new items" segment); 0 in use
    # --- the served co-occurrence term (cooccurrence.py): its weight is chosen on validation, 0 = left out ---
    cooccurrence_window: int = 3      # items within this many positions of each other co-occur
    cooccurrence_recent: int = 3      # the newest history items whose neighbours are boosted
    cooccurrence_per_item: int = 100  # neighbours kept per item (the package's size); 0 = no co-occurrence term
    # --- samples and tasks ---
    targets: int = 1            # target set = the next `targets` items after a prefix
    aux_share: float = 0.35     # share of samples that also train one other task (next-item is always trained):
                                # with the weights below, next-purchase, similar and category each keep the tenth of
                                # the samples they had before search and explore were trained (0.35 x 1 / 3.5)
    aux_weight: float = 1.0     # weight of an auxiliary sample in the loss (a next-item sample weighs 1)
    # relative draw of the auxiliary task; inapplicable draws (no later purchase, no category) are skipped.
    # Search and explore a quarter: the served text term (search_text.py) matches the query's words, so the
    # model's search rows need only teach it the shopper's taste, and at 1.0 they cost next-item a tenth of its
    # validation HR@10 per epoch on Beauty (0.0601 against 0.0690 without search; 0.0669 at 0.25). With explore
    # at 1.0 too (run U10, 10 epochs) next-item alone was 10 % below the four-task recipe (test HR@10 0.0763
    # against 0.0852); at a quarter, with aux_share 0.35 (run Y), 0.0843, and 0.0938 served against 0.0923
    task_weights: dict = field(default_factory=lambda: {t: 0.25 if t in ("search", "explore") else 1.0 for t in AUX_TASKS})
    similar_window: int = 3     # "similar": target is an item within this many steps of the anchor
    search_without_history: float = 0.5  # "search": share of its samples read without the history (a query
                                # alone); the rest read the history too, so it tilts the answer to the shopper
    search_text_weight: float = 0.0  # "search": w in the logits' text term w * <typed query, item text> (the
    search_text_weight_without_history: float = 0.0  # served one, search_text.py) for rows read with / without
                                # the history, so the model learns what the frozen encoder's match misses; 0 = off
    search_query_map_epochs: int = 3  # search: epochs fitting the served text term's query map over the training
    search_query_map_decay: float = 1e-3  # queries (search_text.fit_query_map), and its pull toward the identity;
                                # the map is shipped only where validation says it helps; 0 epochs = no map
    explore_window: int = 20    # "explore": target is the first of the next this-many items whose category lies
                                # under none of the history's (serving's explore rule); none there: no sample
    paraphrase_share: float = 0.2  # share of samples whose instruction is one of its task's trained paraphrases
                                # (PromptTemplates.Paraphrases), so a shop's own wording lands on the task
    # --- loss ---
    loss: str = "full"          # "full": softmax over all cards; "sampled": the batch's items + uniform draws
    full_softmax_max_items: int = 100_000  # above this many items "full" switches to "sampled"
    negatives: int = 2048       # uniform draws per batch for the sampled softmax
    # --- optimisation ---
    batch: int = 256            # next-item targets per step: samples (bidirectional), or whole sequence windows
                                # holding about this many (causal); auxiliary samples come on top
    lr: float = 1e-3            # peak learning rate (Adam)
    warmup_steps: int = 100     # linear warm-up, then lr until the last decay_share of the budget,
    decay_share: float = 0.25   # then a cosine down to lr_final * lr
    lr_final: float = 0.05
    weight_decay: float = 0.0
    epochs: int = 200           # cap; early stopping usually ends training first
    patience: int = 5           # epochs without a better validation NDCG@10 before stopping
    max_train_seconds: float = 1650.0  # training-loop budget (0 = none): with data loading, the final
                                       # evaluation and export, `urm train` ends within 30 minutes
    eval_batch: int = 512       # users per batch when ranking the full catalog
    seed: int = 42
    threads: int = 0            # torch threads (0 = every core; Debian's torch would otherwise take 1)

    @classmethod
    def from_dict(cls, values: dict) -> "Config":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        cfg = cls(**values)
        cfg.validate()
        return cfg

    @classmethod
    def from_checkpoint(cls, saved: dict, overrides: dict | None = None) -> "Config":
        """The config a checkpoint was trained with (its "config"), keys this version no longer knows left
        out, then overrides on top."""
        known = {f.name for f in dataclasses.fields(cls)}
        return cls.from_dict({**{k: v for k, v in saved.items() if k in known}, **(overrides or {})})

    @classmethod
    def load(cls, path: str | None) -> "Config":
        if path is None:
            return cls()
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def resolved_dropout(self, events_per_item: float) -> float:
        """The dropout to train with, "auto" resolved for a training part with this many events per item."""
        if self.dropout != "auto":
            return float(self.dropout)
        return self.sparse_dropout if events_per_item < self.sparse_events_per_item else 0.0

    def resolved_content_card(self, events_per_item: float) -> int:
        """The content part's size to train with, "auto" resolved as resolved_dropout resolves dropout."""
        if self.content_card != "auto":
            return int(self.content_card)
        return self.sparse_content_card if events_per_item < self.sparse_events_per_item else 0

    def validate(self) -> None:
        if self.d % self.heads != 0:
            raise ValueError(f"d={self.d} must be divisible by heads={self.heads}")
        if self.encoder not in ("causal", "bidirectional"):
            raise ValueError(f"encoder must be 'causal' or 'bidirectional', not {self.encoder!r}")
        if self.encoder == "causal" and (self.targets != 1 or self.contrast > 0):
            raise ValueError("the causal encoder trains one next item per position: targets must be 1 and "
                             "contrast 0 (both are for encoder 'bidirectional')")
        if self.loss not in ("full", "sampled"):
            raise ValueError(f"loss must be 'full' or 'sampled', not {self.loss!r}")
        bad = sorted(set(self.task_weights) - set(AUX_TASKS))
        if bad:
            raise ValueError(f"unknown tasks in task_weights: {', '.join(bad)} (next-item is trained at every "
                             f"read; the weights draw among {', '.join(AUX_TASKS)})")
        for name in ("id_dropout", "card_dropout", "new_item_share", "aux_share", "decay_share", "paraphrase_share"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be in [0, 1)")

        if self.cooccurrence_window < 1 or not 1 <= self.cooccurrence_recent <= 50 or self.cooccurrence_per_item < 0:
            raise ValueError("cooccurrence_window must be >= 1, cooccurrence_recent in 1..50, cooccurrence_per_item >= 0 (0 = off)")
        if not 0.0 <= self.search_without_history <= 1.0 or self.explore_window < 1:
            raise ValueError("search_without_history must be in [0, 1] and explore_window >= 1")
        if self.search_query_map_epochs < 0 or self.search_query_map_decay < 0:
            raise ValueError("search_query_map_epochs and search_query_map_decay must be >= 0")
        if self.search_text_weight < 0 or self.search_text_weight_without_history < 0:
            raise ValueError("search_text_weight and search_text_weight_without_history must be >= 0 (0 = off)")
        if self.repeat_lr_scale <= 0:
            raise ValueError("repeat_lr_scale must be > 0")
        if self.contrast < 0 or self.contrast_temperature <= 0:
            raise ValueError("contrast must be >= 0 (0 = off) and contrast_temperature > 0")
        if self.dropout != "auto" and (isinstance(self.dropout, str) or not 0.0 <= self.dropout < 1.0):
            raise ValueError(f"dropout must be a number in [0, 1) or \"auto\", not {self.dropout!r}")
        if not 0.0 <= self.sparse_dropout < 1.0 or self.sparse_events_per_item < 0:
            raise ValueError("sparse_dropout must be in [0, 1) and sparse_events_per_item >= 0")
        if self.contrast > 0 and self.dropout == 0:
            raise ValueError("contrast needs dropout > 0: its two passes differ only in their dropout masks")
        if self.neighbour_k < 0 or self.neighbour_temperature <= 0 or self.neighbour_pool < 1:
            raise ValueError("neighbour_k must be >= 0 (0 = off), neighbour_temperature > 0, neighbour_pool >= 1")
        bad = sorted(set(self.modalities) - set(MODALITIES))
        if bad:
            raise ValueError(f"unknown modalities: {', '.join(bad)}")
        if self.attribute_table < 0 or self.attribute_table == 1:
            raise ValueError("attribute_table must be 0 (one row per bucket) or at least 2 (row 0 is padding)")
        if self.content_card != "auto" and (isinstance(self.content_card, str) or self.content_card < 0):
            raise ValueError(f"content_card must be an integer >= 0 (0 = one fused card) or \"auto\", not {self.content_card!r}")
        if self.sparse_content_card < 0:
            raise ValueError("sparse_content_card must be >= 0")
        if min(self.M, self.L, self.targets, self.batch, self.layers) < 1:
            raise ValueError("M, L, targets, batch and layers must be >= 1")
