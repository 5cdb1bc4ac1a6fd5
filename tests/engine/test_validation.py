"""validate(): every problem of a flow, named by step and field."""

from engine.model import (
    EmptyTrigger,
    Flow,
    PieceSettings,
    PieceStep,
    ValidationProblem,
    validate,
)
from tests.engine.builders import branch, code, fallback, flow, loop, respond, router, when

ECHO = "export const code = async (i) => i"
PIECES = {"webhook": ["catch_webhook", "return_response"]}


def found(problems: list[ValidationProblem]) -> list[tuple[str, str, str]]:
    return [(p.step, p.field, p.code) for p in problems]


def test_a_complete_flow_has_no_problems() -> None:
    ok = flow(
        code("step_1", ECHO, n="{{trigger.body.n}}"),
        loop(
            "each", "{{step_1.rows}}", code("inner", ECHO, item="{{each.item}}", n="{{step_1.n}}")
        ),
        router(
            "pick",
            branch(
                "Big",
                respond("big", body={"n": "{{inner.n}}"}),
                conditions=[[when("{{step_1.n}}", "NUMBER_IS_GREATER_THAN", "10")]],
            ),
            fallback(code("small", ECHO, auth="{{connections['key']}}")),
        ),
    )
    assert validate(ok, pieces=PIECES) == []


def test_unconfigured_trigger_and_steps_are_reported() -> None:
    unconfigured_piece = PieceStep(
        name="step_2", settings=PieceSettings(piece_name="webhook", piece_version="0.1.0")
    )
    blank_code = code("step_1", "  ")
    bad = Flow(trigger=EmptyTrigger(), steps=[blank_code, unconfigured_piece, loop("each", "")])
    assert found(validate(bad)) == [
        ("trigger", "type", "UNCONFIGURED"),
        ("step_1", "settings.sourceCode.code", "UNCONFIGURED"),
        ("step_2", "settings.actionName", "UNCONFIGURED"),
        ("each", "settings.items", "UNCONFIGURED"),
    ]


def test_references_to_missing_or_later_steps_are_reported() -> None:
    bad = flow(
        code("step_1", ECHO, a="{{step_2.x}}", b="{{ghost.y}}", c=["{{step_1.z}}"]),
        code("step_2", ECHO),
        router(
            "pick",
            branch("A", code("in_a", ECHO), conditions=[[when("x", "EXISTS")]]),
            fallback(code("in_b", ECHO, a="{{in_a.x}}")),
        ),
    )
    problems = validate(bad)
    assert found(problems) == [
        ("step_1", "settings.input.a", "LATER_REFERENCE"),
        ("step_1", "settings.input.b", "UNKNOWN_REFERENCE"),
        ("step_1", "settings.input.c[0]", "LATER_REFERENCE"),
        ("in_b", "settings.input.a", "LATER_REFERENCE"),
    ]
    assert "there is no step named 'ghost'" in problems[1].message


def test_loop_children_may_reference_the_loop_but_the_loop_not_itself() -> None:
    ok = flow(loop("each", "{{trigger.body.rows}}", code("inner", ECHO, i="{{each.index}}")))
    assert validate(ok) == []
    selfish = flow(loop("each", "{{each.item}}"))
    assert found(validate(selfish)) == [("each", "settings.items", "LATER_REFERENCE")]


def test_empty_branches_and_invalid_conditions_are_reported() -> None:
    bad = flow(
        router(
            "pick",
            branch("Empty", conditions=[]),
            branch(
                "Odd",
                code("odd", ECHO),
                conditions=[
                    [when("{{trigger.body.n}}", "NUMBER_IS_GREATER_THAN", "ten")],
                    [when("soon", "DATE_IS_AFTER", "2024-01-01"), when("", "EXISTS")],
                    [when("maybe", "BOOLEAN_IS_TRUE"), when("a", "TEXT_CONTAINS")],
                ],
            ),
            fallback(),
        )
    )
    problems = validate(bad)
    assert found(problems) == [
        ("pick", "branches[0].steps", "EMPTY_BRANCH"),
        ("pick", "branches[0].conditions", "UNCONFIGURED"),
        ("pick", "branches[1].conditions[0][0]", "INVALID_CONDITION"),
        ("pick", "branches[1].conditions[1][0]", "INVALID_CONDITION"),
        ("pick", "branches[1].conditions[1][1]", "INVALID_CONDITION"),
        ("pick", "branches[1].conditions[2][0]", "INVALID_CONDITION"),
        ("pick", "branches[1].conditions[2][1]", "INVALID_CONDITION"),
        ("pick", "branches[2].steps", "EMPTY_BRANCH"),
    ]
    assert problems[2].message == (
        "secondValue 'ten' is not a number, which NUMBER_IS_GREATER_THAN compares"
    )
    assert problems[6].message == "secondValue is empty"


def test_router_without_a_last_fallback_is_reported() -> None:
    bad = flow(router("pick", branch("A", code("a", ECHO), conditions=[[when("x", "EXISTS")]])))
    assert found(validate(bad)) == [("pick", "branches", "INVALID_BRANCHES")]


def test_duplicate_names_are_reported_even_in_unvalidated_documents() -> None:
    twice = Flow.model_construct(
        trigger=flow().trigger, steps=[code("step_1", ECHO), code("step_1", ECHO)], notes=[]
    )
    assert ("step_1", "name", "DUPLICATE_NAME") in found(validate(twice))


def test_a_step_named_like_a_template_root_is_reported() -> None:
    shadowing = flow(code("connections", ECHO), code("step_2", ECHO))
    assert found(validate(shadowing)) == [("connections", "name", "RESERVED_NAME")]


def test_unknown_pieces_and_actions_are_reported_when_pieces_are_given() -> None:
    def piece(name: str, piece_name: str, action: str) -> PieceStep:
        return PieceStep(
            name=name,
            settings=PieceSettings(
                piece_name=piece_name, piece_version="1.0.0", action_name=action
            ),
        )

    bad = flow(piece("step_1", "slack", "send_message"), piece("step_2", "webhook", "explode"))
    assert found(validate(bad, pieces=PIECES)) == [
        ("step_1", "settings.pieceName", "UNKNOWN_PIECE"),
        ("step_2", "settings.actionName", "UNKNOWN_ACTION"),
    ]
    assert validate(bad) == []
