"""A large flow for layout and opening tests: code steps, routers and loops, nested."""

from engine.model import Flow
from tests.engine.builders import branch, code, fallback, flow, loop, router, when


def big_flow(steps: int = 200) -> Flow:
    """A flow with about `steps` steps: runs of code steps, a router of three branches, a loop."""
    made: list = []  # type: ignore[type-arg]
    count = 0

    def name() -> str:
        nonlocal count
        count += 1
        return f"step_{count}"

    while count < steps:
        made.append(code(name(), "export const code = async () => 1"))
        made.append(code(name(), "export const code = async () => 2"))
        outer = name()
        made.append(
            router(
                outer,
                branch("A", code(name(), "a"), conditions=[[when("1", "EXISTS")]]),
                branch(
                    "B", code(name(), "b"), code(name(), "c"), conditions=[[when("1", "EXISTS")]]
                ),
                fallback(),
            )
        )
        looped = name()
        made.append(loop(looped, "{{trigger.body}}", code(name(), "d"), code(name(), "e")))
    return flow(*made, name="Big")
