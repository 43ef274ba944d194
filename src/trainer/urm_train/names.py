"""The names the trainer, its data and the exported package share, each list in one place."""
from __future__ import annotations

# item modalities fused into a card, in the order Fusion reads them
MODALITIES = ["text", "image", "attributes", "price", "id"]

# event types: id 0 is padding (manifest.json's eventTypes)
EVENT_IDS = {"view": 1, "click": 2, "cart": 3, "purchase": 4}
N_EVENT_TYPES = 1 + len(EVENT_IDS)

# trained tasks; a batch row's task code is the task's position here (TASK_CODE)
TASKS = ["next-item", "next-purchase", "similar", "category"]
TASK_CODE = {t: i for i, t in enumerate(TASKS)}
AUX_TASKS = TASKS[1:]  # trained on a share of the samples, on top of next-item (Config.aux_share)
TASK_KEYS = {t: f"task:{t}" for t in TASKS}  # prompt keys of the task pieces

# the learned repeat term (URM.repeat): the tasks whose score it joins, and the first recency (0 = the
# newest history item) of each of its recency buckets
REPEAT_TASKS = ("next-item", "next-purchase")
RECENCY_STARTS = (0, 1, 2, 3, 5, 10, 20)


def category_key(path: str) -> str:
    """The prompt key of a category path's piece."""
    return f"category:{path}"
