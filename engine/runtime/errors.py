"""Engine errors: each has a stable code and a message that says what is wrong and what to do."""


class EngineError(Exception):
    """Base class of errors raised while executing a flow."""

    code = "ENGINE_ERROR"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class TemplateError(EngineError):
    """A `{{...}}` reference names a step or path that does not exist, or is not a reference."""

    code = "TEMPLATE_ERROR"


class CodeExecutionError(EngineError):
    """A code step threw, timed out, ran out of memory or returned something that is not JSON."""

    code = "CODE_EXECUTION_ERROR"

    def __init__(self, message: str, *, logs: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.logs = logs


class CodePackageError(CodeExecutionError):
    """A code step's npm packages cannot be used: a bad package.json, an unknown package or version."""

    code = "CODE_PACKAGE_ERROR"


class UnsupportedStepError(EngineError):
    """The flow uses a step or trigger this engine cannot run."""

    code = "UNSUPPORTED_STEP"
