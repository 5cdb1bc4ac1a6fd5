"""npm packages of code steps: package.json parsing, import rewriting, and the real registry and cache.

The registry tests download two tiny packages pinned to exact versions (is-odd 3.0.1 and its
dependency is-number 6.0.0) once per module into a shared Deno cache dir; they skip, saying so,
when registry.npmjs.org cannot be reached.
"""

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.deno_process import cache_dir_from_env
from engine.runtime.errors import CodeExecutionError, CodePackageError
from engine.runtime.npm_packages import npm_specifier, parse_dependencies, rewrite_imports

IS_ODD = '{"dependencies": {"is-odd": "3.0.1"}}'
USES_IS_ODD = (
    'import isOdd from "is-odd";\n'
    "export const code = async (inputs: { n: number }) => ({ odd: isOdd(inputs.n) })"
)


@pytest.fixture(scope="module")
def npm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Deno cache dir shared by this module's tests; skips when the registry is unreachable."""
    try:
        socket.create_connection(("registry.npmjs.org", 443), timeout=5).close()
    except OSError as err:
        pytest.skip(f"registry.npmjs.org is not reachable from this machine ({err})")
    return tmp_path_factory.mktemp("npm-cache")


@pytest.fixture
async def runtime(npm_cache: Path) -> AsyncIterator[DenoCodeRuntime]:
    runtime = DenoCodeRuntime(cache_dir=npm_cache, heap_mb=64, pool_size=1)
    yield runtime
    await runtime.close()


def test_dependencies_are_read_from_package_json() -> None:
    assert parse_dependencies("") == {}
    assert parse_dependencies("{}") == {}
    text = '{"name": "x", "dependencies": {"lodash": "^4.17.21", "@scope/pkg": "1.0.0"}}'
    assert parse_dependencies(text) == {"lodash": "^4.17.21", "@scope/pkg": "1.0.0"}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{nope", "package.json is not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"dependencies": ["lodash"]}', '"dependencies" in the step\'s package.json must be'),
        ('{"dependencies": {"Bad Name": "1"}}', "'Bad Name' in the step's package.json is not"),
        (
            '{"dependencies": {"x": "git+https://github.com/a/b.git"}}',
            "URLs, files and git are not supported",
        ),
        ('{"dependencies": {"x": 1}}', "must be a registry version or range"),
    ],
)
def test_bad_package_json_is_a_clear_error(document: str, message: str) -> None:
    with pytest.raises(CodePackageError) as caught:
        parse_dependencies(document)
    assert message in caught.value.message


def test_imports_of_listed_packages_point_at_npm_specifiers() -> None:
    source = (
        'import _ from "lodash";\n'
        "import fp from 'lodash/fp';\n"
        'import { x } from "lodashx";\n'
        'import fs from "node:fs";\n'
        'const later = await import("lodash");\n'
        'export * from "lodash";\n'
    )
    rewritten = rewrite_imports(source, {"lodash": "^4.17.21"})
    assert rewritten == (
        'import _ from "npm:lodash@^4.17.21";\n'
        "import fp from 'npm:lodash@^4.17.21/fp';\n"
        'import { x } from "lodashx";\n'
        'import fs from "node:fs";\n'
        'const later = await import("npm:lodash@^4.17.21");\n'
        'export * from "npm:lodash@^4.17.21";\n'
    )
    assert npm_specifier("a", "*") == "npm:a"
    assert npm_specifier("a", "latest") == "npm:a"


async def test_a_step_imports_its_package_from_the_cache(
    runtime: DenoCodeRuntime, npm_cache: Path
) -> None:
    result = await runtime.run(USES_IS_ODD, {"n": 3}, package_json=IS_ODD)
    assert result.output == {"odd": True}
    assert (npm_cache / "npm" / "registry.npmjs.org" / "is-odd").is_dir()
    again = await runtime.run(USES_IS_ODD, {"n": 4}, package_json=IS_ODD)
    assert again.output == {"odd": False}


async def test_prepare_at_save_time_then_executions_need_no_registry(
    runtime: DenoCodeRuntime,
) -> None:
    await runtime.prepare(IS_ODD)
    assert (await runtime.run(USES_IS_ODD, {"n": 5}, package_json=IS_ODD)).output == {"odd": True}
    # Executions are cache-only: a package nobody prepared cannot be fetched by a step.
    sneaky = 'import pad from "npm:left-pad@1.3.0";\nexport const code = async () => pad("a", 3)'
    with pytest.raises(CodeExecutionError, match="--cached-only is specified"):
        await runtime.run(sneaky, {})


async def test_an_unknown_package_is_a_clear_error_at_save_time(runtime: DenoCodeRuntime) -> None:
    missing = '{"dependencies": {"piecework-no-such-package-4f1c2a": "1.0.0"}}'
    with pytest.raises(CodePackageError) as caught:
        await runtime.prepare(missing)
    assert caught.value.message == (
        "Unknown npm package: npm package 'piecework-no-such-package-4f1c2a' does not exist."
    )
    with pytest.raises(CodePackageError, match=r"No such version: .*'is-odd' matching '99\.0\.0'"):
        await runtime.prepare('{"dependencies": {"is-odd": "99.0.0"}}')


async def test_concurrent_first_runs_download_once(runtime: DenoCodeRuntime) -> None:
    results = await asyncio.gather(
        *(runtime.run(USES_IS_ODD, {"n": n}, package_json=IS_ODD) for n in range(4))
    )
    assert [result.output["odd"] for result in results] == [False, True, False, True]


def test_cache_dir_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PW_CODE_CACHE_DIR", raising=False)
    assert cache_dir_from_env(tmp_path / "default") == tmp_path / "default"
    monkeypatch.setenv("PW_CODE_CACHE_DIR", str(tmp_path / "shared"))
    assert cache_dir_from_env(tmp_path / "default") == tmp_path / "shared"
