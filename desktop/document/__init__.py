"""The open flow: the document every view reads, its undo stack and the queue that saves edits."""

from desktop.document.flow_document import FlowDocument
from desktop.document.inverse import inverse
from desktop.document.save_queue import (
    SaveQueue,
    SaveRejectedError,
    SaveSignedOutError,
    SaveState,
    SaveUnavailableError,
)

__all__ = [
    "FlowDocument",
    "SaveQueue",
    "SaveRejectedError",
    "SaveSignedOutError",
    "SaveState",
    "SaveUnavailableError",
    "inverse",
]
