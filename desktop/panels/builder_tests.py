"""Test runs from the builder: Test flow, Test step and the webhook's test request, followed live."""

import json
from collections.abc import Callable, Coroutine
from typing import Any

from desktop.client import ApiError
from desktop.client.run_watcher import watch_run
from desktop.panels.builder_core import BuilderCore, find_step
from engine.model import PieceTrigger
from engine.model.resources import FlowRunRead


class BuilderTests(BuilderCore):
    """Test flow, Test step and the webhook's test request: each waits for the save queue, runs
    the draft and follows the run on the canvas."""

    async def test_flow(self) -> FlowRunRead | None:
        """Runs the draft as a test (with the test body, or the trigger's sample data when it is
        empty) and shows each step's progress and result on the canvas."""
        text = self.test_body.text().strip()
        try:
            payload = json.loads(text) if text else None
        except json.JSONDecodeError as err:
            self._say(
                f"The test body is not JSON ({err.msg}); fix it or empty it to use sample data"
            )
            return None
        trigger = self.document.flow.trigger
        if text and isinstance(trigger, PieceTrigger) and trigger.settings.piece_name == "webhook":
            # A webhook trigger's data is the request; the field holds its JSON body.
            payload = {"body": payload, "headers": {}, "queryParams": {}}
        return await self._test(
            "Testing the flow…",
            lambda: self.client.test_flow(self.document.flow_id, payload=payload, given=bool(text)),
        )

    async def send_test_request(self) -> FlowRunRead | None:
        """Sends the test body to the webhook's test URL, as an outside caller would."""
        try:
            body = json.loads(self.test_body.text() or "{}")
        except json.JSONDecodeError as err:
            self._say(f"The test body is not JSON: {err.msg}")
            return None

        async def start() -> FlowRunRead:
            run_id = await self.client.send_test_webhook(self.document.flow_id, body)
            return await self.client.run(run_id)

        return await self._test("Sending a test request…", start)

    async def test_step(self) -> FlowRunRead | None:
        """Runs the draft up to and including the selected step (earlier steps from their sample data)."""
        name = self.selected()
        if not name or name == "trigger":
            self._say("Select a step to test (Test flow tests the trigger's data)")
            return None
        return await self._test(
            f"Testing {name}…", lambda: self.client.test_step(self.document.flow_id, name)
        )

    async def _test(
        self, doing: str, start: Callable[[], Coroutine[Any, Any, FlowRunRead]]
    ) -> FlowRunRead | None:
        if not await self.saves.drained():
            self._say(f"The test waits for the draft to be saved: {self.saves.message}")
            return None
        self._say(doing)
        self.scene.set_statuses({})
        try:
            started = await start()
            run = await watch_run(
                self.client, started.id, on_update=self._show_run_marks, on_event=self._run_event
            )
        except ApiError as err:
            self._say(f"Test not started: {err.message}")
            return None
        except TimeoutError:
            self._say("The test run is still going; see it in Runs")
            return None
        self.last_run = run
        self._show_run_marks(run)
        self._say(f"Test run {run.status}" + (f": {run.error}" if run.error else ""))
        self.settings.run_errors = {
            name: report.error_message
            for name, report in (run.steps or {}).items()
            if report.error_message
        }
        selected = self.selected()
        if selected:
            self.data.show_outputs(self._outputs_before(selected))
            current = find_step(self.document.flow, selected)
            if current is not None and selected != "trigger" and not self._from_form:
                self.settings.show_step(current)  # shows the error line of a failed code step
        self.run_finished.emit(run.id)
        return run

    def _run_event(self, event: dict[str, Any]) -> None:
        step = event.get("step")
        item = self.scene.step_items.get(step) if isinstance(step, str) else None
        if event.get("type") == "STEP_STARTED" and item is not None:
            item.set_status("RUNNING")
