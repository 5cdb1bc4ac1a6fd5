"""npm packages of code steps: read from a step's packageJson, cached ahead, imported from the cache.

A step lists its packages as Activepieces does, `{"dependencies": {"lodash": "^4.17.21"}}`, and
imports them by name (`import _ from "lodash"`). `PackageCache.prepare()` downloads them from the
npm registry through Deno (`deno cache`) into the runtime's Deno cache dir when the step is
saved, or at its first run; an unknown package or version is a clear error then. Executions run
with `--cached-only --no-remote`: the step's bare imports are rewritten to `npm:` specifiers
pinned to the listed ranges, which Deno resolves from the cache alone.
"""

import asyncio
import json
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from engine.runtime.errors import CodePackageError

#: An npm package name, optionally scoped (npm's own rules: lowercase, URL-safe).
_NAME = re.compile(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$")

#: A registry version, range or dist-tag (no URLs, paths, git or aliases).
_VERSION = re.compile(r"^[\w.^~<>=|*+ -]*$")

#: Import specifiers in source text: `from "x"`, `import "x"`, `import("x")`.
_SPECIFIER = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"'\n]+)\2""")

#: How long downloading a step's packages may take.
_PREPARE_TIMEOUT_S = 180.0


def parse_dependencies(package_json: str) -> dict[str, str]:
    """Reads the `dependencies` of a step's packageJson.

    Args:
        package_json: the document as text; empty or `{}` means no packages.

    Returns:
        Package name → version range, in document order.

    Raises:
        CodePackageError: not a JSON object, or a name or version npm would not accept.
    """
    if not package_json.strip():
        return {}
    try:
        document = json.loads(package_json)
    except json.JSONDecodeError as err:
        raise CodePackageError(f"The step's package.json is not valid JSON: {err}") from None
    if not isinstance(document, dict):
        raise CodePackageError("The step's package.json must be a JSON object")
    dependencies = document.get("dependencies") or {}
    if not isinstance(dependencies, dict):
        raise CodePackageError('"dependencies" in the step\'s package.json must be an object')
    for name, version in dependencies.items():
        if not _NAME.match(name):
            raise CodePackageError(
                f"{name!r} in the step's package.json is not an npm package name"
            )
        if not isinstance(version, str) or not _VERSION.match(version):
            raise CodePackageError(
                f'The version of {name!r} must be a registry version or range such as "^1.2.0",'
                f" not {version!r} (URLs, files and git are not supported)"
            )
    return dict(dependencies)


def npm_specifier(name: str, version: str) -> str:
    """The Deno specifier of a package at a version range (`npm:lodash@^4.17.21`)."""
    version = version.strip()
    return f"npm:{name}" if version in ("", "*", "latest") else f"npm:{name}@{version}"


def rewrite_imports(code: str, dependencies: Mapping[str, str]) -> str:
    """Points the step's imports of its listed packages (and their subpaths) at `npm:` specifiers."""
    if not dependencies:
        return code

    def replace(match: re.Match[str]) -> str:
        prefix, quote, specifier = match.groups()
        for name, version in dependencies.items():
            if specifier == name or specifier.startswith(name + "/"):
                rest = specifier[len(name) :]
                return f"{prefix}{quote}{npm_specifier(name, version)}{rest}{quote}"
        return match.group(0)

    return _SPECIFIER.sub(replace, code)


@dataclass(slots=True, kw_only=True)
class PackageCache:
    """Downloads steps' npm packages into a Deno cache dir, once per set of dependencies."""

    deno_path: str
    cache_dir: Path
    env: Mapping[str, str]
    _prepared: set[str] = field(default_factory=set)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def prepare(self, dependencies: Mapping[str, str]) -> None:
        """Makes sure every package is in the cache, downloading what is missing.

        Raises:
            CodePackageError: a package or version does not exist, or the registry is unreachable.
        """
        if not dependencies:
            return
        key = json.dumps(sorted(dependencies.items()))
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key in self._prepared:
                return
            await self._download(dependencies)
            self._prepared.add(key)

    async def _download(self, dependencies: Mapping[str, str]) -> None:
        workdir = Path(tempfile.mkdtemp(prefix="pw-npm-"))
        try:
            imports = "".join(
                f'import "{npm_specifier(name, version)}";\n'
                for name, version in dependencies.items()
            )
            (workdir / "packages.ts").write_text(imports, encoding="utf-8")
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            process = await asyncio.create_subprocess_exec(
                *(self.deno_path, "cache", "--quiet", "--no-config", "--no-lock"),
                "--node-modules-dir=none",
                str(workdir / "packages.ts"),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
                cwd=workdir,
                env=dict(self.env),
            )
            try:
                async with asyncio.timeout(_PREPARE_TIMEOUT_S):
                    _, stderr = await process.communicate()
            except TimeoutError:
                process.kill()
                await process.communicate()
                raise CodePackageError(
                    f"Downloading the step's npm packages took longer than {_PREPARE_TIMEOUT_S:g} s;"
                    " check that registry.npmjs.org is reachable"
                ) from None
            if process.returncode != 0:
                raise CodePackageError(_package_failure(stderr.decode(errors="replace")))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def _package_failure(stderr: str) -> str:
    first = next((line for line in stderr.splitlines() if line.strip()), "").strip()
    detail = first.removeprefix("error: ").strip() or "deno cache failed"
    if "does not exist" in detail:
        return f"Unknown npm package: {detail}"
    if "matching" in detail:
        return f"No such version: {detail}"
    return f"Could not download the step's npm packages: {detail}"
