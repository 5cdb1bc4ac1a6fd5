"""The props of Send HTTP Request; authentication fields depend on the chosen auth type."""

from collections.abc import Mapping

from pieces.framework import (
    Checkbox,
    Custom,
    DynamicProperties,
    Number,
    Object,
    Option,
    OptionsRequest,
    Prop,
    ShortText,
    StaticDropdown,
    validators,
)

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
BODY_TYPES = {
    "none": "None",
    "json": "JSON",
    "form": "Form data (URL-encoded)",
    "raw": "Raw text",
    "multipart": "Multipart (fields and files)",
}


async def auth_fields(request: OptionsRequest) -> Mapping[str, Prop]:
    """The fields of the chosen auth type (`authType` refreshes them)."""
    auth_type = request.props.get("authType") or "NONE"
    if auth_type == "BASIC":
        return {
            "username": ShortText(display_name="Username", required=True),
            "password": ShortText(display_name="Password", required=True),
        }
    if auth_type == "BEARER_TOKEN":
        return {"token": ShortText(display_name="Token", required=True)}
    return {}


PROPS: Mapping[str, Prop] = {
    "method": StaticDropdown(
        display_name="Method",
        default="GET",
        options=tuple(Option(label=m, value=m) for m in METHODS),
    ),
    "url": ShortText(display_name="URL", required=True, validators=(validators.url(),)),
    "headers": Object(display_name="Headers", default={}),
    "queryParams": Object(display_name="Query parameters", default={}),
    "body_type": StaticDropdown(
        display_name="Body type",
        default="none",
        options=tuple(Option(label=label, value=key) for key, label in BODY_TYPES.items()),
    ),
    "body": Custom(
        display_name="Body",
        description="JSON: any JSON value. Form and multipart: an object of fields (in multipart, "
        "a file reference from an earlier step is sent as a file). Raw: text.",
    ),
    "authType": StaticDropdown(
        display_name="Authentication",
        default="NONE",
        options=(
            Option(label="None", value="NONE"),
            Option(label="Basic", value="BASIC"),
            Option(label="Bearer token", value="BEARER_TOKEN"),
        ),
    ),
    "authFields": DynamicProperties(
        display_name="Authentication fields",
        props=auth_fields,
        refreshers=("authType",),
        default={},
    ),
    "timeout": Number(
        display_name="Timeout (seconds)",
        default=30,
        validators=(validators.min_value(0.001), validators.max_value(600)),
    ),
    "followRedirects": Checkbox(display_name="Follow redirects", default=True),
    "responseType": StaticDropdown(
        display_name="Response as",
        description="JSON falls back to text when the body is not JSON.",
        default="json",
        options=(
            Option(label="JSON", value="json"),
            Option(label="Text", value="text"),
            Option(label="File", value="file"),
        ),
    ),
    "failureMode": StaticDropdown(
        display_name="On error status",
        default="all",
        options=(
            Option(label="Fail the step on 4xx and 5xx", value="all"),
            Option(label="Fail only on 5xx", value="5xx"),
            Option(label="Never fail; return the response", value="none"),
        ),
    ),
}
