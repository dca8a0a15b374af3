"""The dashboards: portfolio, my work, the governance queue, and the list's CSV export."""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.generic import TemplateView
from django_filters.views import FilterView

from . import dashboards, permissions, selectors
from .export import csv_lines
from .filtersets import InitiativeFilterSet
from .models import BusinessUnit


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
            summary=dashboards.portfolio_summary(business_unit=unit),
            scan=dashboards.scan_state(),
            waiting=dashboards.handovers_waiting(self.request.user).count(),
            **kwargs,
        )


class MyWorkView(TemplateView):
    template_name = "initiatives/my_work.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(work=dashboards.my_work(self.request.user), **kwargs)


class GovernanceQueueView(TemplateView):
    template_name = "initiatives/governance_queue.html"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_governance(request.user):
            raise PermissionDenied("The governance queue is for governance reviewers.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            queue=dashboards.governance_queue(self.request.user),
            scan=dashboards.scan_state(),
            **kwargs,
        )


class InitiativeExportView(FilterView):
    """Exactly the rows the list shows for the same query string, as CSV, every page."""

    filterset_class = InitiativeFilterSet
    queryset = selectors.initiative_list()

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset(self.get_filterset_class())
        # No query string is no filter (every initiative), as on the list page.
        if filterset.is_bound and not filterset.is_valid():
            # No file for a query the list page would show errors for: say which filter.
            lines = [f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()]
            return HttpResponseBadRequest(
                "Invalid filter.\n" + "\n".join(lines), content_type="text/plain; charset=utf-8"
            )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(
            csv_lines(filterset.qs, settings.PORTAL_BASE_URL),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="initiatives-{stamp}.csv"'
        return response
