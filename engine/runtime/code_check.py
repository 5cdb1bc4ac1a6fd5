"""Static checks of a code step's source, without running it: syntax and the `code` export.

`deno doc --json` parses the module (JavaScript or TypeScript) and lists its exports without
executing anything. Imports are pointed at an empty local module first, so the check needs
neither the network nor the npm cache. Problems carry the same messages as the run-time errors.
"""

import asyncio
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Import specifiers in source text: `from "x"`, `import "x"`, `import("x")`.
_SPECIFIER = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"'\n]+)\2""")

#: Where a parse error points: `at file:///…/step.ts:LINE:COLUMN`.
_POSITION = re.compile(r"step\.ts:(\d+):(\d+)")

#: How long a check may take.
_CHECK_TIMEOUT_S = 30.0

MISSING_EXPORT = (
    "The code must export a function named code, e.g. export const code = async (inputs) => { ... }"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeProblem:
    """One thing wrong with a step's source; `line` and `column` count from 1 when known."""

    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"{self.message} (line {self.line}, column {self.column})"


async def check_source(code: str, *, deno_path: str, env: dict[str, str]) -> list[CodeProblem]:
    """Finds syntax errors and a missing or non-function `code` export.

    Args:
        code: the step's source (JavaScript or TypeScript module).
        deno_path: the Deno binary.
        env: Deno's environment (its cache dir).

    Returns:
        The problems; empty when the source looks runnable.
    """
    workdir = Path(tempfile.mkdtemp(prefix="pw-check-"))
    try:
        stubbed = _SPECIFIER.sub(lambda m: f"{m.group(1)}{m.group(2)}./stub.ts{m.group(2)}", code)
        (workdir / "step.ts").write_text(stubbed, encoding="utf-8")
        (workdir / "stub.ts").write_text("", encoding="utf-8")
        # The parser behind `deno doc` recovers from some errors (an unclosed block at the end)
        # that `deno lint` reports, so both run: lint for syntax, doc for the exports.
        common = ("--quiet", "--no-config")
        lint, doc = await asyncio.gather(
            _deno(workdir, deno_path, env, "lint", "--json", "--no-config", "step.ts"),
            _deno(workdir, deno_path, env, "doc", "--json", *common, "--no-lock", *_OFFLINE),
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for returncode, _, stderr in (lint, doc):
        if returncode is None:
            return [CodeProblem(message="Checking the code took too long")]
        if "SyntaxError" in stderr:
            return [_parse_error(stderr)]
    returncode, stdout, stderr = doc
    if returncode != 0:
        return [_parse_error(stderr)]
    return _export_problems(json.loads(stdout))


#: `deno doc` resolves nothing beyond the stub.
_OFFLINE = ("--no-remote", "--no-npm", "step.ts")


async def _deno(
    workdir: Path, deno_path: str, env: dict[str, str], *args: str
) -> tuple[int | None, str, str]:
    """Runs a Deno subcommand in `workdir`; the status is None when it timed out."""
    process = await asyncio.create_subprocess_exec(
        deno_path,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=workdir,
        env=env,
    )
    try:
        async with asyncio.timeout(_CHECK_TIMEOUT_S):
            stdout, stderr = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.communicate()
        return None, "", ""
    return process.returncode, stdout.decode(errors="replace"), stderr.decode(errors="replace")


def _parse_error(stderr: str) -> CodeProblem:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    first = next((line for line in lines if "SyntaxError" in line), lines[0] if lines else "")
    message = first.removeprefix("error: ").removeprefix("warn: ") or "The code cannot be parsed"
    position = _POSITION.search(stderr)
    if position is None:
        return CodeProblem(message=message)
    return CodeProblem(message=message, line=int(position[1]), column=int(position[2]))


def _export_problems(document: Any) -> list[CodeProblem]:
    nodes = document.get("nodes", document) if isinstance(document, dict) else {}
    for module in nodes.values():
        for symbol in module.get("symbols", ()):
            if symbol.get("name") != "code":
                continue
            for declaration in symbol.get("declarations", ()):
                if declaration.get("declarationKind") == "export":
                    return _shape_problems(declaration)
    return [CodeProblem(message=MISSING_EXPORT)]


def _shape_problems(declaration: dict[str, Any]) -> list[CodeProblem]:
    kind = declaration.get("kind")
    what = None
    if kind == "class":
        what = "class"
    elif kind == "variable":
        ts_type = (declaration.get("def") or {}).get("tsType") or {}
        if ts_type.get("kind") == "literal":
            what = str(ts_type.get("value", {}).get("kind", "value"))
        elif ts_type.get("kind") in ("typeLiteral", "array", "tuple"):
            what = "object"
    if what is None:
        return []
    line = int(declaration.get("location", {}).get("line", 0)) + 1
    column = int(declaration.get("location", {}).get("col", 0)) + 1
    message = (
        f"The code exports code as a {what}, not a function;"
        " write export const code = async (inputs) => { ... }"
    )
    return [CodeProblem(message=message, line=line, column=column)]
