"""API pagination that never counts the whole list: one class, one envelope, for every list under /api/v1/.

DRF's LimitOffsetPagination runs COUNT(*) over every row the user may see (100,000 referrals and growing) just to
say how many there are. This one reads `limit + 1` rows: the extra row says whether there is a next page. Every
list answers `{"next": url|null, "previous": url|null, "results": [...]}` with `limit` (1–200, default 50) and
`offset` parameters; there is no `count` (docs/adr/0013-one-api-shape.md).

Generic views get it from DEFAULT_PAGINATION_CLASS; any other view uses `Page` (rows in, envelope out) and states
its answer with `page_of(Serializer)` and `PAGE_PARAMETERS`, so the schema shows the same envelope everywhere.

A long list (the referral list: ten years of a service) also names its order as `keyset_order` on the view; then
its `next` and `previous` links carry a keyset cursor (`after=` / `before=`, `web.listing`) instead of an offset,
so the thousandth page is read from the index where the last one stopped, not by skipping every row before it
(ADR 0024). The envelope is the same; `offset` still works for a client that builds its own links.
"""

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .listing import Keyset, late_rows

MAX_LIMIT = 200
MAX_OFFSET = 10**12  # past any list's end; a larger offset is read as this one (an empty page), never sent to SQL


class HasNextPagination(LimitOffsetPagination):
    """limit/offset pages with next/previous links and no total count."""

    max_limit = MAX_LIMIT

    keyset: Keyset | None = None

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        order = getattr(view, "keyset_order", None)
        self.keyset = Keyset.of(order) if order else None
        self.cursor_before = self.cursor_after = None
        if self.keyset is not None:
            details = getattr(view, "keyset_details", None)
            first_page = getattr(view, "keyset_first_page", None)
            self.row_details = getattr(view, "keyset_row_details", None)
            return self._keyset_page(queryset.order_by(*self.keyset.order), request, details, first_page)
        rows = list(queryset[self.offset : self.offset + self.limit + 1])
        self.has_next = len(rows) > self.limit
        return rows[: self.limit]

    def _keyset_page(self, queryset, request, details=None, first_page=None):
        """A page from a cursor (`after`/`before`), or from the offset on a first request; links carry cursors.
        With the view's `keyset_details` (a search), the page's ids are found first and its rows read after
        (`late_rows`); a plain list reads its rows straight from its index (what a row shows added by the view's
        `keyset_row_details`), its first page through the view's `keyset_first_page(size)` where it has one (the
        same rows, compiled once)."""
        keyset, size = self.keyset, self.limit
        after = keyset.parse(queryset.model, request.query_params.get("after"))
        before = keyset.parse(queryset.model, request.query_params.get("before"))
        if before is not None and after is None:
            rows = self._rows(queryset.filter(keyset.beyond(*before, forward=False)).reverse(), 0, size + 1, details)
            more, rows = len(rows) > size, rows[:size][::-1]
            self.has_next = bool(rows)
            if rows:
                self.cursor_after = keyset.cursor(rows[-1])
                self.cursor_before = keyset.cursor(rows[0]) if more else None
            return rows
        if after is not None:
            rows = self._rows(queryset.filter(keyset.beyond(*after, forward=True)), 0, size + 1, details)
            came_from_before = True
        elif first_page is not None and self.offset == 0 and details is None:
            rows, came_from_before = first_page(size + 1), False
        else:
            rows = self._rows(queryset, self.offset, self.offset + size + 1, details)
            came_from_before = self.offset > 0
        self.has_next, rows = len(rows) > size, rows[:size]
        if rows:
            self.cursor_after = keyset.cursor(rows[-1]) if self.has_next else None
            self.cursor_before = keyset.cursor(rows[0]) if came_from_before else None
        return rows

    row_details = None

    def _rows(self, queryset, start: int, stop: int, details) -> list:
        """The rows from `start` to `stop`: with `details`, their ids first and their rows after (`late_rows`);
        otherwise read straight, with what a row shows added here (the view's `keyset_row_details`), so a first
        page read through `keyset_first_page` does not pay for building it."""
        if details is None:
            if self.row_details is not None:
                queryset = self.row_details(queryset)
            return list(queryset[start:stop])
        return late_rows(queryset, start, stop, details=details)

    def _cursor_link(self, name: str, cursor: str | None):
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        for param in (self.offset_query_param, "after", "before"):
            url = remove_query_param(url, param)
        url = replace_query_param(url, self.limit_query_param, self.limit)
        return replace_query_param(url, name, cursor)

    def get_previous_link(self):
        if self.keyset is not None:
            return self._cursor_link("before", self.cursor_before)
        return super().get_previous_link()

    def get_offset(self, request):
        return min(super().get_offset(request), MAX_OFFSET)

    def get_next_link(self):
        if self.keyset is not None:
            return self._cursor_link("after", self.cursor_after)
        if not self.has_next:
            return None
        url = replace_query_param(self.request.build_absolute_uri(), self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        full = super().get_paginated_response_schema(schema)
        full["required"] = ["next", "previous", "results"]
        del full["properties"]["count"]
        return full

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (1–{MAX_LIMIT}; default 50).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            },
            {
                "name": self.offset_query_param,
                "required": False,
                "in": "query",
                "description": "Rows to skip (the `next` link carries it).",
                "schema": {"type": "integer", "minimum": 0},
            },
        ]

    def get_html_context(self):  # the browsable API is off (JSON renderer only); there are no page numbers
        return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link(), "page_links": []}


class Page:
    """One page of `rows` (a queryset or a list) for a plain APIView: read `rows`, log them, answer `response()`.

    Slicing happens before a queryset is evaluated, so a page costs the same queries whatever the list's length.
    """

    def __init__(self, request, rows):
        self._paginator = HasNextPagination()
        self.rows = self._paginator.paginate_queryset(rows, request)

    def response(self, data) -> Response:
        return self._paginator.get_paginated_response(data)


CURSOR_PARAMETERS = [
    OpenApiParameter(
        name,
        str,
        description=f"Keyset cursor: the page {where} this one (the `{link}` link carries it; `<value>.<id>`).",
    )
    for name, where, link in (("after", "after", "next"), ("before", "before", "previous"))
]

PAGE_PARAMETERS = [
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        description=f"Rows per page (1–{MAX_LIMIT}; default 50).",
    ),
    OpenApiParameter(
        "offset", {"type": "integer", "minimum": 0}, description="Rows to skip (the `next` link carries it)."
    ),
]

_pages: dict[type, type] = {}


def page_of(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of one page of `item`: the same envelope drf-spectacular gives the generic views."""
    if item not in _pages:
        name = item.__name__.removesuffix("Serializer")
        _pages[item] = type(
            f"Paginated{name}List",
            (serializers.Serializer,),
            {
                "__doc__": f"One page of {name}: `next` is null on the last page, `previous` on the first.",
                "__module__": __name__,
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": item(many=True),
            },
        )
    return _pages[item]
