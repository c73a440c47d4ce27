"""API pagination that never counts the whole list.

DRF's LimitOffsetPagination runs COUNT(*) over every row the user may see (100,000 referrals and growing) just to
say how many there are. This one reads `limit + 1` rows: the extra row says whether there is a next page. Clients
keep the same `limit`/`offset` parameters and `next`/`previous` links; there is no `count`.
"""

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


class HasNextPagination(LimitOffsetPagination):
    """limit/offset pages with next/previous links and no total count."""

    max_limit = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        rows = list(queryset[self.offset : self.offset + self.limit + 1])
        self.has_next = len(rows) > self.limit
        return rows[: self.limit]

    def get_next_link(self):
        if not self.has_next:
            return None
        url = replace_query_param(self.request.build_absolute_uri(), self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        full = super().get_paginated_response_schema(schema)
        full["required"] = ["results"]
        del full["properties"]["count"]
        return full

    def get_html_context(self):  # the browsable API is off (JSON renderer only); there are no page numbers
        return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link(), "page_links": []}
