"""Step handlers, one per step type, chosen from a dispatch table by the executor."""

from engine.runtime.handlers.base import StepContext, StepHandler
from engine.runtime.handlers.code import CodeHandler
from engine.runtime.handlers.piece import PieceHandler

__all__ = ["CodeHandler", "PieceHandler", "StepContext", "StepHandler"]
