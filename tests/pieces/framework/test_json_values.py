"""Database values become JSON: dates as ISO text, decimals as numbers, bytes as base64."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest

from pieces.framework.json_values import to_json


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (Decimal("12.50"), 12.5),
        (Decimal("42"), 42),
        (Decimal("0.1000000000000000000001"), "0.1000000000000000000001"),
        (dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "2026-01-02T03:04:05+00:00"),
        (dt.date(2026, 1, 2), "2026-01-02"),
        (dt.time(3, 4), "03:04:00"),
        (dt.timedelta(minutes=2), 120.0),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (b"\x00\x01", "AAE="),
        ({"a": (1, Decimal("2"))}, {"a": [1, 2]}),
        (object, str(object)),
    ],
)
def test_values_become_json(value: Any, expected: Any) -> None:
    assert to_json(value) == expected
