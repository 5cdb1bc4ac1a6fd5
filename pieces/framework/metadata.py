"""Builds a piece's metadata (what the server serves and the desktop renders) from its definition."""

import json
from collections.abc import Mapping

from engine.model.pieces import ActionMetadata, PieceMetadata, PropSchema, TriggerMetadata
from pieces.framework.piece import Piece
from pieces.framework.props import Prop


def piece_metadata(piece: Piece) -> PieceMetadata:
    """The metadata of one version of a piece.

    Args:
        piece: the piece definition.

    Returns:
        Name, texts, logo, version, categories, auth schema, and every action and trigger with
        the schema of its props.
    """
    has_auth = piece.auth is not None
    return PieceMetadata(
        name=piece.name,
        display_name=piece.display_name,
        description=piece.description,
        logo=piece.logo,
        version=piece.version,
        categories=list(piece.categories),
        minimum_supported_release=piece.minimum_supported_release,
        auth=piece.auth.metadata() if piece.auth is not None else None,
        personal_only=True if piece.personal_only else None,
        actions={
            action.name: ActionMetadata(
                name=action.name,
                display_name=action.display_name,
                description=action.description,
                props=_props(action.props),
                require_auth=has_auth and action.require_auth,
            )
            for action in piece.actions
        },
        triggers={
            trigger.name: TriggerMetadata(
                name=trigger.name,
                display_name=trigger.display_name,
                description=trigger.description,
                type=trigger.type.value,
                props=_props(trigger.props),
                sample_data=trigger.sample_data,
                require_auth=has_auth and trigger.require_auth,
            )
            for trigger in piece.triggers
        },
    )


def metadata_json(piece: Piece) -> str:
    """The metadata as stable, indented JSON (camelCase keys), as snapshots store it."""
    data = piece_metadata(piece).model_dump(mode="json", exclude_none=True)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _props(props: Mapping[str, Prop]) -> dict[str, PropSchema]:
    return {key: prop.metadata() for key, prop in props.items()}
