"""Piece metadata: the JSON a piece exports so the server can list it and the desktop draw its forms."""

from typing import Any

from engine.model.base import Model


class OptionSchema(Model):
    """One choice of a dropdown."""

    label: str
    value: Any


class PropSchema(Model):
    """One input of an action, trigger or auth form.

    `type` is the prop kind (SHORT_TEXT, NUMBER, DROPDOWN, ...); the optional fields are set only
    for the kinds they apply to.
    """

    type: str
    display_name: str
    description: str = ""
    required: bool = False
    default_value: Any = None
    #: STATIC_DROPDOWN and STATIC_MULTI_SELECT_DROPDOWN: the fixed choices.
    options: list[OptionSchema] | None = None
    #: DROPDOWN, MULTI_SELECT_DROPDOWN and DYNAMIC: the props whose values reload the options.
    refreshers: list[str] | None = None
    #: DROPDOWN and MULTI_SELECT_DROPDOWN: whether the options can be searched on the server.
    searchable: bool | None = None
    #: MARKDOWN: the text shown (may contain `{{webhookUrl}}`) and its variant.
    value: str | None = None
    variant: str | None = None
    #: ARRAY of sub-props: the props of one item.
    properties: dict[str, "PropSchema"] | None = None


class AuthSchema(Model):
    """How a piece is connected: the connection form and, for OAuth2, the grant to run."""

    type: str
    display_name: str
    description: str = ""
    required: bool = True
    #: CUSTOM_AUTH: the connection form's props. BASIC: `username` and `password`.
    props: dict[str, PropSchema] | None = None
    #: OAUTH2 only.
    grant_type: str | None = None
    auth_url: str | None = None
    token_url: str | None = None
    scope: list[str] | None = None
    pkce: bool | None = None


class ActionMetadata(Model):
    """One action: its key, texts and input props."""

    name: str
    display_name: str
    description: str = ""
    props: dict[str, PropSchema]
    require_auth: bool = False


class TriggerMetadata(Model):
    """One trigger: its key, strategy, texts, input props and sample output."""

    name: str
    display_name: str
    description: str = ""
    type: str
    props: dict[str, PropSchema]
    sample_data: Any = None
    require_auth: bool = False


class PieceMetadata(Model):
    """Everything the server serves and the desktop renders about one version of a piece."""

    name: str
    display_name: str
    description: str = ""
    logo: str = ""
    version: str
    categories: list[str] = []
    minimum_supported_release: str
    auth: AuthSchema | None = None
    actions: dict[str, ActionMetadata]
    triggers: dict[str, TriggerMetadata]
    #: True for pieces that reach into the machine the server runs on (local files, desktop
    #: notifications): meant for personal mode; a team server hides them unless its admin
    #: enables them. Absent (None) for every other piece.
    personal_only: bool | None = None


class PieceSummary(Model):
    """A piece in a list: enough to show it and search it, without its props."""

    name: str
    display_name: str
    description: str = ""
    logo: str = ""
    version: str
    categories: list[str] = []
    actions: int = 0
    triggers: int = 0
