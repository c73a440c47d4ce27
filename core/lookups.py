"""Filtering on a list of ids the code already holds, without Django handling each id on its own.

`field__in=[…]` makes Django resolve every id as a separate parameter: for the dashboard's few thousand families
first allocated in a period that was 70 ms of Python per page, more than the queries it fed. On PostgreSQL the
whole list goes as one array parameter instead (`field IN (SELECT unnest(%s::bigint[]))`); SQLite, which has no
arrays, keeps the plain `IN`.
"""

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.lookups import BuiltinLookup, Contains, StartsWith


def among(field: str, ids: list[int]) -> Q:
    """`field` is one of `ids` (integers), as one parameter where the database allows it."""
    ids = [int(i) for i in ids]
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (ids,))})
    return Q(**{f"{field}__in": ids})


class ContainsPattern(Contains):
    """`field__contains`, given its whole LIKE pattern (`like_pattern(text, "%{}%")`) instead of the text: the same
    SQL, cast and operator as Django's, but the pattern is the query's parameter exactly as given, so a read
    compiled once can take each request's (`core.prepared`, ADR 0032). Use as a filter: `Q(ContainsPattern(F(…),
    pattern))`."""

    def process_rhs(self, qn, connection):
        return BuiltinLookup.process_rhs(self, qn, connection)


class StartsWithPattern(StartsWith):
    """`field__startswith`, given its whole LIKE pattern (`like_pattern(text, "{}%")`), as `ContainsPattern`."""

    def process_rhs(self, qn, connection):
        return BuiltinLookup.process_rhs(self, qn, connection)


def like_pattern(text: str, shape: str) -> str:
    """`text` as a LIKE pattern of this shape ("%{}%" contains, "{}%" starts with), its own wildcards and escape
    character escaped as Django escapes them for `contains` and `startswith`."""
    return shape.format(connection.ops.prep_for_like_query(text))
