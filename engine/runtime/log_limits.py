"""The run log's size limits (DESIGN §4), read from the environment."""

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class LogLimits:
    """How much of a run the log keeps.

    Attributes:
        input_truncate_bytes: a step input larger than this is truncated in the log (the step
            itself gets all of it).
        output_slice_bytes: a step output larger than this is moved to file storage, and the log
            keeps a reference to it.
        max_log_bytes: past this total, the run ends LOG_SIZE_EXCEEDED.
        checkpoint_interval_s: fast steps are checkpointed together, at most this much work apart;
            a slower step is checkpointed as soon as it ends.
    """

    input_truncate_bytes: int = 2 * 1024
    output_slice_bytes: int = 32 * 1024
    max_log_bytes: int = 50 * 1024 * 1024
    checkpoint_interval_s: float = 0.25

    @classmethod
    def from_env(cls) -> "LogLimits":
        """Limits from PW_LOG_INPUT_TRUNCATE_KB, PW_LOG_SLICE_KB and PW_MAX_RUN_LOG_MB."""
        return cls(
            input_truncate_bytes=_number("PW_LOG_INPUT_TRUNCATE_KB", 2) * 1024,
            output_slice_bytes=_number("PW_LOG_SLICE_KB", 32) * 1024,
            max_log_bytes=_number("PW_MAX_RUN_LOG_MB", 50) * 1024 * 1024,
        )


def _number(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be above zero, not {value}")
    return value
