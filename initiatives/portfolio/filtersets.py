"""One filter definition, shared by the initiative list page and the API."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.utils import extend_schema_field

from initiatives.core.choices import (
    FlagKind,
    HealthStatus,
    RiskTier,
    Stage,
)
from initiatives.core.forms import PersonFilterSelect
from initiatives.portfolio.lifecycle import FUNNEL, reached_condition
from initiatives.portfolio.models import BusinessUnit, Initiative, sort_key
from initiatives.regulation.selectors import CATEGORY_FILTER_CHOICES, in_category
from initiatives.watch.models import Flag

# Health is counted once, by the stored health status (which every health report and every
# scan write); the two health flag kinds say the same thing later, so the portfolio and
# "needs attention" read the status, not these flags.
HEALTH_FLAG_KINDS = (FlagKind.HEALTH_SILENT, FlagKind.HEALTH_DEGRADED)
UNHEALTHY = (HealthStatus.FAILING, HealthStatus.SILENT, HealthStatus.DEGRADED)


def needs_attention() -> Q:
    """Initiatives that need attention: an open flag of a kind other than health, or a
    production system whose health is failing, silent or degraded. The portfolio counts and
    lists exactly these; `?attention=true` on the list and the API shows them all."""
    open_flag = Flag.objects.filter(initiative=OuterRef("pk"), resolved_at=None).exclude(
        kind__in=HEALTH_FLAG_KINDS
    )
    return Q(Exists(open_flag)) | Q(stage=Stage.PRODUCTION, health_status__in=UNHEALTHY)


@extend_schema_field({"type": "boolean"})
class YesNoFilter(django_filters.TypedChoiceFilter):
    """`true` or `false` in the URL, "Any / Yes / No" on the page. Anything else is a field
    error: django-filter's BooleanFilter silently drops a value it cannot read (`?open=maybe`
    listed everything)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("", "Any"), ("true", "Yes"), ("false", "No")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)


class InitiativeOrderingFilter(django_filters.OrderingFilter):
    """Sorts as people read the columns: stages in lifecycle order, risk from low to critical,
    health from healthy to silent (not alphabetically); empty values (no owner, not yet
    checked) last in either direction; ties broken by name and id, so the pages of a sorted
    list never repeat or skip a row."""

    # Sort keys counted back from a date: most days in stage = the earliest date entered.
    COUNTED_BACK = {"days_in_stage": "stage_entered_at"}

    def filter(self, qs, value):
        ordering = []
        for param in value if value not in EMPTY_VALUES else []:
            if param in EMPTY_VALUES:
                continue
            descending = param.startswith("-")
            field = self.param_map.get(param.lstrip("-"), param.lstrip("-"))
            if field in self.COUNTED_BACK:
                descending, field = not descending, self.COUNTED_BACK[field]
            # The ranks and the indexes that read them in order: `models.sort_key`.
            expression = sort_key(field)
            ordering.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            )
        return qs.order_by(*ordering, "name", "pk")


class InitiativeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    stage = django_filters.MultipleChoiceFilter(
        choices=Stage.choices, widget=forms.CheckboxSelectMultiple
    )
    business_unit = django_filters.ModelChoiceFilter(
        queryset=BusinessUnit.objects.all(), to_field_name="name", empty_label="Any"
    )
    risk_tier = django_filters.MultipleChoiceFilter(
        choices=RiskTier.choices, label="Risk tier", widget=forms.CheckboxSelectMultiple
    )
    owner = django_filters.CharFilter(
        method="filter_owner",
        label="Production owner",
        help_text="The production owner's username; the page offers people by name.",
        widget=PersonFilterSelect,
    )
    sponsor = django_filters.CharFilter(
        method="filter_sponsor",
        label="Sponsor",
        help_text="The sponsor's username; the page offers people by name.",
        widget=PersonFilterSelect,
    )
    owned_by = django_filters.CharFilter(
        method="filter_owned_by",
        label="Owner or backup owner",
        help_text="A username: what My work lists as the systems a person owns.",
        widget=PersonFilterSelect,
    )
    flag = django_filters.ChoiceFilter(
        choices=FlagKind.choices, method="filter_flag", label="Open flag", empty_label="Any"
    )
    health = django_filters.MultipleChoiceFilter(
        choices=[*HealthStatus.choices, ("unchecked", "Not yet checked")],
        method="filter_health",
        label="Health",
        widget=forms.CheckboxSelectMultiple,
        help_text="Production systems' health, as of the last scan or health report.",
    )
    reached = django_filters.ChoiceFilter(
        choices=[(s, Stage(s).label) for s in FUNNEL],
        method="filter_reached",
        label="Ever reached",
        empty_label="Any",
    )
    eu_ai_act = django_filters.ChoiceFilter(
        choices=CATEGORY_FILTER_CHOICES,
        method="filter_eu_ai_act",
        label="EU AI Act",
        empty_label="Any",
        help_text="The category of the latest confirmed EU AI Act classification.",
    )
    ownership_pending = YesNoFilter(method="filter_ownership_pending", label="Ownership pending")
    attention = YesNoFilter(
        method="filter_attention",
        label="Needs attention",
        help_text="An open flag, or a production system failing, silent or degraded.",
    )
    ordering = InitiativeOrderingFilter(
        fields=(
            ("name", "name"),
            ("stage", "stage"),
            ("stage_entered_at", "stage_entered_at"),
            ("days_in_stage", "days_in_stage"),
            ("business_unit__name", "business_unit"),
            ("risk_tier", "risk_tier"),
            ("production_owner__last_name", "owner"),
            ("health_status", "health"),
            ("owner_confirmed_at", "owner_confirmed_at"),
        )
    )

    class Meta:
        model = Initiative
        fields = ["q", "stage", "business_unit", "risk_tier", "owner", "sponsor", "flag", "health"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        text = Q(name__icontains=value) | Q(summary__icontains=value) | Q(slug__icontains=value)
        # "ada" or "Ada Lovelace": every word in the owner's or the sponsor's names.
        words = value.split()[:4]
        people = Q()
        for role in ("production_owner", "sponsor"):
            person = Q()
            for word in words:
                person &= Q(**{f"{role}__first_name__icontains": word}) | Q(
                    **{f"{role}__last_name__icontains": word}
                )
            people |= person
        return queryset.filter(text | people)

    def filter_flag(self, queryset, name, value):
        open_flag = Flag.objects.filter(initiative=OuterRef("pk"), kind=value, resolved_at=None)
        return queryset.filter(Exists(open_flag))

    def filter_health(self, queryset, name, value: list[str]):
        statuses = ["" if v == "unchecked" else v for v in value]
        return queryset.filter(stage=Stage.PRODUCTION, health_status__in=statuses)

    def filter_reached(self, queryset, name, value: str):
        return queryset.filter(reached_condition(value))

    def filter_eu_ai_act(self, queryset, name, value: str):
        return in_category(queryset, value)

    def filter_owner(self, queryset, name, value):
        return queryset.filter(production_owner__username=value)

    def filter_sponsor(self, queryset, name, value):
        return queryset.filter(sponsor__username=value)

    def filter_owned_by(self, queryset, name, value):
        return queryset.filter(
            Q(production_owner__username=value) | Q(backup_owner__username=value)
        )

    def filter_ownership_pending(self, queryset, name, value: bool):
        pending = Q(production_owner__isnull=False, owner_accepted_at__isnull=True)
        return queryset.filter(pending) if value else queryset.exclude(pending)

    def filter_attention(self, queryset, name, value: bool):
        return queryset.filter(needs_attention()) if value else queryset.exclude(needs_attention())
