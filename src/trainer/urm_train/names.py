"""The names the trainer, its data and the exported package share, each list in one place."""
from __future__ import annotations

from enum import IntEnum

# item modalities fused into a card, in the order Fusion reads them
MODALITIES = ["text", "image", "attributes", "price", "id"]

# event types: id 0 is padding (manifest.json's eventTypes)
PADDING_EVENT = 0
EVENT_IDS = {"view": 1, "click": 2, "cart": 3, "purchase": 4}
N_EVENT_TYPES = 1 + len(EVENT_IDS)  # rows of the event embeddings (manifest.json's sizes.eventTypes)

# trained tasks, by the names Config.task_weights, the prompt keys and manifest.json use
NEXT_ITEM, NEXT_PURCHASE, SIMILAR, CATEGORY = "next-item", "next-purchase", "similar", "category"
SEARCH, EXPLORE = "search", "explore"
TASKS = [NEXT_ITEM, NEXT_PURCHASE, SIMILAR, CATEGORY, SEARCH, EXPLORE]


class TaskCode(IntEnum):
    """A batch row's task in SequenceData's arrays: the task's position in TASKS."""
    NEXT_ITEM = 0
    NEXT_PURCHASE = 1
    SIMILAR = 2
    CATEGORY = 3
    SEARCH = 4
    EXPLORE = 5


TASK_CODE = {t: TaskCode(i) for i, t in enumerate(TASKS)}  # task name -> code
NO_TASK = -1  # SequenceData.aux_tasks: the sample trains no auxiliary task
AUX_TASKS = TASKS[1:]  # trained on a share of the samples, on top of next-item (Config.aux_share)


def task_key(task: str) -> str:
    """The prompt key of a task's piece (manifest.json's tasks)."""
    return f"task:{task}"


def paraphrase_key(task: str, index: int) -> str:
    """The prompt key of a task's index-th trained paraphrase (PromptTemplates.ParaphraseKey)."""
    return f"paraphrase:{task}:{index}"


def category_key(path: str) -> str:
    """The prompt key of a category path's piece."""
    return f"category:{path}"


TASK_KEYS = {t: task_key(t) for t in TASKS}  # prompt keys of the task pieces

# the learned repeat term (URM.repeat): the tasks whose score it joins, and the first recency (0 = the
# newest history item) of each of its recency buckets
REPEAT_TASKS = (NEXT_ITEM, NEXT_PURCHASE)
RECENCY_STARTS = (0, 1, 2, 3, 5, 10, 20)

# the served co-occurrence term (cooccurrence.py): the tasks it always joins; "similar" and "explore" too where
# validation says it helps (train.finish)
COOCCURRENCE_TASKS = (NEXT_ITEM, NEXT_PURCHASE)
