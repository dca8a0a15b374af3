"""Value pages (README "Value realisation"): the comparison with the plan and the history of
corrections, the report form for one quarter, and the CSV import for one initiative."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from initiatives.core import permissions
from initiatives.core.forms import add_service_error
from initiatives.core.views import ServiceFormView
from initiatives.portfolio import selectors as portfolio_selectors
from initiatives.value import figures, selectors, services
from initiatives.value.forms import ValueImportForm, ValueReportForm
from initiatives.value.importing import COLUMNS, ImportFailed, parse
from initiatives.value.models import ValueReport


class ValueView(View):
    """Planned against realised by quarter and cumulative, paybacks, ROI, and every earlier
    version of a corrected report."""

    def get(self, request, slug):
        initiative = portfolio_selectors.initiative_by_slug(slug)
        comparison = selectors.comparison_for(initiative)
        return render(
            request,
            "initiatives/value.html",
            {
                "object": initiative,
                "comparison": comparison,
                "rows": list(reversed(comparison.rows)) if comparison else [],
                "history": selectors.report_history(initiative),
                "can_report": permissions.can_report_value(request.user, initiative),
            },
        )


class ValueReportFormView(View):
    """One quarter's report: a new one, or a correction when the quarter is reported."""

    template_name = "initiatives/value_form.html"

    def dispatch(self, request, slug):
        self.initiative = portfolio_selectors.initiative_by_slug(slug)
        if not permissions.can_report_value(request.user, self.initiative):
            raise PermissionDenied(services.NOT_ALLOWED)
        self.comparison = selectors.comparison_for(self.initiative)
        return super().dispatch(request, slug)

    def quarters(self) -> list[figures.Quarter]:
        return [row.quarter for row in self.comparison.rows] if self.comparison else []

    def render(self, form, report=None):
        return render(
            self.request,
            self.template_name,
            {
                "object": self.initiative,
                "form": form,
                "report": report,
                "comparison": self.comparison,
            },
        )

    def get(self, request, slug):
        chosen = request.GET.get("quarter", "")
        quarters = self.quarters()
        try:
            quarter = figures.Quarter.parse(chosen)
        except ValueError:
            unreported = (
                [row.quarter for row in self.comparison.unreported] if self.comparison else []
            )
            quarter = (unreported or quarters or [None])[0]
        report = None
        if quarter is not None:
            report = ValueReport.objects.filter(
                initiative=self.initiative, year=quarter.year, quarter=quarter.quarter
            ).first()
        currency = self.comparison.currency if self.comparison else ""
        form = ValueReportForm(
            instance=report,
            quarters=quarters,
            initial={"quarter": quarter.label if quarter else "", "currency": currency},
        )
        return self.render(form, report)

    def post(self, request, slug):
        form = ValueReportForm(request.POST, quarters=self.quarters())
        if form.is_valid():
            try:
                report, corrected = services.value_report_save(
                    initiative=self.initiative,
                    actor=request.user,
                    quarter=form.cleaned_data["quarter"],
                    data=form.inputs(),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                verb = "corrected" if corrected else "reported"
                messages.success(request, f"{report.label} {verb}.")
                return HttpResponseRedirect(reverse("value", args=[slug]))
        return self.render(form)


class ValueImportView(ServiceFormView):
    """A CSV of quarters for one initiative: all or nothing; a reported quarter is corrected."""

    form_class = ValueImportForm
    template_name = "initiatives/value_import.html"
    denied_message = services.NOT_ALLOWED

    def load(self, request, slug):
        return portfolio_selectors.initiative_by_slug(slug)

    def allowed(self, user, obj):
        return permissions.can_report_value(user, obj)

    def context(self, obj, form):
        return {
            "object": obj,
            "form": form,
            "columns": COLUMNS,
            "errors": getattr(self, "import_errors", []),
        }

    def perform(self, form, obj):
        upload = form.cleaned_data["file"]
        try:
            rows = parse(upload.read())
            created, corrected = services.value_reports_import(
                initiative=obj, actor=self.request.user, rows=rows, source=upload.name
            )
        except ImportFailed as failure:
            self.import_errors = failure.errors
            raise ValidationError(
                f"Nothing was imported: {len(failure.errors)} problem(s) in the file."
            ) from failure
        messages.success(
            self.request, f"Imported {upload.name}: {created} reported, {corrected} corrected."
        )

    def success_url(self, obj, result):
        return reverse("value", args=[obj.slug])
