"""Property-based fuzzing of the whole API from its OpenAPI spec: no input may cause a 500."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok

from server.app import create_app
from server.settings import Settings
from tests.conftest import fresh_data_dir, start_server_process, stop_server_process

#: The spec is built from the app object alone (no database): the lifespan never runs here.
_SPEC = create_app(
    Settings(data_dir=Path("/nonexistent"), database_url="postgresql://unused/x")
).openapi()
_SCHEMA = schemathesis.openapi.from_dict(_SPEC)
_OPERATIONS: dict[str, Any] = {}
for _result in _SCHEMA.get_all_operations():
    assert isinstance(_result, Ok), f"the OpenAPI spec has an invalid operation: {_result}"
    _OPERATIONS[_result.ok().label] = _result.ok()


@pytest.fixture(scope="module")
def api_server() -> Iterator[tuple[str, dict[str, str]]]:
    with fresh_data_dir() as data_dir:
        server = start_server_process(data_dir)
        try:
            signed_up = httpx.post(
                f"{server.url}/api/v1/authentication/sign-up",
                json={"email": "fuzz@example.com", "password": "long password"},
            )
            yield server.url, {"Authorization": f"Bearer {signed_up.json()['token']}"}
        finally:
            stop_server_process(server)


@pytest.mark.parametrize("label", sorted(_OPERATIONS))
def test_no_input_causes_a_server_error(label: str, api_server: tuple[str, dict[str, str]]) -> None:
    url, auth = api_server
    operation = _OPERATIONS[label]

    @given(case=operation.as_strategy(), authenticated=st.booleans())
    @settings(
        max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(case: Any, authenticated: bool) -> None:
        response = case.call(base_url=url, headers=auth if authenticated else {}, timeout=30)
        where = f"{case.method} {case.formatted_path}"
        assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
        content_type = (response.headers.get("content-type") or [""])[0]
        if response.status_code >= 400 and content_type.startswith("application/json"):
            assert {"code", "message"} <= set(response.json()), f"{where}: {response.text[:300]}"

    check()
