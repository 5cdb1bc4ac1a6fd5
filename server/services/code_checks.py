"""Checks of code steps before publishing: the source parses and exports `code`, and its npm
packages exist (they are downloaded into the cache then, so runs use the cache only)."""

from collections.abc import Awaitable, Callable

from engine.model import CodeStep, Flow, ValidationProblem, iter_steps
from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.errors import CodeExecutionError

#: Problems of one code step, as messages.
CodeChecker = Callable[[CodeStep], Awaitable[list[str]]]


def code_checker(runtime: DenoCodeRuntime) -> CodeChecker:
    """A checker that uses the code runtime (Deno parses the source; npm resolves packages)."""

    async def check(step: CodeStep) -> list[str]:
        source = step.settings.source_code
        found = [str(problem) for problem in await runtime.check_source(source.code)]
        if source.package_json.strip() not in ("", "{}"):
            try:
                await runtime.prepare(source.package_json)
            except CodeExecutionError as err:
                found.append(err.message)
        return found

    return check


async def code_problems(flow: Flow, check: CodeChecker) -> list[ValidationProblem]:
    """Every code step's problems, named by step and field."""
    problems = []
    for step in iter_steps(flow.steps):
        if isinstance(step, CodeStep) and not step.skip:
            for message in await check(step):
                problems.append(
                    ValidationProblem(
                        step=step.name,
                        field="settings.sourceCode",
                        code="INVALID_CODE",
                        message=message,
                    )
                )
    return problems
