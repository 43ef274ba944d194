"""Reading the features directory (docs/FORMATS.md) and the events file; samples and batches.

Item index = row in items.jsonl (the order of every features file). Event type ids: names.EVENT_IDS
(view=1, click=2, cart=3, purchase=4; PADDING_EVENT = 0). A history is oldest -> newest, right-aligned,
padded on the left; padding is item -1, event PADDING_EVENT, mask 0.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from .names import (AUX_TASKS, CATEGORY, EVENT_IDS, EXPLORE, NEXT_ITEM, NEXT_PURCHASE, NO_TASK, PADDING_EVENT,
                    REPEAT_TASKS, SEARCH, TASK_CODE, TASK_KEYS, TASKS, TaskCode, category_key, paraphrase_key)


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# ----------------------------------------------------------------------------- features

@dataclass
class Features:
    ids: list[str]               # item id per row
    text: np.ndarray             # (n, text_dim) float32
    image: np.ndarray            # (n, image_dim) float32, zero rows where absent
    image_mask: np.ndarray       # (n,) float32, 1 where the image row is real
    attr_tokens: np.ndarray      # (n, T) int64, hashed ids in [1, attribute_buckets), 0 = padding
    price_bucket: np.ndarray     # (n,) int64 in [0, price_buckets), -1 = no price
    category: np.ndarray         # (n,) int64 index into `categories`, -1 = none
    categories: list[str]        # category paths, from the optional "category" field of items.jsonl
    text_dim: int
    image_dim: int
    attribute_buckets: int
    price_buckets: int
    has_image: bool              # image.npy present with at least one real row
    items_hash: str              # sha256 of items.jsonl

    @property
    def n(self) -> int:
        return len(self.ids)


def load_features(directory: str) -> Features:
    meta_path = os.path.join(directory, "features.json")
    with open(meta_path, encoding="utf-8") as f:
        meta = json.load(f)
    items_path = os.path.join(directory, "items.jsonl")
    items = _read_jsonl(items_path)
    ids = [str(it["id"]) for it in items]
    n = len(ids)
    if meta.get("count", n) != n:
        raise ValueError(f"features.json count {meta['count']} != {n} rows in items.jsonl")
    if len(set(ids)) != n:
        raise ValueError("items.jsonl has duplicate ids")
    text_dim = int(meta.get("textDim", 384))
    image_dim = int(meta.get("imageDim", 512))

    text = np.load(os.path.join(directory, "text.npy")).astype(np.float32)
    if text.shape != (n, text_dim):
        raise ValueError(f"text.npy shape {text.shape} != ({n}, {text_dim})")
    image_path = os.path.join(directory, "image.npy")
    if os.path.exists(image_path):
        image = np.load(image_path).astype(np.float32)
        image_mask = np.load(os.path.join(directory, "image_mask.npy")).astype(np.float32)
        if image.shape != (n, image_dim) or image_mask.shape != (n,):
            raise ValueError(f"image.npy {image.shape} / image_mask.npy {image_mask.shape} do not match n={n}")
    else:
        image = np.zeros((n, image_dim), np.float32)
        image_mask = np.zeros(n, np.float32)

    attrs = _read_jsonl(os.path.join(directory, "attributes.jsonl"))
    if [str(a["id"]) for a in attrs] != ids:
        raise ValueError("attributes.jsonl rows do not follow items.jsonl order")
    width = max([len(a.get("tokens", [])) for a in attrs] + [1])
    attr_tokens = np.zeros((n, width), np.int64)
    for i, a in enumerate(attrs):
        toks = a.get("tokens", [])
        attr_tokens[i, :len(toks)] = toks
    price_bucket = np.array([int(a.get("priceBucket", -1)) for a in attrs], np.int64)
    buckets = int(meta["attributeBuckets"])
    pbuckets = int(meta["priceBuckets"])
    if attr_tokens.max(initial=0) >= buckets or attr_tokens.min(initial=0) < 0:
        raise ValueError(f"attribute tokens must be in [0, {buckets})")
    if price_bucket.max(initial=-1) >= pbuckets or price_bucket.min(initial=-1) < -1:
        raise ValueError(f"priceBucket must be in [-1, {pbuckets})")

    paths = [it.get("category") or None for it in items]
    categories = sorted({p for p in paths if p})
    cat_index = {c: i for i, c in enumerate(categories)}
    category = np.array([cat_index[p] if p else -1 for p in paths], np.int64)
    return Features(ids, text, image, image_mask, attr_tokens, price_bucket, category, categories,
                    text_dim, image_dim, buckets, pbuckets, bool(image_mask.sum() > 0),
                    sha256_file(items_path))


# ----------------------------------------------------------------------------- prompts

@dataclass
class Prompts:
    keys: list[str]
    texts: list[str]
    emb: np.ndarray              # (P, text_dim) float32, row i embeds texts[i]

    def rows(self, keys: list[str]) -> dict[str, int]:
        return {k: self.keys.index(k) for k in keys}


def load_prompts(directory: str, required: list[str]) -> Prompts:
    """Prompt pieces from prompts.jsonl + prompts.npy; every required key must be there."""
    jsonl = os.path.join(directory, "prompts.jsonl")
    npy = os.path.join(directory, "prompts.npy")
    if not (os.path.exists(jsonl) and os.path.exists(npy)):
        raise ValueError(f"prompts.jsonl and prompts.npy are required in {directory}; "
                         f"they must hold these keys: {', '.join(required)}")
    rows = _read_jsonl(jsonl)
    emb = np.load(npy).astype(np.float32)
    if emb.shape[0] != len(rows):
        raise ValueError(f"prompts.npy has {emb.shape[0]} rows but prompts.jsonl has {len(rows)}")
    keys = [r["key"] for r in rows]
    missing = [k for k in required if k not in keys]
    if missing:
        raise ValueError(f"prompts.jsonl in {directory} lacks {len(missing)} prompt key(s) the training "
                         f"data needs: {', '.join(missing)}. Add them (with their embeddings in "
                         f"prompts.npy) or disable the task in task_weights.")
    keep = [keys.index(k) for k in required]
    return Prompts(required, [rows[i].get("text", "") for i in keep], emb[keep])


def prompt_keys_in(directory: str) -> set[str]:
    """The keys prompts.jsonl holds (empty when there is none)."""
    path = os.path.join(directory, "prompts.jsonl")
    return {r["key"] for r in _read_jsonl(path)} if os.path.exists(path) else set()


@dataclass
class Queries:
    """Search queries made from the catalog (queries.jsonl + queries.npy, written by `urm train`): the
    search task's prompt inputs. Items whose queries are held out for evaluation have none."""
    item: np.ndarray             # (Q,) item row each query was made from
    texts: list[str]
    emb: np.ndarray              # (Q, text_dim) float32, the query piece as serving embeds it
    typed: np.ndarray | None = None  # (Q, text_dim) the query as typed (queries_typed.npy); None in older features

    def offsets(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(order, offsets): query rows sorted by item, and per item its slice order[offsets[i]:offsets[i + 1]]."""
        order = np.argsort(self.item, kind="stable")
        return order, np.searchsorted(self.item[order], np.arange(n + 1))


def load_queries(directory: str, item_index: dict[str, int]) -> Queries | None:
    """The search queries of a features directory; None when it has none (the search task is then not trained)."""
    jsonl, npy = os.path.join(directory, "queries.jsonl"), os.path.join(directory, "queries.npy")
    if not (os.path.exists(jsonl) and os.path.exists(npy)):
        return None
    rows = _read_jsonl(jsonl)
    emb = np.load(npy).astype(np.float32)
    if emb.shape[0] != len(rows):
        raise ValueError(f"queries.npy has {emb.shape[0]} rows but queries.jsonl has {len(rows)}")
    typed_npy = os.path.join(directory, "queries_typed.npy")
    typed = np.load(typed_npy).astype(np.float32) if os.path.exists(typed_npy) else None
    if typed is not None and typed.shape != emb.shape:
        raise ValueError(f"queries_typed.npy is {typed.shape}, queries.npy {emb.shape}: write the features again")
    keep = [i for i, r in enumerate(rows) if str(r["id"]) in item_index]
    if not keep:
        return None
    return Queries(np.array([item_index[str(rows[i]["id"])] for i in keep], np.int64),
                   [rows[i]["text"] for i in keep], emb[keep], None if typed is None else typed[keep])


@dataclass
class HeldOutQueries:
    """The evaluation query of each item whose queries are held out of training (held_out_queries.*,
    written by `urm train`, the very query `urm evaluate --task search` asks for it): never trained on,
    only read to choose the weight of the served search score's text term on validation users."""
    item: np.ndarray             # (H,) item row
    emb: np.ndarray              # (H, text_dim) the query piece as serving embeds it (the model's prompt input)
    typed: np.ndarray            # (H, text_dim) the query as typed (what the text term compares with item text)


def load_held_out_queries(directory: str, item_index: dict[str, int]) -> HeldOutQueries | None:
    """None when the features directory has none (written before `urm train` wrote them, or no item held out)."""
    stem = os.path.join(directory, "held_out_queries")
    if not all(os.path.exists(stem + ext) for ext in (".jsonl", ".npy", "_typed.npy")):
        return None
    rows = _read_jsonl(stem + ".jsonl")
    emb, typed = np.load(stem + ".npy").astype(np.float32), np.load(stem + "_typed.npy").astype(np.float32)
    if not (emb.shape[0] == typed.shape[0] == len(rows)):
        raise ValueError(f"held_out_queries: {len(rows)} rows in .jsonl, {emb.shape[0]} in .npy, {typed.shape[0]} in _typed.npy")
    keep = [i for i, r in enumerate(rows) if str(r["id"]) in item_index]
    if not keep:
        return None
    return HeldOutQueries(np.array([item_index[str(rows[i]["id"])] for i in keep], np.int64), emb[keep], typed[keep])


def category_under(categories: list[str]) -> np.ndarray:
    """(C, C) bool: under[a, b] when category path a lies in (or is) b, level by level, case ignored, as
    serving's CategoryPath.IsUnder compares them (the explore task's rule)."""
    levels = [[part.strip().lower() for part in c.split(">") if part.strip()] for c in categories]
    return np.array([[len(b) > 0 and a[:len(b)] == b for b in levels] for a in levels], bool).reshape(len(levels), len(levels))


# ----------------------------------------------------------------------------- events

def parse_timestamp(value) -> float:
    """Unix seconds (number or numeric string) or ISO 8601 (naive means UTC) -> float seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    s = str(value).strip()
    try:
        return float(s)
    except ValueError:
        pass
    dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


@dataclass
class Events:
    users: list[str]             # user ids with at least one kept event, in first-seen order
    items: list[np.ndarray]      # per user: item indices, time order (stable on ties)
    events: list[np.ndarray]     # per user: event type ids
    dropped_unknown_item: int
    dropped_bad_event: int
    total: int
    file_hash: str


def read_events(path: str, item_index: dict[str, int]) -> Events:
    if path.lower().endswith((".jsonl", ".json")):
        rows = _read_jsonl(path)
    else:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    need = ("user_id", "item_id", "event", "timestamp")
    for n, r in enumerate(rows):
        missing = [k for k in need if r.get(k) in (None, "")]
        if missing:
            raise ValueError(f"{path}: event row {n + 1} lacks {', '.join(missing)} "
                             f"(expected columns/keys: {', '.join(need)})")
    per_user: dict[str, list] = {}
    unknown = bad = 0
    for n, r in enumerate(rows):
        item = item_index.get(str(r["item_id"]))
        ev = EVENT_IDS.get(str(r["event"]).strip().lower())
        if item is None:
            unknown += 1
            continue
        if ev is None:
            bad += 1
            continue
        per_user.setdefault(str(r["user_id"]), []).append((parse_timestamp(r["timestamp"]), n, item, ev))
    users, items, events = [], [], []
    for u, evs in per_user.items():
        evs.sort(key=lambda e: (e[0], e[1]))  # stable: ties keep file order
        users.append(u)
        items.append(np.array([e[2] for e in evs], np.int64))
        events.append(np.array([e[3] for e in evs], np.int64))
    return Events(users, items, events, unknown, bad, len(rows), sha256_file(path))


# ----------------------------------------------------------------------------- samples

class SequenceData:
    """Leave-one-out split, training samples and batches.

    Per user with >= 3 events: last = test target, second last = validation target, the rest is
    training; users with fewer events only train. Events of held-out items (the new-item measurement)
    are dropped from the training parts. Training parts are concatenated into flat arrays; every
    training prefix with a non-empty history is a sample, identified by the flat position g of its
    first target (its history is the user's items before g, at most L).
    """

    def __init__(self, ev: Events, feats: Features, cfg, task_rows: dict[str, int],
                 category_rows: dict[int, int], held_out: np.ndarray | None = None,
                 query_rows: tuple[np.ndarray, np.ndarray] | None = None,
                 paraphrase_rows: dict[str, np.ndarray] | None = None):
        self.cfg = cfg
        self.item_category = feats.category
        self.task_rows = task_rows          # task name -> prompt row
        self.category_rows = category_rows  # category index -> prompt row
        # search: per item, its queries' prompt rows rows[offsets[i]:offsets[i + 1]] (none: not trained)
        self.query_rows, self.query_offsets = query_rows if query_rows is not None else (None, None)
        self.paraphrase_rows = paraphrase_rows or {}  # task name -> prompt rows of its trained paraphrases
        self.category_under = category_under(feats.categories) if EXPLORE in task_rows else None
        flat_i, flat_e, start, end = [], [], [], []
        self.eval_users, self.val, self.test = [], [], []
        pos = 0
        for u, (it, evt) in enumerate(zip(ev.items, ev.events)):
            n_train = len(it) - 2 if len(it) >= 3 else len(it)
            keep = np.ones(n_train, bool) if held_out is None else ~held_out[it[:n_train]]
            flat_i.append(it[:n_train][keep]); flat_e.append(evt[:n_train][keep])
            start.append(pos); end.append(pos + int(keep.sum()))
            if len(it) >= 3:
                self.eval_users.append(u)
                self.val.append((it[:-2], evt[:-2], it[-2]))
                self.test.append((it[:-1], evt[:-1], it[-1]))
            pos += int(keep.sum())
        self.flat_items = np.concatenate(flat_i) if flat_i else np.zeros(0, np.int64)
        self.flat_events = np.concatenate(flat_e) if flat_e else np.zeros(0, np.int64)
        start, end = np.array(start, np.int64), np.array(end, np.int64)
        lengths = end - start
        self.start_of = np.repeat(start, lengths)   # (G,) start of the user's training part
        self.end_of = np.repeat(end, lengths)
        self.samples = np.nonzero(np.arange(pos) > self.start_of)[0]  # prefixes with history
        # next purchase at or after each position, within the same user's training part (-1 = none)
        nxt = np.full(pos, -1, np.int64)
        last = -1
        for g in range(pos - 1, -1, -1):
            if g + 1 == pos or self.end_of[g] != self.end_of[g + 1]:
                last = -1
            if self.flat_events[g] == EVENT_IDS["purchase"]:
                last = g
            nxt[g] = last
        self.next_purchase = nxt
        self.train_items = np.unique(self.flat_items)

    # ---- tasks
    def aux_tasks(self, g: np.ndarray, rng: np.random.Generator, share: float | None = None) -> np.ndarray:
        """Per sample, the other task it also trains (its TaskCode), or NO_TASK: a share (aux_share unless
        given) of the samples draw one by task_weights; a draw that does not apply (no later purchase, no
        category) is dropped, never turned into next-item, which every sample trains anyway."""
        share = self.cfg.aux_share if share is None else share
        task = np.full(len(g), NO_TASK, np.int64)
        names = [t for t in AUX_TASKS if t in self.task_rows and self.cfg.task_weights.get(t, 0) > 0]
        if not names or share <= 0:
            return task
        chosen = np.nonzero(rng.random(len(g)) < share)[0]
        w = np.array([self.cfg.task_weights[t] for t in names], np.float64)
        task[chosen] = np.array([TASK_CODE[t] for t in names])[rng.choice(len(names), size=len(chosen), p=w / w.sum())]
        purchase = task == TaskCode.NEXT_PURCHASE
        task[purchase & (self.next_purchase[g] < 0)] = NO_TASK
        category = task == TaskCode.CATEGORY
        task[category & (self.item_category[self.flat_items[g]] < 0)] = NO_TASK
        if self.query_offsets is not None:   # search: the target item needs queries (held-out items have none)
            item = self.flat_items[g]
            task[(task == TaskCode.SEARCH) & (self.query_offsets[item + 1] == self.query_offsets[item])] = NO_TASK
        return task

    # ---- batches
    def train_batch(self, g: np.ndarray, rng: np.random.Generator, next_item: bool = True) -> dict:
        """Samples g -> one batch: every sample as next-item (weight 1), then each sample that draws an
        auxiliary task (aux_tasks) once more as that task (weight aux_weight); next_item=False: every
        sample draws an auxiliary task and only those rows are made. Keys: hist_items, hist_events,
        hist_mask (B, L'), prompt_idx (B, 2), targets (B, targets) (-1 = none), weights (B,), repeat_on (B,)
        (1 where the row's task is one the repeat term joins)."""
        aux = self.aux_tasks(g, rng, None if next_item else 1.0)
        if next_item:
            rows = np.concatenate([g, g[aux != NO_TASK]])
            task = np.concatenate([np.full(len(g), TaskCode.NEXT_ITEM, np.int64), aux[aux != NO_TASK]])
        else:
            rows, task = g[aux != NO_TASK], aux[aux != NO_TASK]
        L, K, B = self.cfg.L, self.cfg.targets, len(rows)
        st, en = self.start_of[rows], self.end_of[rows]
        hidx = rows[:, None] - L + np.arange(L)[None, :]         # (B, L) right-aligned history
        hmask = hidx >= st[:, None]
        tidx = rows[:, None] + np.arange(K)[None, :]             # (B, K) next items
        tmask = tidx < en[:, None]
        prompt = np.full((B, 2), -1, np.int64)
        prompt[:, 0] = [self.task_rows[TASKS[t]] for t in task]
        if self.paraphrase_rows and self.cfg.paraphrase_share > 0:   # another wording of the instruction
            swap = rng.random(B) < self.cfg.paraphrase_share
            for name, wordings in self.paraphrase_rows.items():
                pick = swap & (task == TASK_CODE[name])
                prompt[pick, 0] = wordings[rng.integers(0, len(wordings), int(pick.sum()))]

        sim = task == TaskCode.SIMILAR
        if sim.any():   # history = the anchor item alone; target = an item near it, same user
            hmask[sim, :-1] = False
            anchor = rows[sim] - 1
            off = rng.integers(1, self.cfg.similar_window + 1, sim.sum()) * rng.choice([-1, 1], sim.sum())
            p = np.clip(anchor + off, st[sim], en[sim] - 1)
            p = np.where(p == anchor, rows[sim], p)
            tidx[sim, 0] = p
            tmask[sim, 1:] = False
        pur = task == TaskCode.NEXT_PURCHASE
        if pur.any():   # target = the next purchase
            tidx[pur, 0] = self.next_purchase[rows[pur]]
            tmask[pur, 1:] = False

        srch = np.nonzero(task == TaskCode.SEARCH)[0]
        if len(srch):   # prompt = a query made from the next item, which is the one target; half without history
            item = self.flat_items[rows[srch]]
            lo, hi = self.query_offsets[item], self.query_offsets[item + 1]
            prompt[srch, 1] = self.query_rows[lo + (rng.random(len(srch)) * (hi - lo)).astype(np.int64)]
            hmask[srch[rng.random(len(srch)) < self.cfg.search_without_history], :] = False
            tmask[srch, 1:] = False
        expl = np.nonzero(task == TaskCode.EXPLORE)[0]
        if len(expl):   # target = the first next item in a category none of the history's lies under
            tidx[expl, 0], found = self.explore_targets(rows[expl], hidx[expl], hmask[expl], en[expl])
            tmask[expl, 0] = found
            tmask[expl, 1:] = False

        targets = np.where(tmask, self.flat_items[np.clip(tidx, 0, len(self.flat_items) - 1)], -1)
        cat = task == TaskCode.CATEGORY
        if cat.any():   # prompt names the next item's category; targets = next items in it
            c = self.item_category[self.flat_items[rows[cat]]]
            prompt[cat, 1] = [self.category_rows[int(x)] for x in c]
            tc = self.item_category[np.clip(targets[cat], 0, None)]
            targets[cat] = np.where((targets[cat] >= 0) & (tc == c[:, None]), targets[cat], -1)

        hc = np.clip(hidx, 0, None)
        keep = (targets >= 0).any(1)   # an explore row without a fresh item ahead trains nothing
        return _trim({
            "hist_items": np.where(hmask, self.flat_items[hc], -1)[keep],
            "hist_events": np.where(hmask, self.flat_events[hc], PADDING_EVENT)[keep],
            "hist_mask": hmask.astype(np.float32)[keep],
            "prompt_idx": prompt[keep],
            "targets": targets[keep],
            "weights": np.where(task == TaskCode.NEXT_ITEM, 1.0, self.cfg.aux_weight).astype(np.float32)[keep],
            "repeat_on": np.isin(task, [TASK_CODE[t] for t in REPEAT_TASKS]).astype(np.float32)[keep],
        })

    def explore_targets(self, rows: np.ndarray, hidx: np.ndarray, hmask: np.ndarray,
                        end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per explore sample, the flat position of the first item among the next cfg.explore_window whose
        category lies under none of the history's categories (serving's explore rule: the answer leaves
        out the history's categories) -> (positions, found)."""
        W = self.cfg.explore_window
        ahead = rows[:, None] + np.arange(W)[None, :]                                  # (E, W)
        cat = self.item_category[self.flat_items[np.clip(ahead, 0, len(self.flat_items) - 1)]]
        hist = np.where(hmask, self.item_category[self.flat_items[np.clip(hidx, 0, None)]], -1)   # (E, L)
        seen = np.zeros(ahead.shape, bool)
        for h in hist.T:   # one history slot at a time: (E, W) per step, never (E, W, L)
            seen |= (h[:, None] >= 0) & self.category_under[np.clip(cat, 0, None), np.clip(h, 0, None)[:, None]]
        fresh = (ahead < end[:, None]) & (cat >= 0) & ~seen
        return ahead[np.arange(len(rows)), fresh.argmax(1)], fresh.any(1)

    def epoch_batches(self, rng: np.random.Generator) -> list[np.ndarray]:
        """Shuffled samples cut into batches of similar history length (sorted within chunks of
        50 batches, then the batches shuffled): the same samples, far less padding to attend over."""
        order = rng.permutation(self.samples)
        size, chunk = self.cfg.batch, self.cfg.batch * 50
        hist_len = np.minimum(order - self.start_of[order], self.cfg.L)
        batches = []
        for i in range(0, len(order), chunk):
            part = order[i:i + chunk][np.argsort(hist_len[i:i + chunk], kind="stable")]
            batches += [part[j:j + size] for j in range(0, len(part), size)]
        return [batches[k] for k in rng.permutation(len(batches))]

    # ---- the causal encoder's batches: whole sequences, a target at every item
    def causal_windows(self) -> np.ndarray:
        """(W, 3) windows (first, lo, end) of flat positions covering every user's training part: the
        window reads items first..end-2 as history and trains the targets at positions lo..end-1, each
        read out after the items before it (the one at `first`, when lo == first, at the prompt, with no
        history). A part longer than L + 1 is cut into windows from its end, each taking L // 2 new
        targets and the L items before its end as history, so every target but those near a part's
        start is read with at least L // 2 items before it."""
        L, step = self.cfg.L, max(1, self.cfg.L // 2)
        windows = []
        for st, en in zip(*np.unique(np.stack([self.start_of, self.end_of]), axis=1)):
            e = int(en)
            while e > st:
                first = max(int(st), e - 1 - L)
                lo = first if first == st else e - step
                windows.append((first, lo, e))
                e = lo
        return np.array(windows, np.int64).reshape(-1, 3)

    def causal_epoch_batches(self, windows: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
        """Shuffled windows cut into batches of about `batch` targets (whole windows, so a batch holds
        at least one), windows of similar length together (as epoch_batches): each step then learns
        from as many targets as a bidirectional step of the same `batch`, however long its sequences."""
        order = rng.permutation(len(windows))
        chunk = self.cfg.batch * 50
        batches, part, count = [], [], 0
        for i in range(0, len(order), chunk):
            block = order[i:i + chunk]
            block = block[np.argsort(windows[block, 2] - windows[block, 0], kind="stable")]
            for w in block:
                part.append(w)
                count += int(windows[w, 2] - windows[w, 1])
                if count >= self.cfg.batch:
                    batches.append(windows[part])
                    part, count = [], 0
        if part:
            batches.append(windows[part])
        return [batches[k] for k in rng.permutation(len(batches))]

    def causal_batch(self, windows: np.ndarray) -> dict:
        """Windows (B, 3) -> next-item rows for CausalUserEncoder: hist_items, hist_events, hist_mask
        (B, T) right-aligned, prompt_idx (B, 1), targets (B, 1 + T): column 0 is read out at the prompt
        token, column 1 + j after history slot j; -1 = not trained there."""
        first, lo, end = windows[:, 0], windows[:, 1], windows[:, 2]
        T = max(1, int((end - 1 - first).max(initial=1)))
        pos = (end - 1)[:, None] - T + np.arange(T)[None, :]          # (B, T) flat position of each slot
        hmask = pos >= first[:, None]
        p = np.clip(pos, 0, None)
        nxt = pos + 1                                                   # the target read out after a slot
        trained = hmask & (nxt >= lo[:, None]) & (nxt < end[:, None])
        targets = np.full((len(windows), 1 + T), -1, np.int64)
        targets[:, 1:] = np.where(trained, self.flat_items[np.clip(nxt, 0, len(self.flat_items) - 1)], -1)
        targets[:, 0] = np.where(lo == first, self.flat_items[first], -1)
        return {"hist_items": np.where(hmask, self.flat_items[p], -1),
                "hist_events": np.where(hmask, self.flat_events[p], PADDING_EVENT),
                "hist_mask": hmask.astype(np.float32),
                "prompt_idx": np.full((len(windows), 1), self.task_rows[NEXT_ITEM], np.int64),
                "targets": targets}

    def window_samples(self, windows: np.ndarray) -> np.ndarray:
        """The samples (flat positions with a non-empty history before them) among the windows' trained
        targets: where a causal batch draws its auxiliary samples, so their histories are as long as the
        batch's own and pad little."""
        pos = np.concatenate([np.arange(lo, end) for _, lo, end in windows])
        return pos[pos > self.start_of[pos]]

    def eval_batch(self, rows: list, task: str = NEXT_ITEM) -> dict:
        """rows: (history items, history events, target) tuples, read with the task's prompt."""
        L, B = self.cfg.L, len(rows)
        items = np.full((B, L), -1, np.int64)
        events = np.full((B, L), PADDING_EVENT, np.int64)
        for b, (it, ev, _) in enumerate(rows):
            it, ev = it[-L:], ev[-L:]
            if len(it):
                items[b, L - len(it):] = it
                events[b, L - len(ev):] = ev
        prompt = np.full((B, 1), self.task_rows[task], np.int64)
        return _trim({"hist_items": items, "hist_events": events, "hist_mask": (items >= 0).astype(np.float32),
                      "prompt_idx": prompt, "targets": np.array([[t] for _, _, t in rows], np.int64),
                      "repeat_on": np.full(B, task in REPEAT_TASKS, np.float32)})


def _trim(batch: dict) -> dict:
    """Drop leading history columns that are padding in every row (exact: positions are recencies)."""
    keep = max(1, int(batch["hist_mask"].sum(1).max(initial=0)))
    for k in ("hist_items", "hist_events", "hist_mask"):
        batch[k] = batch[k][:, -keep:]
    return batch


def required_prompt_keys(cfg, ev: Events, feats: Features, has_queries: bool = False,
                         available: set[str] | None = None) -> tuple[list[str], list[str]]:
    """(task names in use, prompt keys they need). Tasks with no data behind them are left out (search
    without queries, category and explore without categories). The trained paraphrases of the tasks in
    use are added where `available` (the keys of prompts.jsonl) holds them and paraphrase_share > 0."""
    has_purchase = any((e == EVENT_IDS["purchase"]).any() for e in ev.events)
    tasks = []
    for t in TASKS:
        if t != NEXT_ITEM and (cfg.task_weights.get(t, 0) <= 0 or cfg.aux_share <= 0):
            continue
        if t == NEXT_PURCHASE and not has_purchase:
            continue
        if t in (CATEGORY, EXPLORE) and not feats.categories:
            continue
        if t == SEARCH and not has_queries:
            continue
        tasks.append(t)
    keys = [TASK_KEYS[t] for t in tasks]
    if CATEGORY in tasks:
        keys += [category_key(c) for c in feats.categories]
    if available and cfg.paraphrase_share > 0:
        keys += [k for t in tasks for k in _paraphrase_keys(t, available)]
    return tasks, keys


def _paraphrase_keys(task: str, available: set[str]) -> list[str]:
    keys, i = [], 0
    while paraphrase_key(task, i) in available:
        keys.append(paraphrase_key(task, i))
        i += 1
    return keys
