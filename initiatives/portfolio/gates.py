"""Stage gates (README "Stages and gates").

A gate is a small function registered for the stage it guards. It returns the unmet
conditions, each an `Unmet` (what is missing, in which domain, and the page where it is
fixed) or, from older gates, a plain sentence; an empty list means the gate is passed.
Later features add their own conditions with `@gate(Stage.X)` in their own module, without
touching the transition code. `unmet` runs every gate registered for the target stage and
gives the structured conditions (for the page and the API); `unmet_conditions` gives the
same conditions as sentences (for the importer, the API's messages and older callers).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse

from initiatives.core.choices import (
    STAGE_ORDER,
    TERMINAL_STAGES,
    Stage,
)
from initiatives.portfolio.models import Initiative

# The domains a refusal is grouped by, in the order a team usually works through them.
STAGE_DOMAIN = "Stage"
OWNERSHIP = "Ownership"
BUSINESS_CASE = "Business case"
READINESS = "Readiness"
PROMOTION = "Promotion"
OTHER = "Other conditions"
DOMAIN_ORDER = (STAGE_DOMAIN, OWNERSHIP, BUSINESS_CASE, READINESS, PROMOTION)


@dataclass(frozen=True)
class Unmet:
    """One unmet condition of a stage gate.

    `message` is the whole sentence, readable on its own (the API's messages, the importer);
    `title` is what the page shows under the domain's heading (and `group`'s, e.g. a
    readiness domain), as a link to `fix_url`, the page where the condition is met.
    """

    domain: str
    message: str
    title: str = ""
    fix_url: str = ""
    group: str = ""

    def __post_init__(self) -> None:
        if not self.title:
            object.__setattr__(self, "title", self.message)

    def __str__(self) -> str:
        return self.message


@dataclass
class UnmetGroup:
    """The conditions of one sub-heading of a domain (`name` is empty for none)."""

    name: str
    conditions: list[Unmet]


@dataclass
class UnmetDomain:
    """A domain's unmet conditions, by sub-heading in the order they were found."""

    name: str
    groups: list[UnmetGroup]

    @property
    def count(self) -> int:
        return sum(len(g.conditions) for g in self.groups)


GateCheck = Callable[[Initiative], Iterable["str | Unmet"]]

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


def unmet(initiative: Initiative, to_stage: str, note: str = "") -> list[Unmet]:
    """Every reason the move to `to_stage` would be refused, each once; empty when allowed.

    A move that is not allowed at all (a skipped stage, a missing note) is refused for that
    alone, in the `Stage` domain; otherwise every gate of the target stage is asked.
    """
    problems = move_problems(initiative, to_stage, note)
    if problems:
        return [Unmet(domain=STAGE_DOMAIN, message=problem) for problem in problems]
    if is_backward(initiative.stage, to_stage) or to_stage == Stage.CANCELLED:
        return []
    return conditions_of(initiative, gates_for(to_stage))


def conditions_of(initiative: Initiative, checks: Iterable[GateCheck]) -> list[Unmet]:
    """What `checks` find unmet on `initiative`, each condition once, in their order."""
    found: dict[str, Unmet] = {}
    for check in checks:
        for condition in check(initiative):
            if not isinstance(condition, Unmet):  # a gate that still answers sentences
                condition = Unmet(domain=OTHER, message=str(condition))
            found.setdefault(condition.message, condition)  # each condition once
    return list(found.values())


def unmet_conditions(initiative: Initiative, to_stage: str, note: str = "") -> list[str]:
    """Every reason the move to `to_stage` would be refused, as sentences; empty when it is
    allowed. The same conditions as `unmet`, for callers that show text."""
    return [condition.message for condition in unmet(initiative, to_stage, note)]


def grouped(conditions: Iterable[Unmet]) -> list[UnmetDomain]:
    """The conditions by domain (in `DOMAIN_ORDER`, unknown domains after) and, inside a
    domain, by group in the order the groups first appear."""
    domains: dict[str, dict[str, list[Unmet]]] = {}
    for condition in conditions:
        domains.setdefault(condition.domain, {}).setdefault(condition.group, []).append(condition)

    def position(name: str) -> int:
        return DOMAIN_ORDER.index(name) if name in DOMAIN_ORDER else len(DOMAIN_ORDER)

    return [
        UnmetDomain(name, [UnmetGroup(group, items) for group, items in groups.items()])
        for name, groups in sorted(domains.items(), key=lambda item: position(item[0]))
    ]


# --- The foundation's gates ------------------------------------------------------------------


@gate(Stage.PILOT)
def owner_named(initiative: Initiative) -> list[Unmet]:
    if initiative.production_owner_id is None:
        return [
            Unmet(
                domain=OWNERSHIP,
                message="Name a production owner.",
                title="Name a production owner",
                fix_url=reverse("initiative-handover", args=[initiative.slug]),
            )
        ]
    return []
