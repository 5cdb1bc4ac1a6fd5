"""Run statuses: terminal ones never change; transitions are checked in one place."""

import pytest

from engine.model import TERMINAL, InvalidTransitionError, RunStatus, check_transition


def test_queued_run_may_start() -> None:
    check_transition(RunStatus.QUEUED, RunStatus.RUNNING)


@pytest.mark.parametrize("terminal", sorted(TERMINAL))
def test_terminal_statuses_never_change(terminal: RunStatus) -> None:
    for target in RunStatus:
        with pytest.raises(InvalidTransitionError):
            check_transition(terminal, target)


def test_queued_run_cannot_succeed_without_running() -> None:
    with pytest.raises(InvalidTransitionError, match="QUEUED run cannot become SUCCEEDED"):
        check_transition(RunStatus.QUEUED, RunStatus.SUCCEEDED)
