"""The dashboards: portfolio, my work, the governance queue, and the list's CSV export."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView

from initiatives.core import permissions
from initiatives.dashboards import selectors
from initiatives.dashboards.summary import portfolio_summary
from initiatives.portfolio.models import BusinessUnit


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
            scan=selectors.scan_state(),
            waiting=selectors.handovers_waiting(self.request.user).count(),
            **kwargs,
        )


class MyWorkView(TemplateView):
    template_name = "initiatives/my_work.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(work=selectors.my_work(self.request.user), **kwargs)


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
