"""Reads of the evidence domain (README "Frameworks" and "Evidence pack").

- `milestone_framework_items`: the framework items one milestone gives evidence for.
- `initiative_frameworks` / `portfolio_frameworks`: for each framework, its items and
  whether evidence exists (a mapped milestone done; waived shows as waived), for one
  initiative or every initiative readiness is measured on. Set-based: a fixed number of
  queries whatever the number of initiatives, milestones and items.
- `evidence_pack`: what an auditor is given, as a list of sections (one dataclass each,
  rendered by one include each), with a fingerprint of its content.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from initiatives.core import formats
from initiatives.core.choices import EvidenceState, Framework, MilestoneStatus, WaiverDecision
from initiatives.core.people import person_label
from initiatives.evidence.models import CrosswalkLink, FrameworkItem
from initiatives.ownership.models import OwnershipConfirmation, OwnershipHandover, PromotionRequest
from initiatives.portfolio import selectors as portfolio_selectors
from initiatives.portfolio.models import Initiative, StageTransition
from initiatives.readiness import selectors as readiness_selectors
from initiatives.readiness.models import MilestoneRecord, ReadinessMilestone
from initiatives.regulation import selectors as regulation_selectors

# An auditor gets the whole trail; this only keeps a runaway history from taking a worker.
PACK_HISTORY_LIMIT = 5000


def _who(user) -> str:
    return person_label(user) if user is not None else ""


# --- The cross-walk on one milestone ---------------------------------------------------------


@dataclass(frozen=True)
class FrameworkItems:
    framework: str
    label: str
    items: list[FrameworkItem]


def milestone_framework_items(milestone: ReadinessMilestone) -> list[FrameworkItems]:
    """The items `milestone` gives evidence for, grouped by framework (frameworks without
    any left out). One query."""
    items = list(FrameworkItem.objects.filter(links__milestone=milestone).select_related("source"))
    return [
        FrameworkItems(value, str(label), [i for i in items if i.framework == value])
        for value, label in Framework.choices
        if any(i.framework == value for i in items)
    ]


# --- The framework view ----------------------------------------------------------------------


@dataclass(frozen=True)
class MappedMilestone:
    """A milestone mapped to an item, as it stands on one initiative."""

    key: str
    title: str
    status: str  # a MilestoneStatus value

    @property
    def status_label(self) -> str:
        return str(MilestoneStatus(self.status).label)


@dataclass(frozen=True)
class ItemEvidence:
    """One framework item on one initiative."""

    item: FrameworkItem
    state: str  # an EvidenceState value
    milestones: list[MappedMilestone]

    @property
    def state_label(self) -> str:
        return str(EvidenceState(self.state).label)


@dataclass(frozen=True)
class FrameworkCoverage:
    framework: str
    label: str
    rows: list
    counts: dict[str, int]  # EvidenceState value -> how many


def _state(statuses: list[str]) -> str:
    if not statuses:
        return EvidenceState.UNMAPPED
    if MilestoneStatus.DONE in statuses:
        return EvidenceState.EVIDENCED
    if MilestoneStatus.WAIVED in statuses:
        return EvidenceState.WAIVED
    return EvidenceState.OPEN


def _items_by_framework() -> dict[str, list[FrameworkItem]]:
    grouped: dict[str, list[FrameworkItem]] = {value: [] for value in Framework.values}
    for item in FrameworkItem.objects.order_by("order", "code"):
        grouped[item.framework].append(item)
    return grouped


def initiative_frameworks(initiative: Initiative) -> list[FrameworkCoverage]:
    """For each framework, every item and whether the initiative has evidence for it, with
    the milestones of its checklist mapped to it. Four queries plus the checklist's."""
    readiness = readiness_selectors.readiness_of(initiative)
    items = readiness.items if readiness else []
    by_pk = {i.milestone.pk: i for i in items}
    mapped: dict[int, list] = {}
    for item_id, milestone_id in CrosswalkLink.objects.filter(
        milestone_id__in=list(by_pk)
    ).values_list("item_id", "milestone_id"):
        mapped.setdefault(item_id, []).append(by_pk[milestone_id])
    coverage = []
    for framework, framework_items in _items_by_framework().items():
        rows = []
        for item in framework_items:
            checklist_items = sorted(mapped.get(item.pk, []), key=lambda i: i.milestone.order)
            milestones = [
                MappedMilestone(i.milestone.key, i.milestone.title, i.status)
                for i in checklist_items
            ]
            rows.append(ItemEvidence(item, _state([m.status for m in milestones]), milestones))
        counts = {state: sum(r.state == state for r in rows) for state in EvidenceState.values}
        coverage.append(FrameworkCoverage(framework, str(Framework(framework).label), rows, counts))
    return coverage


@dataclass(frozen=True)
class PortfolioItem:
    """One framework item across the portfolio: the initiatives in each evidence state."""

    item: FrameworkItem
    milestone_titles: list[str]
    initiatives: dict[str, list[Initiative]]  # EvidenceState value -> initiatives

    @property
    def evidenced(self) -> list[Initiative]:
        return self.initiatives[EvidenceState.EVIDENCED]

    @property
    def waived(self) -> list[Initiative]:
        return self.initiatives[EvidenceState.WAIVED]

    @property
    def open(self) -> list[Initiative]:
        return self.initiatives[EvidenceState.OPEN]


def portfolio_frameworks() -> tuple[list[Initiative], list[FrameworkCoverage]]:
    """The initiatives readiness is measured on (idea to production), and for each
    framework, every item with the initiatives that have evidence for it, have it waived, or
    have it open (an item no milestone of an initiative's template maps to is not counted
    for it). `counts` are initiative-item pairs per state. Four queries, whatever the
    number of initiatives, milestones and items."""
    initiatives = list(readiness_selectors.readiness_initiatives(Initiative.objects.all()))
    templates = {i.template_pk for i in initiatives} - {None}
    # item -> {template: [milestone ids]}; milestone id -> title
    links: dict[int, dict[int, list[int]]] = {}
    titles: dict[int, dict[int, str]] = {}
    for item_id, milestone_id, template_id, title in CrosswalkLink.objects.filter(
        milestone__active=True, milestone__template__in=templates
    ).values_list("item_id", "milestone_id", "milestone__template_id", "milestone__title"):
        links.setdefault(item_id, {}).setdefault(template_id, []).append(milestone_id)
        titles.setdefault(item_id, {})[milestone_id] = title
    # (initiative, milestone) -> status, for what is done or waived on its own template.
    own_template = Q(milestone__template=F("initiative__readiness_template")) | Q(
        initiative__readiness_template__isnull=True, milestone__template__is_default=True
    )
    statuses = {
        (initiative_id, milestone_id): status
        for initiative_id, milestone_id, status in MilestoneRecord.objects.filter(
            own_template,
            initiative__in=[i.pk for i in initiatives],
            milestone__crosswalk_links__isnull=False,
            status__in=(MilestoneStatus.DONE, MilestoneStatus.WAIVED),
        )
        .values_list("initiative_id", "milestone_id", "status")
        .distinct()
    }
    coverage = []
    for framework, framework_items in _items_by_framework().items():
        rows = []
        counts = dict.fromkeys(EvidenceState.values, 0)
        for item in framework_items:
            by_state: dict[str, list[Initiative]] = {s: [] for s in EvidenceState.values}
            for initiative in initiatives:
                milestone_ids = links.get(item.pk, {}).get(initiative.template_pk, [])
                state = _state(
                    [
                        statuses.get((initiative.pk, m), MilestoneStatus.NOT_STARTED)
                        for m in milestone_ids
                    ]
                )
                by_state[state].append(initiative)
                counts[state] += 1
            rows.append(
                PortfolioItem(item, sorted(set(titles.get(item.pk, {}).values())), by_state)
            )
        coverage.append(FrameworkCoverage(framework, str(Framework(framework).label), rows, counts))
    return initiatives, coverage


# --- The evidence pack -----------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    article: str = ""


@dataclass(frozen=True)
class ClassificationSlot:
    """The EU AI Act classification: the latest version a governance reviewer confirmed, its
    result, each answer with the article its question cites, why the result follows (each
    reason with its article), who answered and who confirmed (README "Regulation")."""

    classified: bool
    summary: str
    facts: list[Fact] = field(default_factory=list)


def _classification(initiative: Initiative) -> ClassificationSlot:
    current = regulation_selectors.current_classification(initiative)
    if current is None:
        return ClassificationSlot(classified=False, summary="Not classified yet")
    items = regulation_selectors.questions(active_only=False)
    facts = [Fact(label, value) for label, value in regulation_selectors.result_rows(current)]
    for question in items:
        if question.key in current.answers:
            words = regulation_selectors.answer_words(question, current.answers[question.key])
            facts.append(Fact(question.text, words, question.article))
    facts += [Fact("Why", sentence, article) for article, sentence in current.reasons]
    facts.append(
        Fact("Answered by", f"{_who(current.submitted_by)}, {formats.when(current.submitted_at)}")
    )
    confirmed = f"{_who(current.reviewed_by)}, {formats.when(current.reviewed_at)}"
    if current.review_comment:
        confirmed += f": {current.review_comment}"
    facts.append(Fact("Confirmed by", confirmed))
    return ClassificationSlot(
        classified=True,
        summary=f"{current.get_category_display()} (version {current.version})",
        facts=facts,
    )


@dataclass(frozen=True)
class MilestoneEntry:
    template: str
    key: str
    domain: str
    title: str
    required_for: str
    status: str
    evidence_url: str
    evidence_note: str
    check_mode: str
    recorded_by: str
    recorded_at: datetime | None
    frameworks: list[str]
    article: str = ""  # an EU AI Act obligation cites its article
    applies_from: date | None = None  # and the date from which it applies

    @property
    def status_label(self) -> str:
        return str(MilestoneStatus(self.status).label)


@dataclass(frozen=True)
class MilestonesSection:
    template: str
    entries: list[MilestoneEntry]


@dataclass(frozen=True)
class WaiverEntry:
    milestone: str
    title: str
    decision: str  # "waived", or a waiver request's answer: "declined", "pending"
    justification: str
    decided_by: str
    decided_at: datetime | None
    requested_by: str
    requested_at: datetime | None
    request_reason: str
    article: str = ""  # a legal obligation's waiver says so, with its article


@dataclass(frozen=True)
class WaiversSection:
    entries: list[WaiverEntry]


@dataclass(frozen=True)
class CaseEntry:
    version: int
    status: str
    status_label: str
    currency: str
    created_by: str
    created_at: datetime
    submitted_by: str
    submitted_at: datetime | None
    reviewed_by: str
    reviewed_at: datetime | None
    review_comment: str


@dataclass(frozen=True)
class BusinessCasesSection:
    entries: list[CaseEntry]


@dataclass(frozen=True)
class HandoverEntry:
    to_owner: str
    from_owner: str
    requested_by: str
    requested_at: datetime
    status: str
    status_label: str
    decided_at: datetime | None
    decision_note: str
    confirms_skills: bool
    confirms_mandate: bool
    confirms_budget: bool


@dataclass(frozen=True)
class ConfirmationEntry:
    owner: str
    confirmed_at: datetime
    channel: str


@dataclass(frozen=True)
class AcceptanceSection:
    owner: str
    accepted_at: datetime | None
    confirmed_at: datetime | None
    handovers: list[HandoverEntry]
    confirmations: list[ConfirmationEntry]


@dataclass(frozen=True)
class PromotionEntry:
    requested_by: str
    requested_at: datetime
    note: str
    status: str
    status_label: str
    reviewed_by: str
    reviewed_at: datetime | None
    review_comment: str


@dataclass(frozen=True)
class TransitionEntry:
    from_stage: str
    to_stage: str
    actor: str
    at: datetime
    note: str


@dataclass(frozen=True)
class PromotionsSection:
    promotions: list[PromotionEntry]
    transitions: list[TransitionEntry]


@dataclass(frozen=True)
class EventEntry:
    at: datetime
    actor: str
    kind: str
    message: str


@dataclass(frozen=True)
class ChangeEntry:
    at: datetime
    user: str
    kind: str
    reason: str
    changes: list[dict[str, str]]


@dataclass(frozen=True)
class HistorySection:
    events: list[EventEntry]
    changes: list[ChangeEntry]


@dataclass(frozen=True)
class PackSection:
    """One part of the pack; `template` renders `content` (one include per section)."""

    key: str
    title: str
    content: Any

    @property
    def template(self) -> str:
        return f"initiatives/evidence/_{self.key}.html"


@dataclass(frozen=True)
class EvidencePack:
    initiative: Initiative
    generated_at: datetime
    sections: list[PackSection]

    def content(self) -> dict:
        """Everything the pack says, as plain JSON-ready data; the generated time is left
        out, so two packs saying the same thing have the same fingerprint."""
        initiative = self.initiative
        return _plain(
            {
                "initiative": {
                    "slug": initiative.slug,
                    "name": initiative.name,
                    "stage": initiative.stage,
                    "risk_tier": initiative.risk_tier,
                    "business_unit": initiative.business_unit.name,
                    "production_owner": _who(initiative.production_owner),
                },
                "sections": {s.key: asdict(s.content) for s in self.sections},
            }
        )

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the canonical serialisation of `content()` (keys sorted, no spaces,
        UTF-8): any change to what the pack says changes it."""
        canonical = json.dumps(
            self.content(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _plain(value):
    """`value` with datetimes and dates as ISO 8601 (UTC for timestamps), for JSON."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _milestones(initiative: Initiative) -> tuple[MilestonesSection, WaiversSection]:
    readiness = readiness_selectors.readiness_of(initiative)
    items = readiness.items if readiness else []
    codes: dict[int, list[str]] = {}
    rank = {value: n for n, value in enumerate(Framework.values)}  # NIST first, as listed
    for milestone_id, _, _, code in sorted(
        CrosswalkLink.objects.filter(milestone__in=[i.milestone.pk for i in items]).values_list(
            "milestone_id", "item__framework", "item__order", "item__code"
        ),
        key=lambda row: (row[0], rank[row[1]], row[2]),
    ):
        codes.setdefault(milestone_id, []).append(code)
    entries, waivers = [], []
    for item in items:
        milestone, record = item.milestone, item.record
        entries.append(
            MilestoneEntry(
                template=readiness.template.key,
                key=milestone.key,
                domain=milestone.domain,
                title=milestone.title,
                required_for=milestone.required_for,
                status=item.status,
                evidence_url=record.evidence_url if record else "",
                evidence_note=record.evidence_note if record else "",
                check_mode=record.check_mode if record else "",
                recorded_by=_who(record.updated_by) if record else "",
                recorded_at=record.updated_at if record else None,
                frameworks=codes.get(milestone.pk, []),
                article=item.obligation.article if item.obligation else "",
                applies_from=item.applies_from,
            )
        )
        if record is None:
            continue
        waived = record.status == MilestoneStatus.WAIVED
        if waived or record.waiver_requested_at:
            if waived:
                decision = "waived"
            elif record.waiver_decision == WaiverDecision.DECLINED:
                decision = "declined"
            else:
                decision = "pending" if record.waiver_pending else str(record.waiver_decision)
            waivers.append(
                WaiverEntry(
                    milestone=milestone.key,
                    title=milestone.title,
                    decision=decision,
                    justification=record.justification if waived else "",
                    decided_by=_who(
                        record.waiver_decided_by or (record.updated_by if waived else None)
                    ),
                    decided_at=record.waiver_decided_at or (record.updated_at if waived else None),
                    requested_by=_who(record.waiver_requested_by),
                    requested_at=record.waiver_requested_at,
                    request_reason=record.waiver_request_reason,
                    article=item.obligation.article if item.obligation else "",
                )
            )
    template = readiness.template.name if readiness else ""
    return MilestonesSection(template, entries), WaiversSection(waivers)


def _business_cases(initiative: Initiative) -> BusinessCasesSection:
    cases = initiative.business_cases.select_related(
        "created_by", "submitted_by", "reviewed_by"
    ).order_by("version")
    return BusinessCasesSection(
        [
            CaseEntry(
                version=c.version,
                status=c.status,
                status_label=c.get_status_display(),
                currency=c.currency,
                created_by=_who(c.created_by),
                created_at=c.created_at,
                submitted_by=_who(c.submitted_by),
                submitted_at=c.submitted_at,
                reviewed_by=_who(c.reviewed_by),
                reviewed_at=c.reviewed_at,
                review_comment=c.review_comment,
            )
            for c in cases
        ]
    )


def _acceptance(initiative: Initiative) -> AcceptanceSection:
    handovers = OwnershipHandover.objects.filter(initiative=initiative).select_related(
        "to_owner", "from_owner", "requested_by"
    )
    confirmations = OwnershipConfirmation.objects.filter(initiative=initiative).select_related(
        "owner"
    )
    return AcceptanceSection(
        owner=_who(initiative.production_owner),
        accepted_at=initiative.owner_accepted_at,
        confirmed_at=initiative.owner_confirmed_at,
        handovers=[
            HandoverEntry(
                to_owner=_who(h.to_owner),
                from_owner=_who(h.from_owner),
                requested_by=_who(h.requested_by),
                requested_at=h.requested_at,
                status=h.status,
                status_label=h.get_status_display(),
                decided_at=h.decided_at,
                decision_note=h.decision_note,
                confirms_skills=h.confirms_skills,
                confirms_mandate=h.confirms_mandate,
                confirms_budget=h.confirms_budget,
            )
            for h in handovers.order_by("requested_at", "pk")
        ],
        confirmations=[
            ConfirmationEntry(_who(c.owner), c.confirmed_at, c.get_channel_display())
            for c in confirmations.order_by("confirmed_at", "pk")
        ],
    )


def _promotions(initiative: Initiative) -> PromotionsSection:
    promotions = PromotionRequest.objects.filter(initiative=initiative).select_related(
        "requested_by", "reviewed_by"
    )
    transitions = StageTransition.objects.filter(initiative=initiative).select_related("actor")
    return PromotionsSection(
        promotions=[
            PromotionEntry(
                requested_by=_who(p.requested_by),
                requested_at=p.requested_at,
                note=p.note,
                status=p.status,
                status_label=p.get_status_display(),
                reviewed_by=_who(p.reviewed_by),
                reviewed_at=p.reviewed_at,
                review_comment=p.review_comment,
            )
            for p in promotions.order_by("requested_at", "pk")
        ],
        transitions=[
            TransitionEntry(
                t.get_from_stage_display(), t.get_to_stage_display(), _who(t.actor), t.at, t.note
            )
            for t in transitions.order_by("at", "pk")
        ],
    )


def _history(initiative: Initiative) -> HistorySection:
    events = portfolio_selectors.initiative_events(initiative, limit=PACK_HISTORY_LIMIT)
    history = portfolio_selectors.initiative_history(initiative, limit=PACK_HISTORY_LIMIT)
    return HistorySection(
        events=[EventEntry(e.at, _who(e.actor), e.kind, e.message) for e in events],
        changes=[
            ChangeEntry(
                at=h.at,
                user=h.user,
                kind=h.kind,
                reason=h.reason,
                changes=[{"field": c.field, "old": c.old, "new": c.new} for c in h.changes],
            )
            for h in history
        ],
    )


def evidence_pack(initiative: Initiative, *, now: datetime | None = None) -> EvidencePack:
    """The evidence pack of `initiative` (load it with `portfolio.selectors.initiative_by_slug`):
    its sections in the order an auditor reads them. A fixed number of queries, whatever
    the number of milestones, versions, handovers or events."""
    milestones, waivers = _milestones(initiative)
    sections = [
        PackSection("classification", "EU AI Act classification", _classification(initiative)),
        PackSection("milestones", "Milestones and obligations", milestones),
        PackSection("waivers", "Waivers", waivers),
        PackSection(
            "business_cases", "Business case versions and approvals", _business_cases(initiative)
        ),
        PackSection("acceptance", "The owner's acceptance", _acceptance(initiative)),
        PackSection("promotions", "Promotions and stage changes", _promotions(initiative)),
        PackSection("history", "Change history", _history(initiative)),
    ]
    return EvidencePack(initiative, now or timezone.now(), sections)
