"""The dashboards: portfolio, my work, the governance queue, and the list's CSV export."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.views.generic import TemplateView

from initiatives.core import permissions
from initiatives.core.choices import Stage
from initiatives.dashboards import selectors
from initiatives.dashboards.summary import portfolio_summary, regulation_summary
from initiatives.portfolio.models import BusinessUnit, Initiative
from initiatives.readiness.selectors import (
    MEASURED_STAGES,
    readiness_by_domain,
    readiness_initiatives,
)
from initiatives.value import selectors as value_selectors


class BusinessUnitForm(forms.Form):
    business_unit = forms.ModelChoiceField(
        queryset=BusinessUnit.objects.order_by("name"),
        to_field_name="name",
        required=False,
        empty_label="All business units",
        label="Business unit",
    )


class PortfolioView(TemplateView):
    template_name = "initiatives/portfolio.html"

    def get_context_data(self, **kwargs):
        form = BusinessUnitForm(self.request.GET or None)
        unit = form.cleaned_data["business_unit"] if form.is_valid() else None
        return super().get_context_data(
            form=form,
            summary=portfolio_summary(business_unit=unit),
            regulation=regulation_summary(business_unit=unit),
            scan=selectors.scan_state(),
            waiting=selectors.handovers_waiting(self.request.user).count(),
            value=value_selectors.portfolio_value(business_unit=unit.name if unit else ""),
            **kwargs,
        )


class ReadinessMapForm(BusinessUnitForm):
    stage = forms.ChoiceField(
        choices=[("", "Every stage"), *[(s, Stage(s).label) for s in MEASURED_STAGES]],
        required=False,
        label="Stage",
    )


class ReadinessMapView(TemplateView):
    """Readiness across the portfolio: initiatives × domains, each cell the share of what the
    initiative's next stage requires that is done or waived (a scorecard report)."""

    template_name = "initiatives/readiness_map.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        form = ReadinessMapForm(self.request.GET or None)
        initiatives = readiness_initiatives(Initiative.objects.all())
        if form.is_valid():
            if form.cleaned_data["business_unit"]:
                initiatives = initiatives.filter(business_unit=form.cleaned_data["business_unit"])
            if form.cleaned_data["stage"]:
                initiatives = initiatives.filter(stage=form.cleaned_data["stage"])
        paginator = Paginator(initiatives, self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        domains, rows = readiness_by_domain(list(page.object_list))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=form,
            domains=domains,
            rows=rows,
            page_obj=page,
            paginator=paginator,
            is_paginated=page.has_other_pages(),
            query=query.urlencode(),
            **kwargs,
        )


class MyWorkView(TemplateView):
    template_name = "initiatives/my_work.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            work=selectors.my_work(self.request.user),
            value_due=value_selectors.quarters_to_report(self.request.user),
            **kwargs,
        )


class GovernanceQueueView(TemplateView):
    template_name = "initiatives/governance_queue.html"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_governance(request.user):
            raise PermissionDenied("The governance queue is for governance reviewers.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            queue=selectors.governance_queue(self.request.user),
            scan=selectors.scan_state(),
            **kwargs,
        )
