"""Reads: querysets with their joins done, so no page or endpoint issues N+1 queries."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from difflib import SequenceMatcher

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, Prefetch, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils.text import slugify

from initiatives.core import formats
from initiatives.core.choices import RiskTier, Stage
from initiatives.core.events import render_events
from initiatives.core.people import display_name
from initiatives.ownership.models import OwnershipHandover, PromotionRequest
from initiatives.portfolio.models import (
    RESERVED_SLUGS,
    Initiative,
    InitiativeEvent,
    StageTransition,
)
from initiatives.watch.selectors import open_flags

User = get_user_model()

HISTORY_LIMIT = 50


def initiative_list() -> QuerySet[Initiative]:
    """Initiatives with what a list row shows (unit, sponsor, owner, team) joined in."""
    return Initiative.objects.select_related(
        "business_unit", "sponsor", "production_owner", "owning_team", "backup_owner"
    )


def initiative_list_page() -> QuerySet[Initiative]:
    """`initiative_list()` with what the list page adds to each row: its open flags, as
    `open_flag_list` (one query for the whole page, whatever its length)."""
    return initiative_list().prefetch_related(
        Prefetch("flags", queryset=open_flags().order_by("kind"), to_attr="open_flag_list")
    )


def initiative_by_slug(slug: str, queryset: QuerySet[Initiative] | None = None) -> Initiative:
    """The initiative a URL names by its slug, from `queryset` (`initiative_list()` by
    default); Http404 when there is none. Every page and endpoint under an initiative's
    slug loads it here."""
    return get_object_or_404(initiative_list() if queryset is None else queryset, slug=slug)


def initiative_detail() -> QuerySet[Initiative]:
    """One initiative with everything its page shows, in a constant number of queries."""
    return initiative_list().prefetch_related(
        "links",
        Prefetch("team_members", queryset=User.objects.order_by("username")),
        Prefetch(
            "handovers",
            queryset=OwnershipHandover.objects.select_related(
                "from_owner", "to_owner", "requested_by", "owning_team"
            ),
        ),
        Prefetch("transitions", queryset=StageTransition.objects.select_related("actor")),
        Prefetch("flags", queryset=open_flags()),
        Prefetch(
            "promotion_requests",
            queryset=PromotionRequest.objects.select_related("requested_by", "reviewed_by"),
        ),
    )


def initiative_events(initiative: Initiative, limit: int = HISTORY_LIMIT) -> list[InitiativeEvent]:
    """The newest events, each with its sentence rendered with today's names (one query for
    the people they name, one for the milestones, whatever their number)."""
    return render_events(initiative.events.select_related("actor")[:limit])


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    user: str
    kind: str
    reason: str
    changes: list[FieldChange]


def _display(value) -> str:
    return "—" if value in (None, "") else str(value)


def initiative_history(initiative: Initiative, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """Field-level history, newest first: who changed what from what, at most `limit` entries.

    Foreign keys are shown by name, resolved in one query per related model.
    """
    records = list(initiative.history.select_related("history_user")[: limit + 1])
    fk_fields = {
        f.attname: f
        for f in Initiative._meta.concrete_fields
        if f.is_relation and f.attname != "id"
    }
    # Resolve every referenced FK value once per model.
    wanted: dict = {}
    for record in records:
        for attname, field in fk_fields.items():
            value = getattr(record, attname)
            if value is not None:
                wanted.setdefault(field.related_model, set()).add(value)
    names = {
        model: {
            obj.pk: display_name(obj) if model is User else str(obj)
            for obj in model._default_manager.filter(pk__in=pks)
        }
        for model, pks in wanted.items()
    }
    labels = {f.attname: f.verbose_name for f in Initiative._meta.concrete_fields}
    choices = {"stage": dict(Stage.choices), "risk_tier": dict(RiskTier.choices)}

    def shown(attname: str, value) -> str:
        field = fk_fields.get(attname)
        if field is not None and value is not None:
            return names[field.related_model].get(value, f"#{value}")
        if attname in choices and value in choices[attname]:
            return str(choices[attname][value])
        if isinstance(value, datetime):
            return formats.when(value)
        if isinstance(value, date):
            return formats.day(value)
        return _display(value)

    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        if len(entries) == limit:
            break
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            for change in delta.changes:
                attname = Initiative._meta.get_field(change.field).attname
                changes.append(
                    FieldChange(
                        field=str(labels.get(attname, change.field)),
                        old=shown(attname, getattr(older, attname)),
                        new=shown(attname, getattr(newer, attname)),
                    )
                )
        entries.append(
            HistoryEntry(
                at=newer.history_date,
                user=display_name(newer.history_user),
                kind={"+": "created", "~": "changed", "-": "deleted"}[newer.history_type],
                reason=newer.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def stage_counts() -> dict[str, int]:
    counts = dict(
        Initiative.objects.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n")
    )
    return {stage: counts.get(stage, 0) for stage in Stage.values}


# What an API list row reads: its own columns and the names of the people and units shown.
API_LIST_COLUMNS = (
    "slug",
    "name",
    "summary",
    "business_unit__name",
    "risk_tier",
    "stage",
    "stage_entered_at",
    "target_production_date",
    "owner_accepted_at",
    "owner_confirmed_at",
    "owning_team__name",
    "health_status",
    "created_at",
    "updated_at",
    *(
        f"{person}__{field}"
        for person in ("sponsor", "production_owner", "backup_owner")
        for field in ("username", "first_name", "last_name")
    ),
)


def initiative_api_list() -> QuerySet[Initiative]:
    """`initiative_list()` reading only the columns an API list row shows: ten thousand
    initiatives page by page, without each row's people's password hashes and the rest."""
    return initiative_list().only(*API_LIST_COLUMNS)


# --- Naming a new initiative ----------------------------------------------------------------

SLUG_MAX_LENGTH = Initiative._meta.get_field("slug").max_length


def free_slug(text: str) -> str:
    """The address proposed for an initiative named `text`: its slug ("Invoice matching" →
    "invoice-matching"), with "-2", "-3" ... added when taken or reserved by the portal.
    Empty when `text` has nothing a slug can keep. One query."""
    base = slugify(unidecode_ascii(text)).replace("_", "-").strip("-")[:SLUG_MAX_LENGTH]
    base = re.sub(r"-{2,}", "-", base).strip("-")
    if not base:
        return ""
    taken = set(Initiative.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
    return candidate


def unidecode_ascii(text: str) -> str:
    """Accents dropped ("Prévision" → "Prevision"), so a slug keeps the letter, not nothing."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


# Words that say nothing about which initiative a name means.
_NAME_NOISE = frozenset({"the", "and", "for", "with", "from", "ai", "ml", "of", "a", "an", "to"})
SIMILAR_NAME_RATIO = 0.8  # two words, one a typo of the other
SIMILAR_NAME_WHOLE_RATIO = 0.9  # two whole names ("claimstriage", "claims triage")
SIMILAR_CANDIDATES = 50


def _name_words(name: str) -> list[str]:
    return [w for w in re.findall(r"\w+", unidecode_ascii(name).lower()) if w not in _NAME_NOISE]


def _normalised(name: str) -> str:
    return " ".join(_name_words(name))


def similar_initiatives(name: str, *, exclude_pk: int | None = None) -> list[Initiative]:
    """Existing initiatives whose names are close to `name` ("Invoice matcher" and "Invoice
    matching", "Claims-triage" and "Claims triage"), most alike first.

    The database narrows the candidates to names sharing a word, or the start of one (a
    typo later in a word still matches): case-insensitive `icontains`, which SQLite and
    PostgreSQL both run, capped at `SIMILAR_CANDIDATES` rows. Python then compares those
    few names, normalised (case, accents, punctuation, filler words): close when every word
    of each has a match in the other (`_same_words`) or the whole names nearly agree."""
    wanted = _normalised(name)
    if not wanted:
        return []
    # Words of three letters or more, cut to their first five ("matching" → "match").
    keys = sorted({w[:5] for w in _name_words(name) if len(w) >= 3}) or [wanted]
    shared = [Case(When(name__icontains=key, then=Value(1)), default=Value(0)) for key in keys]
    candidates = (
        Initiative.objects.annotate(shared=sum(shared[1:], shared[0]))
        .filter(shared__gt=0)
        .only("pk", "name", "slug")
    )
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    scored = []
    for initiative in candidates.order_by("-shared", "name")[:SIMILAR_CANDIDATES]:
        theirs = _normalised(initiative.name)
        ratio = SequenceMatcher(None, wanted, theirs).ratio()
        if ratio >= SIMILAR_NAME_WHOLE_RATIO or _same_words(wanted, theirs):
            scored.append((ratio, initiative))
    return [initiative for _, initiative in sorted(scored, key=lambda s: -s[0])]


def _same_words(one: str, other: str) -> bool:
    """Every word of each name has a match in the other: the same stem (first five
    letters: "matcher", "matching") or a typo away ("matchng"). Words of one or two letters
    ("v2") are left out unless nothing else is left."""
    a = [w for w in one.split() if len(w) > 2] or one.split()
    b = [w for w in other.split() if len(w) > 2] or other.split()

    def match(x: str, y: str) -> bool:
        if len(x) >= 5 and len(y) >= 5 and x[:5] == y[:5]:
            return True
        return SequenceMatcher(None, x, y).ratio() >= SIMILAR_NAME_RATIO

    def covered(xs: list[str], ys: list[str]) -> bool:
        return all(any(match(x, y) for y in ys) for x in xs)

    return bool(a and b) and covered(a, b) and covered(b, a)
