"""The OpenAI piece: chat, structured extraction and embeddings on any OpenAI-compatible API."""

from pieces.framework import Piece
from pieces.framework.custom_api_call import custom_api_call
from pieces.openai.actions.chat_completion import chat_completion
from pieces.openai.actions.create_embeddings import create_embeddings
from pieces.openai.actions.extract_structured_data import extract_structured_data
from pieces.openai.client import base_url, headers, openai_auth

piece = Piece(
    name="openai",
    display_name="OpenAI",
    version="0.1.0",
    description=(
        "Chat, structured extraction and embeddings with OpenAI or any OpenAI-compatible server "
        "(Ollama, LM Studio, vLLM)."
    ),
    logo="openai.svg",
    categories=("ARTIFICIAL_INTELLIGENCE",),
    auth=openai_auth,
    actions=(
        chat_completion,
        extract_structured_data,
        create_embeddings,
        custom_api_call(base_url=base_url, auth_mapping=headers),
    ),
)

__all__ = ["piece"]
