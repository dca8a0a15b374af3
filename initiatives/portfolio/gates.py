"""Stage gates (README "Stages and gates").

A gate is a small function registered for the stage it guards. It returns the unmet
conditions as sentences; an empty list means the gate is passed. Later features add their
own conditions with `@gate(Stage.X)` in their own module, without touching the transition
code. `unmet_conditions` runs every gate registered for the target stage.
"""

from collections.abc import Callable, Iterable

from initiatives.core.choices import (
    STAGE_ORDER,
    TERMINAL_STAGES,
    Stage,
)
from initiatives.portfolio.models import Initiative

GateCheck = Callable[[Initiative], Iterable[str]]

_GATES: dict[str, list[GateCheck]] = {}


def gate(*to_stages: str) -> Callable[[GateCheck], GateCheck]:
    """Register `check` as a condition for moving forward into each of `to_stages`."""

    def register(check: GateCheck) -> GateCheck:
        for stage in to_stages:
            checks = _GATES.setdefault(stage, [])
            if check not in checks:
                checks.append(check)
        return check

    return register


def gates_for(to_stage: str) -> list[GateCheck]:
    return list(_GATES.get(to_stage, []))


def is_backward(from_stage: str, to_stage: str) -> bool:
    return (
        from_stage in STAGE_ORDER
        and to_stage in STAGE_ORDER
        and STAGE_ORDER.index(to_stage) < STAGE_ORDER.index(from_stage)
    )


def move_problems(initiative: Initiative, to_stage: str, note: str) -> list[str]:
    """Why the move itself is not allowed, whatever the gates say."""
    from_stage = initiative.stage
    if to_stage not in Stage.values:
        return [f"'{to_stage}' is not a stage. Stages: {', '.join(Stage.values)}."]
    if to_stage == from_stage:
        return [f"The initiative is already in {Stage(to_stage).label}."]
    if from_stage in TERMINAL_STAGES:
        return [f"{Stage(from_stage).label} is final; the initiative cannot move any more."]
    if to_stage == Stage.CANCELLED:
        if from_stage in (Stage.PRODUCTION,):
            return ["A system in production is retired, not cancelled."]
        return [] if note.strip() else ["Say why the initiative is cancelled (a note)."]
    if is_backward(from_stage, to_stage):
        return [] if note.strip() else ["A move backwards needs a note saying why."]
    next_stage = STAGE_ORDER[STAGE_ORDER.index(from_stage) + 1]
    if to_stage != next_stage:
        return [
            f"Stages are taken one at a time: from {Stage(from_stage).label} "
            f"the next is {Stage(next_stage).label}."
        ]
    return []


def reachable_stages(initiative: Initiative) -> list[str]:
    """The stages the initiative may move to at all (gates aside), in order."""
    return [s for s in Stage.values if not move_problems(initiative, s, "(note)")]


def unmet_conditions(initiative: Initiative, to_stage: str, note: str = "") -> list[str]:
    """Every reason the move to `to_stage` would be refused; empty when it is allowed."""
    problems = move_problems(initiative, to_stage, note)
    if problems:
        return problems
    if is_backward(initiative.stage, to_stage) or to_stage == Stage.CANCELLED:
        return []
    reasons: list[str] = []
    for check in gates_for(to_stage):
        reasons.extend(check(initiative))
    return reasons


# --- The foundation's gates ------------------------------------------------------------------


@gate(Stage.PILOT)
def owner_named(initiative: Initiative) -> list[str]:
    if initiative.production_owner_id is None:
        return ["Name a production owner."]
    return []
