"""The save queue retries while the server is away, waits while signed out, and keeps refused
edits until told what to do."""

from desktop.document import (
    SaveQueue,
    SaveRejectedError,
    SaveSignedOutError,
    SaveState,
    SaveUnavailableError,
)
from engine.model.operations import ChangeNameOperation, ChangeNameRequest, DocumentOperation


def rename(name: str) -> ChangeNameOperation:
    return ChangeNameOperation(request=ChangeNameRequest(display_name=name))


class Server:
    """A save target that raises `error` while `failing`, and records what it accepted."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.failing = True
        self.calls = 0
        self.sent: list[DocumentOperation] = []

    async def send(self, operation: DocumentOperation) -> None:
        self.calls += 1
        if self.failing:
            raise self.error
        self.sent.append(operation)


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
    server = Server(SaveRejectedError("step_9 does not exist"))
    queue = SaveQueue(server.send)
    queue.push([rename("a")])
    assert not await queue.drained()
    assert queue.state == SaveState.REJECTED
    assert queue.message == "Not saved: step_9 does not exist"
    queue.push([rename("b")])
    assert queue.pending == [rename("a"), rename("b")]
    server.failing = False
    queue.retry()
    assert await queue.drained()
    assert server.sent == [rename("a"), rename("b")]


async def test_discard_drops_pending_edits() -> None:
    queue = SaveQueue(Server(SaveRejectedError("no")).send)
    queue.push([rename("a")])
    await queue.drained()
    assert queue.discard() == [rename("a")]
    assert queue.state == SaveState.SAVED


async def test_edits_made_while_signed_out_are_sent_in_order_once_signed_in_again() -> None:
    server = Server(SaveSignedOutError("Your sign-in has expired"))
    queue = SaveQueue(server.send)
    queue.push([rename("a"), rename("b")])
    assert not await queue.drained()
    assert queue.state == SaveState.SIGNED_OUT
    assert queue.message.startswith("Not saved yet: Your sign-in has expired.")
    queue.push([rename("c")])  # waits behind the others, not sent on its own
    assert not await queue.drained()
    assert queue.pending == [rename("a"), rename("b"), rename("c")]
    assert server.sent == []
    server.failing = False
    queue.resume()
    assert await queue.drained()
    assert (server.sent, queue.state) == ([rename("a"), rename("b"), rename("c")], SaveState.SAVED)


async def test_signing_in_while_an_edit_is_on_its_way_sends_it_again_at_once() -> None:
    sent: list[DocumentOperation] = []
    queue: SaveQueue

    async def send(operation: DocumentOperation) -> None:
        if not sent and operation == rename("a"):
            sent.append(operation)
            queue.resume()  # the new token arrives before this request's 401 does
            raise SaveSignedOutError("Your sign-in has expired")
        sent.append(operation)

    queue = SaveQueue(send)
    queue.push([rename("a"), rename("b")])
    assert await queue.drained()
    assert sent == [rename("a"), rename("a"), rename("b")]
    assert queue.state == SaveState.SAVED


async def test_resume_leaves_refused_and_closed_queues_alone() -> None:
    refusing = Server(SaveRejectedError("step_9 does not exist"))
    refused = SaveQueue(refusing.send)
    refused.push([rename("a")])
    assert not await refused.drained()
    refused.resume()  # a refusal waits for the person (Retry or Reload)
    assert not await refused.drained()
    assert (refusing.calls, refused.state) == (1, SaveState.REJECTED)

    signed_out = Server(SaveSignedOutError("Your sign-in has expired"))
    closed = SaveQueue(signed_out.send)
    closed.push([rename("b")])
    assert not await closed.drained()
    closed.close()
    closed.resume()
    assert not await closed.drained()
    assert signed_out.calls == 1
    assert closed.pending == [rename("b")]
