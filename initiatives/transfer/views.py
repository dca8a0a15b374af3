from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django_filters.views import FilterView

from initiatives.core import permissions
from initiatives.core.views import ServiceFormView
from initiatives.portfolio import selectors
from initiatives.portfolio.filtersets import InitiativeFilterSet
from initiatives.transfer.export import csv_lines, csv_lines_for_people
from initiatives.transfer.forms import ImportForm
from initiatives.transfer.importer import import_initiatives
from initiatives.transfer.parsing import COLUMNS, ImportFailed


class InitiativeExportView(FilterView):
    """Exactly the rows the list shows for the same query string, as CSV, every page: the
    file for people (names, labels, the current business case's money)."""

    filterset_class = InitiativeFilterSet
    queryset = selectors.initiative_list()
    lines = staticmethod(csv_lines_for_people)
    filename = "initiatives"

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
            self.lines(filterset.qs, settings.PORTAL_BASE_URL),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.filename}-{stamp}.csv"'
        return response


class InitiativeExportForImportView(InitiativeExportView):
    """The same rows in the importer's layout (usernames, stored codes, exact timestamps),
    so a file can be edited and imported back without changing anything."""

    lines = staticmethod(csv_lines)
    filename = "initiatives-for-import"


class ImportView(ServiceFormView):
    form_class = ImportForm
    template_name = "initiatives/import.html"
    denied_message = "Only administrators may import initiatives."

    def allowed(self, user, obj):
        return permissions.can_import(user)

    def context(self, obj, form):
        return {"form": form, "columns": COLUMNS, "errors": getattr(self, "import_errors", [])}

    def perform(self, form, obj):
        upload = form.cleaned_data["file"]
        try:
            result = import_initiatives(
                upload.read(),
                actor=self.request.user,
                source=upload.name,
                max_rows=settings.PORTAL_IMPORT_MAX_WEB_ROWS,
            )
        except ImportFailed as failure:
            self.import_errors = failure.errors
            raise ValidationError(
                f"Nothing was imported: {len(failure.errors)} problem(s) in the file."
            ) from failure
        messages.success(
            self.request,
            f"Imported {upload.name}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged.",
        )

    def success_url(self, obj, result):
        return reverse("initiative-list")
