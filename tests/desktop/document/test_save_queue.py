"""The save queue retries while the server is away and keeps refused edits until told what to do."""

from desktop.document import SaveQueue, SaveRejectedError, SaveState, SaveUnavailableError
from engine.model.operations import ChangeNameOperation, ChangeNameRequest, DocumentOperation


def rename(name: str) -> ChangeNameOperation:
    return ChangeNameOperation(request=ChangeNameRequest(display_name=name))


async def test_unreachable_server_is_retried_until_it_answers() -> None:
    failures = 2
    sent: list[DocumentOperation] = []
    states: list[SaveState] = []

    async def send(operation: DocumentOperation) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise SaveUnavailableError("cannot reach the server")
        sent.append(operation)

    queue = SaveQueue(send, on_state=lambda s, _: states.append(s), retry_delays_s=(0.01,))
    queue.push([rename("a"), rename("b")])
    assert await queue.drained()
    assert sent == [rename("a"), rename("b")]
    assert SaveState.RETRYING in states
    assert queue.state == SaveState.SAVED


async def test_refused_edit_is_kept_and_shown_until_retried() -> None:
    refuse = True
    sent: list[DocumentOperation] = []

    async def send(operation: DocumentOperation) -> None:
        if refuse:
            raise SaveRejectedError("step_9 does not exist")
        sent.append(operation)

    queue = SaveQueue(send)
    queue.push([rename("a")])
    assert not await queue.drained()
    assert queue.state == SaveState.REJECTED
    assert queue.message == "Not saved: step_9 does not exist"
    queue.push([rename("b")])
    assert queue.pending == [rename("a"), rename("b")]
    refuse = False
    queue.retry()
    assert await queue.drained()
    assert sent == [rename("a"), rename("b")]


async def test_discard_drops_pending_edits() -> None:
    async def send(operation: DocumentOperation) -> None:
        raise SaveRejectedError("no")

    queue = SaveQueue(send)
    queue.push([rename("a")])
    await queue.drained()
    assert queue.discard() == [rename("a")]
    assert queue.state == SaveState.SAVED
