"""Lists whose cost follows the page, not the backlog: capped counts and keyset cursors (ADR 0024).

A long list (a service's triage queue or waiting list with thousands of families, the API's referral list over ten
years) is read a page at a time through an index in the list's own order. Two things would still make a page cost
what the whole list costs, and this module replaces both:

- **The count.** Django's `Paginator` runs `COUNT(*)` over every row to number the pages. `CappedPaginator` counts
  at most `cap` rows (`SELECT COUNT(*) FROM (… LIMIT cap + 1)`): a backlog reads "2,000+", never a figure that
  costs 20,000 rows. Numbered pages cover the first `cap` rows.
- **Deep pages.** `OFFSET n` reads and throws away n rows. Past the numbered pages (and in the API, on every `next`
  link) a page continues from a **keyset cursor** in the query string, `after=<value>.<id>` (or `before=` going
  back): the last row's sort value and id, so the next page is read from the index where this one stopped.

`Keyset` builds the cursor conditions for an order like `("date_received", "pk")` (or both descending) without an
OR across joins: `value >= v AND (value > v OR id > i)` on one table, which the index serves as a range.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Q, QuerySet

COUNT_CAP = 2000  # "2,000+" is all a backlog's count needs to say; 80 numbered pages of 25


@dataclass(frozen=True)
class Keyset:
    """A list's order as (sort field, "pk"), both ascending or both descending (a leading "-")."""

    field: str
    descending: bool = False

    @classmethod
    def of(cls, order: tuple[str, str]) -> "Keyset":
        first, second = order
        if second.lstrip("-") != "pk" or first.startswith("-") != second.startswith("-"):
            raise ValueError("A keyset order is (field, 'pk'), both in the same direction.")
        return cls(field=first.lstrip("-"), descending=first.startswith("-"))

    @property
    def order(self) -> tuple[str, str]:
        sign = "-" if self.descending else ""
        return (f"{sign}{self.field}", f"{sign}pk")

    def cursor(self, row) -> str:
        """The cursor after (or before) `row`: its sort value and id, readable in a URL."""
        value = getattr(row, self.field)
        return f"{value.isoformat() if hasattr(value, 'isoformat') else value}.{row.pk}"

    def parse(self, model, text: str | None):
        """(value, pk) from a cursor, or None for a missing or malformed one (the list then starts at the top)."""
        if not text or "." not in text:
            return None
        raw_value, _, raw_pk = text.rpartition(".")
        try:
            value = model._meta.get_field(self.field).to_python(raw_value)
            pk = int(raw_pk)
        except (ValidationError, ValueError, TypeError):
            return None
        if value is None or pk < 0:
            return None
        return value, pk

    def beyond(self, value, pk: int, *, forward: bool) -> Q:
        """Rows after (forward) or before the cursor in this order: a range on the sort field, then the id."""
        later = forward != self.descending
        op = "gt" if later else "lt"
        return Q(**{f"{self.field}__{op}e": value}) & (Q(**{f"{self.field}__{op}": value}) | Q(**{f"pk__{op}": pk}))


def late_rows(queryset: QuerySet, start: int, stop: int, *, details=None) -> list:
    """Rows [start, stop) of an ordered queryset, found by id first and only then read in full: the ids come from
    the indexes alone (a name search matching 4,000 families sorts 4,000 index entries, not 4,000 wide rows), and
    the outer query reads the page's rows with `details(queryset)` (joins, prefetches) applied to them alone."""
    order = queryset.query.order_by
    ids = queryset.values("pk")[start:stop]
    rows = queryset.model._default_manager.filter(pk__in=ids).order_by(*order)
    if not queryset.query.standard_ordering:
        rows = rows.reverse()
    return list(details(rows) if details else rows)


class CappedPaginator(Paginator):
    """Django's paginator counting at most `cap` rows: `count` is the true number up to the cap, `capped` says
    there are more, and `count_label` reads "2,000+" then. Its pages number only the first `cap` rows; the list
    continues from the last numbered page by a keyset cursor (`ListPage.after`)."""

    def __init__(
        self, object_list, per_page, *, cap: int | None = None, counted: Callable[[int], int] | None = None, **kwargs
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        self._counted = counted  # counted(limit): the rows up to `limit`, compiled once (ADR 0032)

    @cached_property
    def _capped_count(self) -> int:
        rows = self.object_list
        if self._counted is not None:
            return self._counted(self.cap + 1)
        if isinstance(rows, QuerySet):
            return rows.order_by().values("pk")[: self.cap + 1].count()
        return len(rows[: self.cap + 1])

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.cap)

    @property
    def capped(self) -> bool:
        return self._capped_count > self.cap

    @property
    def count_label(self) -> str:
        return f"{self.count:,}+" if self.capped else f"{self.count:,}"

    @property
    def num_pages(self) -> int:
        return (
            max(1, math.ceil(self.count / self.per_page)) if self.count else (1 if self.allow_empty_first_page else 0)
        )


class ListPage:
    """One page of a long list, numbered (within the cap) or reached by a cursor; what the NHS.UK pagination
    include needs from either: the rows, the numbered links if any, and the cursors of the pages either side."""

    def __init__(self, *, rows: list, paginator: CappedPaginator, keyset: Keyset, page=None, before=None, after=None):
        self.object_list = rows
        self.paginator = paginator
        self.page = page  # Django's numbered page, or None on a cursor page
        self.keyset = keyset
        self.cursor_before = before  # cursor of the page before this one (None: none, or a numbered link)
        self.cursor_after = after  # cursor of the page after this one (None: this is the end)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    @property
    def numbered(self) -> bool:
        return self.page is not None

    @property
    def number(self) -> int | None:
        return self.page.number if self.page is not None else None

    def has_previous(self) -> bool:
        return self.page.has_previous() if self.page is not None else self.cursor_before is not None

    def has_next(self) -> bool:
        return self.page.has_next() if self.page is not None else self.cursor_after is not None

    def previous_page_number(self) -> int:
        return self.page.previous_page_number()

    def next_page_number(self) -> int:
        return self.page.next_page_number()

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next() or self.cursor_after is not None


def list_page(
    request,
    queryset: QuerySet | Callable[[], QuerySet],
    per_page: int,
    *,
    order=("date_received", "pk"),
    cap: int | None = None,
    first_page: Callable[[int], list] | None = None,
    count: Callable[[int], int] | None = None,
):
    """The page a request asks for: `?page=N` within the first `cap` rows (one capped count, one page read at an
    offset of at most `cap`), or `?after=`/`?before=` cursors past them (one capped count, one page read from the
    index at the cursor). The same number of queries either way, whatever the list's length. `first_page(size)`,
    where given, reads the first page's rows (the same rows as the queryset's, compiled once: ADR 0032), and
    `count(limit)` counts the queryset's rows up to `limit` (the same count, compiled once). `queryset` may be a
    function that builds it: with both of those, the first page does not build it at all (a queue's queryset, its
    access rule, filters and annotations, cost about a tenth of the page's CPU)."""
    keyset = Keyset.of(order)
    cap = COUNT_CAP if cap is None else cap
    number = request.GET.get("page") or 1
    if (
        first_page is not None
        and count is not None
        and str(number) == "1"
        and not {"after", "before"} & set(request.GET)
    ):
        paginator = CappedPaginator([], per_page, cap=cap, counted=count)
        page = Page(first_page(per_page), paginator.validate_number(1), paginator)
        return _numbered(page, paginator, keyset)
    queryset = (queryset() if callable(queryset) else queryset).order_by(*keyset.order)
    paginator = CappedPaginator(queryset, per_page, cap=cap, counted=count)
    for name, forward in (("after", True), ("before", False)):
        cursor = keyset.parse(queryset.model, request.GET.get(name))
        if cursor is not None:
            return _cursor_page(queryset, paginator, keyset, cursor, forward=forward)
    try:
        if first_page is not None and str(number) == "1":
            page = Page(first_page(per_page), paginator.validate_number(1), paginator)
        else:
            page = paginator.page(number)
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1 if not str(request.GET.get("page", "")).isdigit() else paginator.num_pages)
    return _numbered(page, paginator, keyset)


def _numbered(page: Page, paginator: CappedPaginator, keyset: Keyset) -> ListPage:
    """A numbered page; the last numbered page of a capped list links on by a cursor."""
    rows = list(page.object_list)
    after = keyset.cursor(rows[-1]) if rows and paginator.capped and not page.has_next() else None
    return ListPage(rows=rows, paginator=paginator, keyset=keyset, page=page, after=after)


def _cursor_page(queryset, paginator, keyset: Keyset, cursor, *, forward: bool) -> ListPage:
    """`per_page` rows after (or before) the cursor, read in index order, plus one to know whether more follow."""
    value, pk = cursor
    size = paginator.per_page
    if forward:
        rows = list(queryset.filter(keyset.beyond(value, pk, forward=True))[: size + 1])
        more, rows = len(rows) > size, rows[:size]
        before = keyset.cursor(rows[0]) if rows else None
        after = keyset.cursor(rows[-1]) if rows and more else None
    else:
        backwards = queryset.filter(keyset.beyond(value, pk, forward=False)).reverse()
        rows = list(backwards[: size + 1])
        more, rows = len(rows) > size, rows[:size][::-1]
        before = keyset.cursor(rows[0]) if rows and more else None
        after = keyset.cursor(rows[-1]) if rows else None
    return ListPage(rows=rows, paginator=paginator, keyset=keyset, before=before, after=after)
