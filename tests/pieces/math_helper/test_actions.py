"""Math Helper: each operation, numeric text, division by zero and random bounds."""

import pytest

from pieces.framework import Action, PieceError, PropsValidationError
from pieces.framework.testing import run_action
from pieces.math_helper.actions.add import add
from pieces.math_helper.actions.divide import divide
from pieces.math_helper.actions.modulo import modulo
from pieces.math_helper.actions.multiply import multiply
from pieces.math_helper.actions.random_number import random_number
from pieces.math_helper.actions.subtract import subtract


@pytest.mark.parametrize(
    ("action", "first", "second", "expected"),
    [
        (add, 2, "3.5", 5.5),
        (subtract, "10", 4, 6),
        (multiply, -2, 3, -6),
        (divide, 6, 3, 2),
        (divide, 1, 4, 0.25),
        (modulo, 10, 3, 1),
    ],
)
async def test_operations(action: Action, first: object, second: object, expected: float) -> None:
    result = await run_action(action, {"first_number": first, "second_number": second})
    assert result.output == expected
    assert type(result.output) is type(expected)


@pytest.mark.parametrize("action", [divide, modulo])
async def test_zero_divisor_is_a_clear_error(action: Action) -> None:
    with pytest.raises(PieceError, match="Second number must not be zero"):
        await run_action(action, {"first_number": 1, "second_number": 0})


async def test_missing_and_wrong_operands_name_the_prop() -> None:
    with pytest.raises(PropsValidationError) as caught:
        await run_action(add, {"first_number": "two"})
    assert caught.value.errors == {
        "first_number": "First number expected a number, got 'two'",
        "second_number": "Second number is required",
    }


async def test_random_number_stays_within_bounds_and_hits_both() -> None:
    seen = {
        (await run_action(random_number, {"first_number": 1, "second_number": 3})).output
        for _ in range(200)
    }
    assert seen == {1, 2, 3}
    with pytest.raises(PieceError, match="must not be above maximum"):
        await run_action(random_number, {"first_number": 5, "second_number": 4})
