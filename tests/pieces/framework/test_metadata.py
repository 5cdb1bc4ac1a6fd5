"""Piece metadata: camelCase JSON with every prop's schema, the auth schema and requireAuth."""

import json
from typing import Any

from pieces.framework import (
    Action,
    ActionContext,
    Array,
    Markdown,
    Piece,
    SecretText,
    ShortText,
    Trigger,
    TriggerContext,
    TriggerStrategy,
)
from pieces.framework.metadata import metadata_json, piece_metadata


async def _noop(ctx: ActionContext) -> None:
    return None


async def _items(ctx: TriggerContext) -> list[Any]:
    return []


PIECE = Piece(
    name="acme",
    display_name="Acme",
    version="1.2.0",
    auth=SecretText(display_name="API key"),
    actions=(
        Action(
            name="create_row",
            display_name="Create row",
            props={
                "note": Markdown(value="See {{webhookUrl}}"),
                "tags": Array(display_name="Tags", items={"name": ShortText(display_name="Name")}),
            },
            run=_noop,
        ),
        Action(name="ping", display_name="Ping", run=_noop, require_auth=False),
    ),
    triggers=(
        Trigger(
            name="new_row",
            display_name="New row",
            type=TriggerStrategy.POLLING,
            run=_items,
            sample_data={"id": 1},
        ),
    ),
)


def test_metadata_carries_auth_props_and_require_auth() -> None:
    meta = piece_metadata(PIECE)
    assert meta.auth is not None
    assert meta.auth.type == "SECRET_TEXT"
    assert meta.actions["create_row"].require_auth
    assert not meta.actions["ping"].require_auth
    assert meta.triggers["new_row"].type == "POLLING"
    tags = meta.actions["create_row"].props["tags"]
    assert tags.properties is not None
    assert tags.properties["name"].type == "SHORT_TEXT"


def test_metadata_json_is_camel_case_and_leaves_out_empty_fields() -> None:
    data = json.loads(metadata_json(PIECE))
    assert data["minimumSupportedRelease"] == "0.1.0"
    assert data["triggers"]["new_row"]["sampleData"] == {"id": 1}
    note = data["actions"]["create_row"]["props"]["note"]
    assert note == {
        "description": "",
        "displayName": "",
        "required": False,
        "type": "MARKDOWN",
        "value": "See {{webhookUrl}}",
        "variant": "INFO",
    }
