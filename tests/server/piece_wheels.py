"""A real piece wheel, built in memory, for install, connection and options tests."""

import io
import zipfile

_SOURCE = '''
"""Test CRM: a secret-key piece and an OAuth2 piece sharing one action."""

import os

from pieces.framework import (
    Action,
    Dropdown,
    DropdownState,
    DynamicProperties,
    MultiSelectDropdown,
    OAuth2,
    Option,
    Piece,
    PieceError,
    SecretText,
    ShortText,
)


async def _check_key(value):
    return None if value in ("good-key", "broken-key") else "the service refused this key"


async def _lists(request):
    if request.auth is None:
        return DropdownState(disabled=True, placeholder="Connect an account first")
    if request.auth == "broken-key":
        raise PieceError("the CRM is down")
    names = [("Leads", "leads"), ("Customers", "customers")]
    search = request.search.lower()
    return DropdownState(
        options=tuple(Option(label=label, value=value) for label, value in names if search in label.lower())
    )


async def _fields(request):
    if request.props.get("list") == "down":
        raise PieceError("the field service is down")
    if request.props.get("list") == "leads":
        return {"email": ShortText(display_name="Email", required=True)}
    if request.props.get("list") == "customers":
        return {
            "email": ShortText(display_name="Email"),
            "stage": Dropdown(display_name="Stage", options=_stages, refreshers=("email",)),
        }
    return {}


async def _stages(request):
    # A field of the dynamic "fields": its values arrive under that key, as the form has them.
    if request.auth is None:
        return DropdownState(disabled=True, placeholder="Connect an account first")
    email = (request.props.get("fields") or {}).get("email") or ""
    if email == "down@example.com":
        raise PieceError("the stage service is down")
    stages = [("Prospect", "prospect"), ("Won", "won")]
    if email.endswith("@vip.example"):
        stages.append(("VIP", "vip"))
    return DropdownState(options=tuple(Option(label=label, value=value) for label, value in stages))


async def _tags(request):
    if request.auth == "broken-key":
        raise PieceError("the CRM is down")
    return DropdownState(options=(Option(label="VIP", value="vip"), Option(label="New", value="new")))


async def _run(ctx):
    return {"list": ctx.props["list"]}


add_contact = Action(
    name="add_contact",
    display_name="Add contact",
    props={
        "list": Dropdown(display_name="List", options=_lists, searchable=True, required=True),
        "fields": DynamicProperties(display_name="Fields", props=_fields, refreshers=("list",)),
        "tags": MultiSelectDropdown(display_name="Tags", options=_tags),
    },
    run=_run,
)

piece = Piece(
    name="test_crm",
    display_name="Test CRM",
    version="VERSION",
    auth=SecretText(display_name="API key", validate=_check_key),
    actions=(add_contact,),
)

oauth_piece = Piece(
    name="test_oauth",
    display_name="Test OAuth",
    version="VERSION",
    auth=OAuth2(
        display_name="Account",
        auth_url=os.environ.get("PW_TEST_OAUTH_AUTH_URL", "https://auth.example.com/authorize"),
        token_url=os.environ.get("PW_TEST_OAUTH_TOKEN_URL", "http://127.0.0.1:9/token"),
        scope=("contacts.read",),
    ),
    actions=(add_contact,),
)
'''


def crm_wheel(version: str = "1.0.0", *, pure: bool = True, source: str | None = None) -> bytes:
    """The wheel `pw_test_crm-<version>-py3-none-any.whl` registering pieces test_crm and test_oauth."""
    return piece_wheel(
        "pw_test_crm",
        version,
        (source or _SOURCE).replace("VERSION", version),
        {"test_crm": "piece", "test_oauth": "oauth_piece"},
        pure=pure,
    )


def piece_wheel(
    package: str, version: str, source: str, pieces: dict[str, str], *, pure: bool = True
) -> bytes:
    """A one-module wheel whose `pieces` maps piece names to attributes of the module."""
    info = f"{package}-{version}.dist-info"
    entry_points = "".join(f"{name} = {package}:{attr}\n" for name, attr in pieces.items())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{package}/__init__.py", source)
        archive.writestr(
            f"{info}/METADATA",
            f"Metadata-Version: 2.1\nName: {package.replace('_', '-')}\nVersion: {version}\n",
        )
        archive.writestr(
            f"{info}/WHEEL",
            f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: {'true' if pure else 'false'}\nTag: py3-none-any\n",
        )
        archive.writestr(f"{info}/entry_points.txt", "[piecework.pieces]\n" + entry_points)
        archive.writestr(f"{info}/RECORD", "")
    return buffer.getvalue()
