"""The pieces framework: what a piece is made of, and what it sees when it runs."""

from engine.model import WebhookResponse
from pieces.framework.action import Action
from pieces.framework.context import (
    ActionContext,
    ExecutionType,
    RunControls,
    ServerInfo,
    TriggerContext,
)
from pieces.framework.errors import PieceError, PieceNotFoundError, PropsValidationError
from pieces.framework.piece import Piece
from pieces.framework.props import (
    Checkbox,
    Json,
    LongText,
    Number,
    Object,
    Option,
    Prop,
    ShortText,
    StaticDropdown,
    validate_props,
)
from pieces.framework.registry import PieceRegistry
from pieces.framework.trigger import Trigger, TriggerStrategy

__all__ = [
    "Action",
    "ActionContext",
    "Checkbox",
    "ExecutionType",
    "Json",
    "LongText",
    "Number",
    "Object",
    "Option",
    "Piece",
    "PieceError",
    "PieceNotFoundError",
    "PieceRegistry",
    "Prop",
    "PropsValidationError",
    "RunControls",
    "ServerInfo",
    "ShortText",
    "StaticDropdown",
    "Trigger",
    "TriggerContext",
    "TriggerStrategy",
    "WebhookResponse",
    "validate_props",
]
