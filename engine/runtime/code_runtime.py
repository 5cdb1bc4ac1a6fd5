"""The code runtime: runs code steps and `{{ }}` expressions in the bundled Deno binary, sandboxed.

By default (PW_CODE_ISOLATION=CONTEXT) an execution runs in a fresh V8 context inside one of
PW_CODE_POOL_SIZE warm Deno processes (`deno_contexts`): ~1 ms, nothing of an earlier execution
is visible. A step a context cannot run (imports, npm packages, TypeScript, fetch, timers, Deno
APIs) runs in a pre-started single-use process of its own (`deno_pool`, `deno_single_use`), as
every step does with PW_CODE_ISOLATION=PROCESS. Every Deno process may read and write only its
own temporary directory, has no environment, subprocess, FFI or system access, may not reach the
networks of the network policy (checked on resolved addresses, redirects included), and runs
under a V8 heap cap and an OS memory limit (`process_limits`); a wall-clock timeout is enforced
from here. npm packages are cached ahead (`npm_packages`) and imported from the cache only.
"""

import json
import re
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.runtime.code_check import CodeProblem, check_source
from engine.runtime.code_results import CodeResult, error_message, result_from_answer
from engine.runtime.deno_contexts import CodeIsolation, DenoContextPool, isolation_from_env
from engine.runtime.deno_pool import DenoProcessPool, WarmProcess, pool_size_from_env
from engine.runtime.deno_process import cache_dir_from_env, deno_env, find_deno, start_process
from engine.runtime.deno_single_use import run_in_process
from engine.runtime.errors import CodeExecutionError
from engine.runtime.npm_packages import (
    PackageCache,
    parse_dependencies,
    rewrite_imports,
)
from engine.runtime.process_limits import (
    check_memory_limit,
    limit_memory,
    memory_limit_from_env,
)
from pieces.framework.network import NetworkPolicy

__all__ = ["CodeProblem", "CodeResult", "DenoCodeRuntime", "find_deno"]

#: Scope keys an expression can see as variables (JavaScript identifiers, not reserved words).
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")

#: The identifier-like words of an expression.
_WORD = re.compile(r"[A-Za-z_$][\w$]*")
_RESERVED = frozenset(
    [
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "implements",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "static",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
        "arguments",
        "eval",
        "undefined",
        "NaN",
        "Infinity",
    ]
)

#: How much of an expression an error message quotes.
_QUOTE_LIMIT = 120


@dataclass(frozen=True, slots=True, kw_only=True)
class DenoCodeRuntime:
    """Runs code steps and expressions in Deno under strict permissions.

    The pools start on first use; call `close()` to stop them (the single-use pool also stops when
    the event loop shuts down). Use one runtime from one event loop at a time.
    """

    network: NetworkPolicy = field(default_factory=NetworkPolicy)
    heap_mb: int = 256
    memory_mb: int = field(default_factory=memory_limit_from_env)
    cache_dir: Path = field(
        default_factory=lambda: cache_dir_from_env(Path(tempfile.gettempdir()) / "piecework-deno")
    )
    deno_path: str = field(default_factory=find_deno)
    pool_size: int = field(default_factory=pool_size_from_env)
    isolation: CodeIsolation = field(default_factory=isolation_from_env)
    _pool: DenoProcessPool = field(init=False, repr=False, compare=False)
    _contexts: DenoContextPool = field(init=False, repr=False, compare=False)
    _packages: PackageCache = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_memory_limit(limit_mb=self.memory_mb, heap_mb=self.heap_mb)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        spawn = self._start_process
        object.__setattr__(self, "_pool", DenoProcessPool(size=self.pool_size, spawn=spawn))
        contexts = DenoContextPool(
            size=self.pool_size,
            command=self.context_command,
            env=self._env(),
            on_start=self._limit,
        )
        object.__setattr__(self, "_contexts", contexts)
        packages = PackageCache(deno_path=self.deno_path, cache_dir=self.cache_dir, env=self._env())
        object.__setattr__(self, "_packages", packages)

    @property
    def pool(self) -> DenoProcessPool:
        """The pool of started single-use processes."""
        return self._pool

    @property
    def contexts(self) -> DenoContextPool:
        """The pool of warm processes that run fresh contexts."""
        return self._contexts

    async def run(
        self,
        code: str,
        inputs: Mapping[str, Any],
        *,
        timeout_s: float = 60.0,
        package_json: str = "{}",
        before_process: Callable[[], Awaitable[None]] | None = None,
    ) -> CodeResult:
        """Runs `code(inputs)` once and returns its JSON result.

        Args:
            code: the module source; it exports `code`, a function of the inputs.
            inputs: the step's resolved input values (JSON).
            timeout_s: wall-clock limit; the execution is stopped past it.
            package_json: the step's package.json; its dependencies are downloaded on first use
                (call `prepare()` when the step is saved to fail early).
            before_process: awaited before the code runs in a process, where it may reach the
                network (in a context it can do no I/O).

        Returns:
            The result and the console output.

        Raises:
            CodeExecutionError: the code threw, timed out, ran out of memory, or could not start.
            CodePackageError: the step's packages cannot be used.
        """
        dependencies = parse_dependencies(package_json)
        if dependencies:
            await self._packages.prepare(dependencies)
            code = rewrite_imports(code, dependencies)
        elif self.isolation is CodeIsolation.CONTEXT:
            request = {"kind": "code", "code": code, "inputs": json.dumps(inputs)}
            answer = await self._contexts.execute(request, timeout_s=timeout_s)
            if not answer.get("fallback"):
                return result_from_answer(answer, memory_hint=self._memory_hint())
        if before_process is not None:
            await before_process()
        return await run_in_process(
            self._pool, code, inputs, timeout_s=timeout_s, memory_hint=self._memory_hint()
        )

    async def evaluate(
        self, expression: str, scope: Mapping[str, Any], *, timeout_s: float = 1.0
    ) -> Any:
        """Evaluates a JavaScript expression with each scope key as a variable; returns its JSON value.

        It runs in a fresh context (whatever PW_CODE_ISOLATION says: an expression can do no I/O),
        e.g. `trigger.body.items.map(i => i.price).reduce((a, b) => a + b, 0)`.

        Args:
            expression: the expression, without `{{ }}`.
            scope: the values in scope (step outputs by step name, `trigger`, ...). Keys that are
                not JavaScript identifiers are left out, and so are keys the expression does not
                name (`eval` of a built name cannot reach them).
            timeout_s: wall-clock limit.

        Returns:
            The value as JSON data; `undefined` is None.

        Raises:
            CodeExecutionError: the expression is not valid, threw, timed out or is not JSON; the
                message quotes the expression.
        """
        # Only the values the expression names are sent: a run's other outputs may be large.
        words = set(_WORD.findall(expression))
        names = [
            name
            for name in scope
            if name in words and _IDENTIFIER.match(name) and name not in _RESERVED
        ]
        request = {
            "kind": "expression",
            "code": expression,
            "inputs": json.dumps({name: scope[name] for name in names}),
            "names": names,
        }
        quoted = _quote(expression)
        try:
            answer = await self._contexts.execute(request, timeout_s=timeout_s)
        except CodeExecutionError as err:
            message = err.message.replace("The code step", "It").replace(
                "The code returned", "It returned"
            )
            raise CodeExecutionError(f"Expression {quoted} failed: {message}") from None
        if answer["ok"]:
            return answer["output"]
        reason = error_message(answer["error"], memory_hint=self._memory_hint())
        raise CodeExecutionError(f"Expression {quoted} failed: {reason}")

    async def prepare(self, package_json: str) -> None:
        """Downloads a step's npm packages into the cache (call it when a step is saved).

        Raises:
            CodePackageError: the package.json is not usable, or a package or version does not
                exist; the message names it.
        """
        await self._packages.prepare(parse_dependencies(package_json))

    async def check_source(self, code: str) -> list[CodeProblem]:
        """Finds syntax errors and a missing or non-function `code` export, without running the code.

        Returns:
            The problems, with their line when known; empty when the source looks runnable.
        """
        return await check_source(code, deno_path=self.deno_path, env=self._env())

    async def close(self) -> None:
        """Stops every Deno process this runtime started; a later `run()` starts them again."""
        await self._pool.close()
        await self._contexts.close()

    def command(self, workdir: Path) -> list[str]:
        """The Deno command line for a runner script in `workdir`."""
        args = [
            self.deno_path,
            "run",
            "--quiet",
            "--no-prompt",
            "--no-config",
            "--no-lock",
            "--no-remote",
            "--cached-only",
            "--node-modules-dir=none",
            f"--allow-read={workdir}",
            f"--allow-write={workdir}",
            "--deny-env",
            "--deny-run",
            "--deny-ffi",
            "--deny-sys",
            "--allow-net",
            f"--v8-flags=--max-old-space-size={self.heap_mb}",
        ]
        denied = self.network.denied()
        if denied:
            args.insert(-1, "--deny-net=" + ",".join(denied))
        return [*args, str(workdir / "runner.ts")]

    def context_command(self, workdir: Path) -> list[str]:
        """The Deno command line of a context server in `workdir`: no permission at all.

        A context has no Deno API, so the server needs none: no network, files, environment,
        subprocess, FFI or system access. Were a step ever to escape its context, it would find
        a process that can do nothing but answer on stdout.
        """
        return [
            self.deno_path,
            "run",
            "--quiet",
            "--no-prompt",
            "--no-config",
            "--no-lock",
            "--no-remote",
            "--cached-only",
            "--node-modules-dir=none",
            f"--v8-flags=--max-old-space-size={self.heap_mb}",
            str(workdir / "runner.ts"),
        ]

    def _env(self) -> dict[str, str]:
        return deno_env(self.cache_dir)

    def _limit(self, pid: int) -> None:
        limit_memory(pid, self.memory_mb)

    def _memory_hint(self) -> str:
        if self.memory_mb:
            return f"heap limit {self.heap_mb} MB, memory limit {self.memory_mb} MB"
        return f"heap limit {self.heap_mb} MB"

    async def _start_process(self) -> WarmProcess:
        return await start_process(
            runner=_RUNNER, command=self.command, env=self._env(), on_start=self._limit
        )


#: The single-use runner's file name inside the package.
_RUNNER = "deno_runner.ts"


def _quote(expression: str) -> str:
    text = " ".join(expression.split())
    return "`" + (text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 1] + "…") + "`"
