"""Step handlers, one per step type, chosen from a dispatch table by the executor."""

from engine.runtime.handlers.base import (
    AnyStep,
    ControlContext,
    ControlHandler,
    RunSteps,
    StepContext,
    StepHandler,
)
from engine.runtime.handlers.code import CodeHandler
from engine.runtime.handlers.loop import LoopHandler
from engine.runtime.handlers.piece import PieceHandler
from engine.runtime.handlers.router import RouterHandler

__all__ = [
    "AnyStep",
    "CodeHandler",
    "ControlContext",
    "ControlHandler",
    "LoopHandler",
    "PieceHandler",
    "RouterHandler",
    "RunSteps",
    "StepContext",
    "StepHandler",
]
