"""The search page's results, read with SQL compiled once per shape (ADR 0032).

A search's statement changes only with who is searching (their access and the services they may search), which
terms were given (and whether a postcode is matched whole or by its start) and the page size; the terms themselves
are plain parameters (`Referral.matching`, `search_values`: a name arrives as its LIKE pattern). So a search of
the same shape as an earlier one is only run: building and compiling its nested subqueries was about a fifth of
the page's CPU. The rows are what `late_rows` read before: the newest matches' ids from the indexes, then only
their rows, with what a list row shows.
"""

from accounts.permissions import Perm, scope_shape
from core.prepared import DATE, TEXT, PreparedByShape
from referrals.models import Referral

SEARCH_ORDER = ("-date_received", "-pk")
_KINDS = {"nhs_number": TEXT, "name": TEXT, "date_of_birth": DATE, "postcode": TEXT, "postcode_start": TEXT}


def _search_page(context, *values):
    user, names, service_ids, size = context
    found = Referral.objects.visible_to(user, Perm.REFERRAL_SEARCH).matching(
        dict(zip(names, values, strict=True)), service_ids=service_ids
    )
    newest = found.order_by(*SEARCH_ORDER).values("pk")[:size]
    return Referral.objects.filter(pk__in=newest).order_by(*SEARCH_ORDER).with_list_details()


_reads: dict[tuple[str, ...], PreparedByShape] = {}


def search_page(user, values: dict, service_ids, size: int) -> list:
    """The newest `size` families (by date received) matching a search's values (`search_values`) among those the
    user may search, inside `service_ids`, with what a list row shows; compiled once per shape of the searcher's
    access, the terms given, the services and the size."""
    names = tuple(values)
    read = _reads.get(names)
    if read is None:
        read = _reads.setdefault(names, PreparedByShape(_search_page, tuple(_KINDS[name] for name in names)))
    service_ids = tuple(sorted(service_ids))
    context = (user, names, service_ids, size)
    shape = (scope_shape(user, Perm.REFERRAL_SEARCH), names, service_ids, size)
    return read(shape, context, *(values[name] for name in names))
