"""Static checks of code-step sources (syntax, the `code` export) with the real Deno, nothing run."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from engine.runtime.code_check import MISSING_EXPORT, CodeProblem
from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.errors import CodeExecutionError


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[DenoCodeRuntime]:
    runtime = DenoCodeRuntime(cache_dir=tmp_path / "deno")
    yield runtime
    await runtime.close()


@pytest.mark.parametrize(
    "source",
    [
        "export const code = async (inputs) => inputs.a + inputs.b",
        "export async function code(inputs) { return 1 }",
        "interface In { a: number }\nexport const code = async (inputs: In): Promise<number> => inputs.a",
        'import _ from "lodash";\nimport { x } from "./helpers.ts";\nexport const code = async () => _.sum([x])',
        "const code = async () => 1;\nexport { code };",
        "export const code = makeHandler();",
    ],
)
async def test_runnable_sources_have_no_problems(runtime: DenoCodeRuntime, source: str) -> None:
    assert await runtime.check_source(source) == []


async def test_a_syntax_error_is_reported_with_its_line(runtime: DenoCodeRuntime) -> None:
    problems = await runtime.check_source("export const code = async () => {\n  return 1 +\n}\n")
    assert problems == [CodeProblem(message="SyntaxError: Expression expected", line=3, column=1)]
    assert str(problems[0]) == "SyntaxError: Expression expected (line 3, column 1)"


async def test_an_unclosed_block_is_a_syntax_error(runtime: DenoCodeRuntime) -> None:
    problems = await runtime.check_source("export const code = async () => {{{")
    assert len(problems) == 1
    assert problems[0].message == "SyntaxError: Expected '}', got '<eof>'"
    assert problems[0].line == 1


async def test_a_missing_code_export_is_reported(runtime: DenoCodeRuntime) -> None:
    for source in ("export const handler = () => 1", "const code = () => 1", ""):
        assert await runtime.check_source(source) == [CodeProblem(message=MISSING_EXPORT)]


@pytest.mark.parametrize(
    ("source", "what", "line"),
    [
        ("export const code = 5", "number", 1),
        ("// a comment\n\nexport const code = 'text'", "string", 3),
        ("export const code = { run: () => 1 }", "object", 1),
        ("export class code {}", "class", 1),
    ],
)
async def test_a_non_function_export_is_reported_with_its_line(
    runtime: DenoCodeRuntime, source: str, what: str, line: int
) -> None:
    problems = await runtime.check_source(source)
    assert len(problems) == 1
    assert problems[0].message.startswith(f"The code exports code as a {what}, not a function")
    assert problems[0].line == line


async def test_the_check_runs_nothing(runtime: DenoCodeRuntime, tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    source = f"Deno.writeTextFileSync({str(marker)!r}, 'x');\nexport const code = async () => 1"
    assert await runtime.check_source(source) == []
    assert not marker.exists()


async def test_run_time_and_check_time_say_the_same(runtime: DenoCodeRuntime) -> None:
    for source in ("export const handler = () => 1", "export const code = 5"):
        (problem,) = await runtime.check_source(source)
        with pytest.raises(CodeExecutionError) as caught:
            await runtime.run(source, {})
        assert caught.value.message == problem.message
