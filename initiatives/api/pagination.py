from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination, CursorPagination, PageNumberPagination

from initiatives.core.paging import DeferredJoin, DeferredJoinPaginator


def check_page_size(request, name: str, cap: int) -> None:
    raw = request.query_params.get(name)
    if raw is not None and not (raw.isdigit() and int(raw) >= 1):
        raise ValidationError({name: [f"A whole number from 1 to {cap}."]})


class CappedPageNumberPagination(PageNumberPagination):
    """50 a page, `page_size` up to 200. A page size that is not a whole number from 1 is a
    field error rather than quietly 50; one above the cap is the cap (documented)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        check_page_size(request, self.page_size_query_param, self.max_page_size)
        return super().get_page_size(request)


class DeferredJoinPageNumberPagination(CappedPageNumberPagination):
    """Page numbers whose pages read only their own rows (`core.paging`): the page's ids
    through the index of the list's order, then only those rows joined, from the view's
    unfiltered queryset (its joins and the columns it reads)."""

    django_paginator_class = DeferredJoinPaginator

    def paginate_queryset(self, queryset, request, view=None):
        rows = view.get_queryset() if view is not None else None
        return super().paginate_queryset(DeferredJoin(queryset, rows=rows), request, view)


class InventoryCursorPagination(CursorPagination):
    """Cursor pages in the order the rows were created (by id): each page starts after the
    last id the previous one showed, so a client reading the whole inventory sees every row
    exactly once while others insert (a new row comes at the end), and a page deep in the
    list costs what the first one does. Same page size and cap as the page numbers."""

    ordering = ("id",)
    page_size = CappedPageNumberPagination.page_size
    page_size_query_param = CappedPageNumberPagination.page_size_query_param
    max_page_size = CappedPageNumberPagination.max_page_size
    cursor_query_description = (
        "Read the list in cursor pages, in the order initiatives were created: `?cursor=` "
        "(empty) for the first page, then each page's `next` link. Stable while initiatives "
        "are added; no `count`, and no `ordering` or `page` beside it."
    )

    def get_page_size(self, request):
        check_page_size(request, self.page_size_query_param, self.max_page_size)
        return super().get_page_size(request)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
        else:
            if cursor is None or cursor.position is None or cursor.position.isdigit():
                return cursor
        raise ValidationError({self.cursor_query_param: ["Not a cursor this list gave out."]})

    def paginate_queryset(self, queryset, request, view=None):
        for name in ("ordering", "page"):
            if name in request.query_params:
                raise ValidationError(
                    {
                        name: [
                            "Cursor pages come in the order initiatives were created: "
                            f"leave out `{name}`, or `cursor` for numbered pages."
                        ]
                    }
                )
        return super().paginate_queryset(queryset, request, view)


class ListPagination(BasePagination):
    """An API list with both kinds of page, for the list action: numbered pages by default
    (with `count`, any ordering the list offers; `DeferredJoinPageNumberPagination`), cursor
    pages when the request carries `cursor` (`InventoryCursorPagination`). The view's other
    actions (an initiative's transitions or events) have numbered pages."""

    def _chosen(self, request, view) -> BasePagination:
        if getattr(view, "action", "list") != "list":
            return CappedPageNumberPagination()
        if request is not None and "cursor" in request.query_params:
            return InventoryCursorPagination()
        return DeferredJoinPageNumberPagination()

    def paginate_queryset(self, queryset, request, view=None):
        self.chosen = self._chosen(request, view)
        return self.chosen.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.chosen.get_paginated_response(data)

    @property
    def display_page_controls(self) -> bool:  # the browsable API's pager
        return getattr(getattr(self, "chosen", None), "display_page_controls", False)

    def to_html(self):
        return self.chosen.to_html()

    def get_results(self, data):
        # The browsable API asks this of a single object's page too, where no page was chosen;
        # DRF expects the KeyError a page without "results" raises.
        chosen = getattr(self, "chosen", None)
        return chosen.get_results(data) if chosen is not None else data["results"]

    def get_paginated_response_schema(self, schema):
        numbered = CappedPageNumberPagination().get_paginated_response_schema(schema)
        numbered["required"] = ["results"]
        numbered["properties"]["count"]["description"] = "Numbered pages only."
        return numbered

    def get_schema_operation_parameters(self, view):
        parameters = CappedPageNumberPagination().get_schema_operation_parameters(view)
        if getattr(view, "action", "list") == "list":
            parameters += InventoryCursorPagination().get_schema_operation_parameters(view)[:1]
        return parameters
