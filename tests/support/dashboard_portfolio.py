"""A small portfolio whose every dashboard number is known, for the dashboard and export tests.

Two business units. Days in stage are whole days (plus two hours, so a test that runs across
midnight still counts the same days). `EXPECTED` is what the portfolio page must show, worked
out by hand from the table in `build()`:

    unit    slug               stage       days  health    open flags         transitions
    Retail  r-idea             idea           1
    Retail  r-poc-10           poc           10            (a resolved one)
    Retail  r-poc-40           poc           40
    Retail  r-poc-100          poc          100            stalled
    Retail  r-pilot-30         pilot         30
    Retail  r-pilot-130        pilot        130            stalled
    Retail  r-prod-healthy     production     5  healthy
    Retail  r-prod-degraded    production     5  degraded  health_degraded
    Retail  r-prod-silent      production     5  silent    health_silent
    Retail  r-retired          retired        5  silent    (left over: not production)
    Retail  r-cancelled-idea   cancelled      5                               idea → cancelled
    Claims  c-poc-200          poc          200            stalled
    Claims  c-pilot-50         pilot         50            ownerless
    Claims  c-pilot-150        pilot        150            stalled, business_case_missing
    Claims  c-pilot-back       pilot         20                               → production → pilot
    Claims  c-prod-failing     production     5  failing   health_degraded
    Claims  c-prod-unchecked   production     5  (none)    stale_ownership
    Claims  c-cancelled-poc    cancelled      5                               idea → poc → cancelled
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from initiatives.core.choices import FlagKind, Stage
from initiatives.models import Initiative
from tests.factories import (
    BusinessUnitFactory,
    FlagFactory,
    InitiativeFactory,
    StageTransitionFactory,
)

ROWS = [
    # (unit, slug, stage, days, health, open flags, transitions)
    ("Retail", "r-idea", Stage.IDEA, 1, "", (), ()),
    ("Retail", "r-poc-10", Stage.POC, 10, "", (), ()),
    ("Retail", "r-poc-40", Stage.POC, 40, "", (), ()),
    ("Retail", "r-poc-100", Stage.POC, 100, "", ("stalled",), ()),
    ("Retail", "r-pilot-30", Stage.PILOT, 30, "", (), ()),
    ("Retail", "r-pilot-130", Stage.PILOT, 130, "", ("stalled",), ()),
    ("Retail", "r-prod-healthy", Stage.PRODUCTION, 5, "healthy", (), ()),
    ("Retail", "r-prod-degraded", Stage.PRODUCTION, 5, "degraded", ("health_degraded",), ()),
    ("Retail", "r-prod-silent", Stage.PRODUCTION, 5, "silent", ("health_silent",), ()),
    ("Retail", "r-retired", Stage.RETIRED, 5, "silent", (), ()),
    ("Retail", "r-cancelled-idea", Stage.CANCELLED, 5, "", (), (("idea", "cancelled"),)),
    ("Claims", "c-poc-200", Stage.POC, 200, "", ("stalled",), ()),
    ("Claims", "c-pilot-50", Stage.PILOT, 50, "", ("ownerless",), ()),
    (
        "Claims",
        "c-pilot-150",
        Stage.PILOT,
        150,
        "",
        ("stalled", "business_case_missing"),
        (),
    ),
    (
        "Claims",
        "c-pilot-back",
        Stage.PILOT,
        20,
        "",
        (),
        (("idea", "poc"), ("poc", "pilot"), ("pilot", "production"), ("production", "pilot")),
    ),
    ("Claims", "c-prod-failing", Stage.PRODUCTION, 5, "failing", ("health_degraded",), ()),
    ("Claims", "c-prod-unchecked", Stage.PRODUCTION, 5, "", ("stale_ownership",), ()),
    (
        "Claims",
        "c-cancelled-poc",
        Stage.CANCELLED,
        5,
        "",
        (),
        (("idea", "poc"), ("poc", "cancelled")),
    ),
]

# Health is counted by status: the portfolio's flag tallies leave the health flags out.
NO_FLAGS = dict.fromkeys(
    (k for k in FlagKind.values if k not in (FlagKind.HEALTH_SILENT, FlagKind.HEALTH_DEGRADED)), 0
)

# What the portfolio shows, for everything (None) and for each business unit.
EXPECTED = {
    None: {
        "total": 18,
        "stages": {
            "idea": 1,
            "poc": 4,
            "pilot": 5,
            "production": 5,
            "retired": 1,
            "cancelled": 2,
        },
        # (entered the first stage, reached the next): POC → pilot, pilot → production
        "conversions": [(16, 11), (11, 7)],
        "rates": ["68.8 %", "63.6 %"],
        # (now in stage, stalled, median days, worst days): POC, pilot
        "valley": [(4, 2, 70, 200), (5, 2, 50, 150)],
        "flags": NO_FLAGS
        | {
            "stalled": 4,
            "ownerless": 1,
            "stale_ownership": 1,
            "business_case_missing": 1,
        },
        "health": {"healthy": 1, "degraded": 1, "failing": 1, "silent": 1, "unchecked": 1},
        # Most urgent first: failing, silent, ownerless, stalled (longest in stage first),
        # stale ownership, degraded.
        "attention": [
            "c-prod-failing",
            "r-prod-silent",
            "c-pilot-50",
            "c-poc-200",
            "c-pilot-150",
            "r-pilot-130",
            "r-poc-100",
            "c-prod-unchecked",
            "r-prod-degraded",
        ],
    },
    "Retail": {
        "total": 11,
        "stages": {
            "idea": 1,
            "poc": 3,
            "pilot": 2,
            "production": 3,
            "retired": 1,
            "cancelled": 1,
        },
        "conversions": [(9, 6), (6, 4)],
        "rates": ["66.7 %", "66.7 %"],
        "valley": [(3, 1, 40, 100), (2, 1, 80, 130)],
        "flags": NO_FLAGS | {"stalled": 2},
        "health": {"healthy": 1, "degraded": 1, "failing": 0, "silent": 1},
        "attention": ["r-prod-silent", "r-pilot-130", "r-poc-100", "r-prod-degraded"],
    },
    "Claims": {
        "total": 7,
        "stages": {
            "idea": 0,
            "poc": 1,
            "pilot": 3,
            "production": 2,
            "retired": 0,
            "cancelled": 1,
        },
        "conversions": [(7, 5), (5, 3)],
        "rates": ["71.4 %", "60.0 %"],
        "valley": [(1, 1, 200, 200), (3, 1, 50, 150)],
        "flags": NO_FLAGS
        | {
            "stalled": 2,
            "ownerless": 1,
            "stale_ownership": 1,
            "business_case_missing": 1,
        },
        "health": {"healthy": 0, "degraded": 0, "failing": 1, "silent": 0, "unchecked": 1},
        "attention": [
            "c-prod-failing",
            "c-pilot-50",
            "c-poc-200",
            "c-pilot-150",
            "c-prod-unchecked",
        ],
    },
}


@dataclass
class Portfolio:
    now: datetime
    initiatives: dict[str, Initiative]

    def __getitem__(self, slug: str) -> Initiative:
        return self.initiatives[slug]


def build(**extra_by_slug) -> Portfolio:
    """The portfolio of the table above. `extra_by_slug` adds fields to named rows
    (owners, members, ...)."""
    now = timezone.now()
    units = {name: BusinessUnitFactory(name=name) for name in ("Retail", "Claims")}
    made = {}
    for unit, slug, stage, days, health, flags, transitions in ROWS:
        extra = dict(extra_by_slug.get(slug, {}))
        members = extra.pop("members", ())
        initiative = InitiativeFactory(
            slug=slug,
            name=slug.replace("-", " ").capitalize(),
            business_unit=units[unit],
            stage=stage,
            stage_entered_at=now - timedelta(days=days, hours=2),
            health_status=health,
            members=members,
            **extra,
        )
        for kind in flags:
            FlagFactory(initiative=initiative, kind=kind, opened_at=now)
        for when, (from_stage, to_stage) in enumerate(transitions):
            StageTransitionFactory(
                initiative=initiative,
                from_stage=from_stage,
                to_stage=to_stage,
                at=now - timedelta(days=days, hours=len(transitions) - when),
            )
        made[slug] = initiative
    # Resolved flags count nowhere.
    FlagFactory(initiative=made["r-poc-10"], kind=FlagKind.STALLED, opened_at=now, resolved_at=now)
    return Portfolio(now=now, initiatives=made)
