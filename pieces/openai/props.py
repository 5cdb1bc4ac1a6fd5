"""Props shared by the OpenAI actions."""

from pieces.framework import Dropdown
from pieces.openai.client import model_options


def model(default: str) -> Dropdown:
    """A model dropdown loaded from the API; any model name may be typed in."""
    return Dropdown(
        display_name="Model",
        description=f"e.g. {default}, or a local model such as llama3.2",
        required=True,
        default=default,
        options=model_options,
        searchable=True,
    )
