from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views import View
from django_filters.views import FilterView

from initiatives.business_cases import selectors as business_cases_selectors
from initiatives.core import permissions
from initiatives.core.choices import HandoverStatus, PromotionStatus, Stage
from initiatives.core.forms import add_service_error
from initiatives.core.paging import DeferredJoin, DeferredJoinPaginator
from initiatives.core.people import names_by_username
from initiatives.core.views import ServiceFormView
from initiatives.dashboards.selectors import counted_length
from initiatives.health import status as health_status
from initiatives.portfolio import selectors, services
from initiatives.portfolio.filtersets import InitiativeFilterSet
from initiatives.portfolio.forms import InitiativeForm, TransitionForm
from initiatives.portfolio.gates import (
    STAGE_DOMAIN,
    grouped,
    is_backward,
    reachable_stages,
    unmet,
)
from initiatives.readiness.scoring import checklist
from initiatives.regulation import selectors as regulation_selectors
from initiatives.value import selectors as value_selectors


@dataclass(frozen=True)
class FilterChip:
    """One active filter value as the list shows it, with the address that drops it."""

    label: str
    remove_query: str


# Filters the list shows as chips, in the order of the form; sorting is the headers' job.
CHIP_FILTERS = (
    "q",
    "stage",
    "business_unit",
    "risk_tier",
    "owner",
    "sponsor",
    "owned_by",
    "flag",
    "health",
    "reached",
    "ownership_pending",
)
PERSON_FILTERS = ("owner", "sponsor", "owned_by")


def filter_chips(query: QueryDict, form) -> list[FilterChip]:
    """A chip for each value of each filter in `query` ("Stage: Pilot", "Owner: Ada
    Lovelace"), each with the query string that removes just that value (and the page
    number: a shorter list starts again at page 1). One query for the people named."""
    people = names_by_username({v for name in PERSON_FILTERS for v in query.getlist(name)})
    chips = []
    for name in CHIP_FILTERS:
        field = form.fields.get(name)
        values = [v for v in query.getlist(name) if v.strip()]
        if field is None or not values:
            continue
        choices = {str(k): v for k, v in getattr(field, "choices", ())}
        for value in values:
            if name in PERSON_FILTERS:
                shown = people.get(value, value)
            elif name == "q":
                shown = f"“{value}”"
            else:
                shown = choices.get(value, value)
            remaining = query.copy()
            remaining.setlist(name, [v for v in query.getlist(name) if v != value])
            remaining.pop("page", None)
            # The bound field's label: the field's own, else one made from its name ("Stage").
            label = form[name].label
            chips.append(FilterChip(f"{label}: {shown}", remaining.urlencode()))
    return chips


class InitiativeListView(FilterView):
    """`/initiatives/`: filters folded in a <details> with the active ones as removable
    chips, sorting by the column headers, 25 rows a page in a constant number of queries,
    each page reading only its own rows (`core.paging`)."""

    filterset_class = InitiativeFilterSet
    queryset = selectors.initiative_list_page()
    template_name = "initiatives/initiative_list.html"
    paginate_by = 25

    def paginate_queryset(self, queryset, page_size):
        # The page's ids first, through the index of its order; only its rows are joined.
        # Unfiltered, or by a filter the dashboards count, the length is their counter's.
        listing = DeferredJoin(queryset, rows=self.get_queryset(), counted=self._counted)
        number = self.request.GET.get(self.page_kwarg)
        paginator, page = self._page(listing, page_size, number)
        return paginator, page, page.object_list, page.has_other_pages()

    def _counted(self) -> int | None:
        form = self.filterset.form  # unbound: no filter at all
        if not form.is_bound:
            return counted_length({})
        return counted_length(form.cleaned_data) if form.is_valid() else None

    @staticmethod
    def _page(listing, page_size, number):
        # A bookmarked page past the end (the list has shrunk since) or a garbled number
        # shows the nearest page rather than a 404; "last" is the last page.
        paginator = DeferredJoinPaginator(listing, page_size)
        page = paginator.get_page(paginator.num_pages if number == "last" else number)
        return paginator, page

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        context["chips"] = filter_chips(query, self.filterset.form)
        context["ordering"] = query.get("ordering", "")
        context["now"] = timezone.now()
        return context


class InitiativeDetailView(View):
    def get(self, request, slug):
        initiative = selectors.initiative_by_slug(slug, selectors.initiative_detail())
        user = request.user
        can_edit = permissions.can_edit_initiative(user, initiative)
        handovers = list(initiative.handovers.all())
        pending_handover = next((h for h in handovers if h.status == HandoverStatus.PENDING), None)
        promotions = list(initiative.promotion_requests.all())
        pending_promotion = next(
            (p for p in promotions if p.status == PromotionStatus.PENDING), None
        )
        health = health_status.health_of(initiative)
        health_series = health_status.series(initiative, days=90)
        shows_value = initiative.stage in value_selectors.REPORTING_STAGES
        return render(
            request,
            "initiatives/initiative_detail.html",
            {
                "initiative": initiative,
                "handovers": handovers,
                "pending_handover": pending_handover,
                "promotions": promotions,
                "pending_promotion": pending_promotion,
                "events": selectors.initiative_events(initiative),
                "open_flags": list(initiative.flags.all()),  # prefetched: open ones only
                **business_cases_selectors.business_case_summary(initiative),
                **regulation_selectors.classification_summary(initiative),
                "readiness": checklist(initiative),
                "health": health,
                "health_series": health_series,
                "health_labels": health_status.LABELS,
                "health_charts": health_status.charts(health_series, health),
                "history": selectors.initiative_history(initiative),
                "value_comparison": value_selectors.comparison_for(initiative)
                if shows_value
                else None,
                "shows_value": shows_value,
                # The team may (known already); else a client granted it.
                "can_report_value": shows_value
                and (can_edit or permissions.can_report_value(user, initiative)),
                "can_edit": can_edit,
                "can_name_owner": permissions.can_name_owner(user, initiative),
                "can_confirm": permissions.can_confirm_ownership(user, initiative),
                "can_answer_handover": pending_handover is not None
                and permissions.can_answer_handover(user, pending_handover),
                "can_request_promotion": can_edit
                and initiative.stage == Stage.PILOT
                and pending_promotion is None,
                "can_review_promotion": pending_promotion is not None
                and permissions.can_review_promotion(user, pending_promotion),
                "promotion_conflict": pending_promotion is not None
                and permissions.is_governance(user)
                and permissions.promotion_conflict(user, pending_promotion),
            },
        )


class InitiativeMixin:
    def load(self, request, slug):
        return selectors.initiative_by_slug(slug)


class InitiativeCreateView(ServiceFormView):
    form_class = InitiativeForm
    template_name = "initiatives/initiative_form.html"

    def allowed(self, user, obj):
        return permissions.can_create_initiative(user)

    def perform(self, form, obj):
        data = form.cleaned_data
        initiative = services.initiative_create(
            actor=self.request.user,
            name=data["name"],
            slug=data["slug"],
            summary=data["summary"],
            business_unit=data["business_unit"],
            sponsor=data["sponsor"],
            risk_tier=data["risk_tier"],
            target_production_date=data["target_production_date"],
            team_members=data["team_members"],
        )
        messages.success(self.request, f"{initiative.name} was created.")
        return initiative

    def success_url(self, obj, result):
        return result.get_absolute_url()


class InitiativeEditView(InitiativeMixin, ServiceFormView):
    form_class = InitiativeForm
    template_name = "initiatives/initiative_form.html"
    denied_message = "Only the initiative's team may edit it."

    def get_form_kwargs(self, obj):
        return {"instance": obj}

    def allowed(self, user, obj):
        return permissions.can_edit_initiative(user, obj)

    def perform(self, form, obj):
        data = {f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS}
        # ModelForm validation wrote the values onto the instance; the service re-reads it.
        obj.refresh_from_db()
        services.initiative_update(
            initiative=obj,
            actor=self.request.user,
            data=data,
            team_members=form.cleaned_data["team_members"],
        )
        messages.success(self.request, "Changes saved.")


class InitiativeTransitionView(InitiativeMixin, ServiceFormView):
    """The stage form. A move the gates refuse is shown once, at the top: every unmet
    condition grouped by domain, each a link to the page where it is met; the other stages'
    needs stay below (so a refused stage is never listed twice)."""

    form_class = TransitionForm
    template_name = "initiatives/transition_form.html"
    denied_message = "Only the initiative's team may change its stage."
    refusal: dict | None = None

    def allowed(self, user, obj):
        return permissions.can_change_stage(user, obj)

    def get_form_kwargs(self, obj):
        stages = reachable_stages(obj)
        following = next((s for s in stages if not is_backward(obj.stage, s)), None)
        return {"stages": stages, "initial": {"to_stage": following}}

    def context(self, obj, form):
        # What each reachable stage would need, so nobody has to guess before submitting.
        refused_stage = self.refusal["stage"] if self.refusal else None
        needs = [
            {
                "stage": stage,
                "label": Stage(stage).label,
                "domains": grouped(unmet(obj, stage, "(note)")),
            }
            for stage in reachable_stages(obj)
            if stage != refused_stage
        ]
        return {"object": obj, "form": form, "needs": needs, "refusal": self.refusal}

    def post(self, request, **kwargs):
        form = self.form_class(request.POST, **self.get_form_kwargs(self.object))
        if form.is_valid():
            to_stage = form.cleaned_data["to_stage"]
            try:
                transition = services.initiative_transition(
                    initiative=self.object,
                    actor=request.user,
                    to_stage=to_stage,
                    note=form.cleaned_data["note"],
                )
            except services.TransitionRefused as refused:
                if all(condition.domain == STAGE_DOMAIN for condition in refused.unmet):
                    # The move itself (a skipped stage, a missing note): the form says why.
                    add_service_error(form, refused)
                else:
                    self.refusal = {
                        "stage": to_stage,
                        "label": Stage(to_stage).label,
                        "count": len(refused.unmet),
                        "domains": grouped(refused.unmet),
                    }
            else:
                messages.success(request, f"Moved to {transition.get_to_stage_display()}.")
                return HttpResponseRedirect(self.object.get_absolute_url())
        return render(request, self.template_name, self.context(self.object, form))
