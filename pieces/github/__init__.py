"""The GitHub piece: create issues and comments, and start flows on new issues and pull requests."""

from pieces.framework import Piece
from pieces.framework.custom_api_call import custom_api_call
from pieces.github.actions.create_comment import create_comment
from pieces.github.actions.create_issue import create_issue
from pieces.github.client import auth_headers, base_url, github_auth
from pieces.github.triggers.new_issue import new_issue
from pieces.github.triggers.new_pull_request import new_pull_request

piece = Piece(
    name="github",
    display_name="GitHub",
    version="0.1.0",
    description="Create issues and comments, and start flows on new issues and pull requests.",
    logo="github.svg",
    categories=("DEVELOPER_TOOLS",),
    auth=github_auth,
    actions=(
        create_issue,
        create_comment,
        custom_api_call(base_url=base_url, auth_mapping=auth_headers),
    ),
    triggers=(new_issue, new_pull_request),
)

__all__ = ["piece"]
