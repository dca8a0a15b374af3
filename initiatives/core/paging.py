"""Pages that read only the rows they show: a deferred join.

Sliced as it is, `queryset[offset:offset + n]` makes PostgreSQL join every filtered row to
the tables a row shows and sort them all to return `n`. Sliced through `DeferredJoin`, the
page's ids are chosen first, from the initiatives table alone (through the index that
matches the ordering, read only as far as the page's end), and only those rows are joined:
one query, `... WHERE id = ANY(ARRAY(SELECT id ... ORDER BY ... LIMIT n OFFSET k)) ORDER BY`,
whose outer sort orders the page's few rows. README "Performance" has the figures.
"""

from collections.abc import Callable

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, Lookup, QuerySet, Subquery


class AnyOf(Lookup):
    """`lhs = ANY(ARRAY(subquery))`: PostgreSQL reads the subquery's ids first (an init
    plan), then those rows by their primary key, whatever the table's size. (With
    `IN (subquery)` the planner may hash-join the ids against the whole table.)"""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


class DeferredJoin:
    """`queryset` (filtered and ordered) as a sequence a paginator slices: `count()` counts
    it, a slice reads that page's rows from `rows` (the same model with its joins and
    prefetches; `queryset` itself by default) in `queryset`'s order, ties broken by id.

    `counted`, when given, is asked first for the length: a number kept elsewhere (the
    dashboards' counters for the list's counted filters), or None to count the rows."""

    ordered = True  # the paginator's check: the order is `queryset`'s, with the id last

    def __init__(
        self,
        queryset: QuerySet,
        *,
        rows: QuerySet | None = None,
        counted: Callable[[], int | None] | None = None,
    ) -> None:
        self.queryset = queryset
        self.rows = queryset if rows is None else rows
        ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
        self.ordering = [*ordering, "pk"]  # a repeated pk is dropped by the SQL compiler
        self.counted = counted

    def count(self) -> int:
        length = self.counted() if self.counted is not None else None
        return self.queryset.count() if length is None else length

    def _vendor(self) -> str:
        return connections[self.queryset.db].vendor

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> QuerySet:
        if not isinstance(key, slice):
            raise TypeError("A deferred join reads pages: slice it.")
        ids = self.queryset.order_by(*self.ordering).values("pk")[key]
        if self._vendor() == "postgresql":
            page = self.rows.filter(AnyOf(F("pk"), Subquery(ids)))
        else:
            page = self.rows.filter(pk__in=ids)
        return page.order_by(*self.ordering)


class DeferredJoinPaginator(Paginator):
    """A paginator whose pages read only their own rows: give it a `DeferredJoin`."""

    def __init__(self, object_list, per_page, *args, **kwargs):
        if isinstance(object_list, QuerySet):
            object_list = DeferredJoin(object_list)
        super().__init__(object_list, per_page, *args, **kwargs)
