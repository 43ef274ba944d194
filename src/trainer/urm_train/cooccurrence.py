"""The item-to-item co-occurrence term of the served score.

A shop's strongest short-range signal is which items are bought next to which: on Beauty a plain
co-occurrence count ranks the next item about as well as the model, and the two are right about
different users. The served score therefore adds, for next-item and next-purchase (and similar, with
the anchor as the only history item, where validation shows it helps),

    boost(i) = weight * ln(1 + S(i)),   S(i) = sum_{r < recent} C[h_r][i] / (r + 1)

to the model's max_m <u_m, c_i>, where C counts how often two items occur within `window` positions of
each other in the training part (both directions, an item never with itself) and h_0 is the newest
history item. The table is learned from the training part only, its weight is chosen on validation,
and it ships in the model package (cooccurrence.bin, docs/FORMATS.md) so that the C# serving path and
`urm evaluate` add the same term.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

# weights tried on validation, in the units of the served score (cosine, in [-1, 1])
WEIGHTS = (0.0, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3)


@dataclass
class CoOccurrence:
    """C as a CSR matrix over catalog rows: row a's neighbours are neighbours[offsets[a]:offsets[a+1]]
    with their counts, by count descending, at most per_item of them."""
    offsets: np.ndarray     # (n + 1,) int64
    neighbours: np.ndarray  # (pairs,) int64 catalog rows
    counts: np.ndarray      # (pairs,) float32
    window: int
    recent: int
    per_item: int
    weight: float = 0.0
    lender: np.ndarray | None = None  # (n,) catalog row of the item each item stands in for, -1 = itself

    @property
    def pairs(self) -> int:
        return int(len(self.neighbours))

    def served(self, id_index: np.ndarray, id_count: int, tasks: list) -> dict:
        """The table as the package holds it (export.write_cooccurrence): rows and neighbours are ID-table
        rows (row 0, "no ID", stays empty), so serving needs no catalog order. Every item of a training
        sequence has an ID (train.prepare), so no pair is lost."""
        rows = np.repeat(np.arange(len(self.offsets) - 1), np.diff(self.offsets))
        id_rows, id_neighbours = id_index[rows], id_index[self.neighbours]
        if (id_rows == 0).any() or (id_neighbours == 0).any():
            raise ValueError("a co-occurring item has no ID embedding: the table and the ID table disagree")
        order = np.argsort(id_rows, kind="stable")                       # keeps each row's count order
        offsets = np.searchsorted(id_rows[order], np.arange(id_count + 2))
        return {"offsets": offsets.astype(np.int64), "neighbours": id_neighbours[order].astype(np.int64),
                "counts": self.counts[order], "window": self.window, "recent": self.recent,
                "per_item": self.per_item, "weight": self.weight, "tasks": list(tasks)}

    def sums(self, histories: list, n: int) -> np.ndarray:
        """S(i) for each history (item rows, oldest -> newest) -> (b, n) float64. An item with a lender
        (an item new since training, whose card borrowed the lender's ID embedding: Fusion.lenders) is
        the lender here too, both as a history item (its row) and as a candidate (its S)."""
        s = np.zeros((len(histories), n), np.float64)
        for b, hist in enumerate(histories):
            for r in range(min(self.recent, len(hist))):
                a = int(hist[-1 - r])
                if self.lender is not None and self.lender[a] >= 0:
                    a = int(self.lender[a])
                lo, hi = self.offsets[a], self.offsets[a + 1]
                np.add.at(s[b], self.neighbours[lo:hi], self.counts[lo:hi].astype(np.float64) / (r + 1))
        if self.lender is not None:
            borrowers = np.nonzero(self.lender[:n] >= 0)[0]
            s[:, borrowers] = s[:, self.lender[borrowers]]
        return s

    def log_sums(self, histories: list, n: int) -> np.ndarray:
        """ln(1 + S) for each history -> (b, n) float64: the boost before its weight."""
        return np.log(1.0 + self.sums(histories, n))

    @staticmethod
    def weighted(log_sums: np.ndarray, weight: float) -> torch.Tensor:
        """The served boost, weight * ln(1 + S) in float64 cast to float32: as the C# side computes it."""
        return torch.from_numpy((weight * log_sums).astype(np.float32))

    def boosts(self, histories: list, n: int) -> torch.Tensor:
        """The served boost at this table's weight, (b, n) float32."""
        return self.weighted(self.log_sums(histories, n), self.weight)


def build(flat_items: np.ndarray, start_of: np.ndarray, end_of: np.ndarray, n: int,
          window: int, recent: int, per_item: int) -> CoOccurrence:
    """Counts over the training parts (flat arrays as SequenceData holds them), both directions,
    pairs of one item with itself left out; each item keeps its per_item most frequent neighbours."""
    a, b = [], []
    g = np.arange(len(flat_items))
    for k in range(1, window + 1):
        x = g[:len(g) - k] if k < len(g) else g[:0]
        ok = (x + k < end_of[x]) & (flat_items[x] != flat_items[x + k])  # same user's training part
        a += [flat_items[x][ok], flat_items[x + k][ok]]
        b += [flat_items[x + k][ok], flat_items[x][ok]]
    a = np.concatenate(a) if a else np.zeros(0, np.int64)
    b = np.concatenate(b) if b else np.zeros(0, np.int64)
    key, count = np.unique(a * n + b, return_counts=True)
    rows, cols = key // n, key % n
    order = np.lexsort((cols, -count, rows))            # by row, then count descending (ties: item row)
    rows, cols, count = rows[order], cols[order], count[order]
    start = np.searchsorted(rows, np.arange(n + 1))
    rank = np.arange(len(rows)) - start[rows]
    keep = rank < per_item
    rows, cols, count = rows[keep], cols[keep], count[keep]
    return CoOccurrence(np.searchsorted(rows, np.arange(n + 1)).astype(np.int64), cols.astype(np.int64),
                        count.astype(np.float32), window, recent, per_item)
