"""The Subflows piece: one flow calls another, and may wait for its answer."""

from pieces.framework import Piece
from pieces.subflows.actions.call_flow import call_flow
from pieces.subflows.actions.return_response import return_response
from pieces.subflows.triggers.callable_flow import callable_flow

piece = Piece(
    name="subflows",
    display_name="Subflows",
    version="0.1.0",
    description="Split work into flows that call each other: call a flow, wait for its "
    "response, answer the flow that called.",
    logo="subflows.svg",
    categories=("CORE",),
    actions=(call_flow, return_response),
    triggers=(callable_flow,),
)

__all__ = ["piece"]
