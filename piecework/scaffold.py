"""`piecework pieces new`: writes a new piece package with one action, a test and a README."""

import re
from pathlib import Path

#: Piece and action keys are snake_case and start with a letter.
KEY = re.compile(r"[a-z][a-z0-9_]*")


class ScaffoldError(ValueError):
    """The name is not a valid key, or the piece already exists."""


_INIT = '''"""The {title} piece."""

{init_imports}

piece = Piece(
    name="{name}",
    display_name="{title}",
    version="0.1.0",
    description="TODO: one sentence on what {title} does.",
    logo="{name}.svg",
    categories=("CORE",),
    actions=({action},),
)

__all__ = ["piece"]
'''

_ACTION = '''"""{action_title}: TODO say what it does."""

from typing import Any

from pieces.framework import Action, ActionContext, ShortText


async def _run(ctx: ActionContext) -> dict[str, Any]:
    return {{"message": f"Hello, {{ctx.props['name']}}!"}}


{action} = Action(
    name="{action}",
    display_name="{action_title}",
    description="TODO: one sentence on what it does.",
    props={{"name": ShortText(display_name="Name", required=True)}},
    run=_run,
)
'''

_TEST = '''"""{action_title}: TODO the behaviour under test."""

import pytest

{test_imports}


async def test_{action}_greets_by_name() -> None:
    result = await run_action({action}, {{"name": "Ada"}})
    assert result.output == {{"message": "Hello, Ada!"}}


async def test_{action}_requires_a_name() -> None:
    with pytest.raises(PropsValidationError, match="Name is required"):
        await run_action({action}, {{}})
'''

_README = """# {title}

TODO: what the piece connects to.

- **Auth:** none (set `auth=` on the piece: SecretText, BasicAuth, CustomAuth or OAuth2).
- **Rate limits:** none known.
- **Quirks:** none yet.

Actions: `{action}`. Tests: `tests/pieces/{name}/`; refresh the metadata snapshot with
`PW_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/pieces/test_metadata_snapshots.py`.
"""


def scaffold_piece(*, root: Path, name: str, action: str = "say_hello") -> list[Path]:
    """Writes `pieces/<name>/` and `tests/pieces/<name>/` under `root`.

    Args:
        root: the repository (or distribution) root.
        name: the piece key, snake_case.
        action: the first action's key, snake_case.

    Returns:
        The files written.

    Raises:
        ScaffoldError: a key is not snake_case, or `pieces/<name>` exists already.
    """
    for key in (name, action):
        if not KEY.fullmatch(key):
            raise ScaffoldError(f"{key!r} is not a snake_case key (a-z, 0-9, _; a letter first)")
    package = root / "pieces" / name
    if package.exists():
        raise ScaffoldError(f"{package} exists already")
    words = {
        "name": name,
        "action": action,
        "title": name.replace("_", " ").title(),
        "action_title": action.replace("_", " ").capitalize(),
    }
    own = f"from pieces.{name}.actions.{action} import {action}"
    # Sorted as ruff's isort sorts them, so a new piece passes `make check` as written.
    words["init_imports"] = "\n".join(sorted([own, "from pieces.framework import Piece"]))
    words["test_imports"] = "\n".join(
        sorted(
            [
                own,
                "from pieces.framework import PropsValidationError",
                "from pieces.framework.testing import run_action",
            ]
        )
    )
    tests = root / "tests" / "pieces" / name
    files = {
        package / "__init__.py": _INIT,
        package / "actions" / "__init__.py": "",
        package / "actions" / f"{action}.py": _ACTION,
        package / "README.md": _README,
        tests / "__init__.py": "",
        tests / f"test_{action}.py": _TEST,
    }
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**words), encoding="utf-8")
    return list(files)
