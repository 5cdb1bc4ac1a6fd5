"""What a worker hands its engine processes when it starts them."""

from dataclasses import dataclass, field

from server.settings import Settings


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """What the worker hands its engine processes."""

    settings: Settings
    database_url: str
    #: Where installed piece wheels are unpacked.
    pieces_dir: str
    #: The worker's environment and working directory, set by `EngineProcess.start` to those of
    #: the moment: engine processes are forked from a template started earlier, which may have had
    #: others, and pieces read the environment when imported.
    environ: dict[str, str] = field(default_factory=dict)
    cwd: str = ""
    #: The worker's process id, set by `EngineProcess.start`: the engine process exits when the
    #: worker does (its parent is the forkserver, which may outlive the worker).
    worker_pid: int = 0
