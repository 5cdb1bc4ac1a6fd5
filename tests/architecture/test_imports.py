"""Import boundaries that import-linter cannot state: pieces stay independent of each other."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIECES = ROOT / "pieces"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _piece_packages() -> list[Path]:
    return [
        p
        for p in PIECES.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name != "framework"
    ]


def test_pieces_import_only_the_framework_and_themselves() -> None:
    problems = []
    for package in _piece_packages():
        for module in package.rglob("*.py"):
            for name in _imports(module):
                top = name.split(".")
                if top[0] in {"engine", "server", "desktop", "piecework"}:
                    problems.append(f"{module.relative_to(ROOT)} imports {name}")
                if (
                    top[0] == "pieces"
                    and len(top) > 1
                    and top[1] not in {"framework", package.name}
                ):
                    problems.append(f"{module.relative_to(ROOT)} imports another piece: {name}")
    assert problems == []


def test_every_piece_exports_a_piece_and_one_action_per_module() -> None:
    for package in _piece_packages():
        assert "piece = Piece(" in (package / "__init__.py").read_text(), package
        for module in (package / "actions").glob("[!_]*.py"):
            assert f'name="{module.stem}"' in module.read_text(), (
                f"{module}: the action key must equal the module name"
            )


def test_facade_packages_stay_empty() -> None:
    for facade in (ROOT / "engine" / "__init__.py", ROOT / "pieces" / "__init__.py"):
        assert facade.read_text().strip() == "", (
            f"{facade} must stay empty so importing the contract loads nothing"
        )
