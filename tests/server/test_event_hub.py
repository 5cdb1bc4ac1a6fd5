"""The event hub hands each event to the subscribers that want it, and flags slow ones."""

import pytest

from server.services import event_hub
from server.services.event_hub import EventHub
from server.services.live_events import MAX_PAYLOAD_BYTES, encode
from server.services.notifications import Notifications
from server.services.run_events import publish_run_event


def test_events_reach_matching_subscribers_only() -> None:
    hub = EventHub(notifications=Notifications(conninfo="unused"))
    flows, runs, one_run = hub.subscribe(), hub.subscribe(), hub.subscribe()
    flows.flow_projects.add("p1")
    runs.run_projects.add("p1")
    one_run.runs.add("r2")
    hub.dispatch({"kind": "flow", "projectId": "p1", "flowId": "f"})
    hub.dispatch({"kind": "run", "projectId": "p1", "runId": "r1"})
    hub.dispatch({"kind": "run", "projectId": "p2", "runId": "r2"})
    hub.dispatch({"kind": "other", "projectId": "p1"})
    assert [flows.queue.qsize(), runs.queue.qsize(), one_run.queue.qsize()] == [1, 1, 1]
    hub.unsubscribe(runs)
    hub.dispatch({"kind": "run", "projectId": "p1", "runId": "r1"})
    assert runs.queue.qsize() == 1


def test_a_subscriber_that_falls_behind_is_flagged() -> None:
    hub = EventHub(notifications=Notifications(conninfo="unused"))
    subscriber = hub.subscribe()
    subscriber.runs.add("r")
    for _ in range(event_hub.QUEUE_SIZE + 1):
        hub.dispatch({"kind": "run", "projectId": "p", "runId": "r"})
    assert subscriber.queue.qsize() == event_hub.QUEUE_SIZE
    assert subscriber.overflowed.is_set()


def test_large_events_are_cut_to_their_short_scalars() -> None:
    message = {"kind": "run", "runId": "r", "event": {"type": "X", "n": 1, "big": "x" * 10_000}}
    payload = encode(message)
    assert len(payload.encode()) <= MAX_PAYLOAD_BYTES
    assert '"truncated":true' in payload.replace(" ", "")
    assert "big" not in payload


async def test_publishing_needs_a_session_or_a_factory() -> None:
    with pytest.raises(TypeError, match="session"):
        await publish_run_event("p", "r", {"type": "X"})
