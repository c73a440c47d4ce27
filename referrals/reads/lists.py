"""The API referral list's and the triage queue's first pages, read with SQL compiled once per shape (ADR 0032).

Systems that poll the list ask for its first page again and again, with the same filters, and coordinators open the
triage queue's first page all day: building and compiling that query (who may see what, the filters, the row's
columns, the order) was a good part of each request's CPU. Here it is compiled once per shape (the asker's access,
which filters are given, the page size) and run with the filters' values. Later pages (a cursor, a page number),
offsets and searches are read as before.
"""

from django.db.models import Count

from accounts.permissions import Perm, scope_shape
from core.prepared import INT, TEXT, PreparedByShape, prepared_by_shape

from ..models import Referral
from ..states import ReferralStatus

# Each filter the list takes: its condition, and the kind of value that takes a stand-in's place.
FILTERS = {"status": ("status", TEXT), "site": ("site_id", INT), "service": ("service__slug", TEXT)}
ORDER = ("date_received", "pk")

_reads: dict[tuple[str, ...], PreparedByShape] = {}


def _first_page(context, *values):
    user, names, size = context
    rows = Referral.objects.visible_to(user)
    for name, value in zip(names, values, strict=True):
        rows = rows.filter(**{FILTERS[name][0]: value})
    return rows.with_api_row_details().order_by(*ORDER)[:size]


def api_first_page(user, filters: dict, size: int) -> list:
    """The first `size` referrals the user may see with these filters (`FILTERS`), oldest first, as the list's rows
    (`with_api_row_details`)."""
    names = tuple(sorted(filters))
    read = _reads.get(names)
    if read is None:
        read = _reads.setdefault(names, PreparedByShape(_first_page, tuple(FILTERS[name][1] for name in names)))
    context = (user, names, size)
    return read((scope_shape(user, Perm.REFERRAL_VIEW), names, size), context, *(filters[name] for name in names))


# The triage queue's filters (`TriageQueueFilterForm`): each one's condition; every value is an id.
TRIAGE_FILTERS = {"service": "service_id", "site": "site_id", "source": "referral_source_id"}
TRIAGE_ORDER = ("date_received", "pk")


def triage_queue_rows(user, filters: dict[str, int]):
    """The triage queue the user covers (received and awaiting-information referrals), narrowed by `filters`
    (names of `TRIAGE_FILTERS` → ids), with what a row shows: the list that `triage_first_page` reads the start of."""
    rows = Referral.objects.visible_to(user, Perm.TRIAGE_QUEUE_VIEW).awaiting_triage()
    for name in sorted(filters):
        rows = rows.filter(**{TRIAGE_FILTERS[name]: filters[name]})
    return rows.with_list_details()


def _triage_first_page(context, *values):
    user, names, size = context
    return triage_queue_rows(user, dict(zip(names, values, strict=True))).order_by(*TRIAGE_ORDER)[:size]


_triage_reads: dict[tuple[str, ...], PreparedByShape] = {}


def triage_first_page(user, filters: dict[str, int], size: int) -> list:
    """The first `size` rows of `triage_queue_rows(user, filters)`, oldest first, compiled once per shape."""
    names = tuple(sorted(filters))
    read = _triage_reads.get(names)
    if read is None:
        read = _triage_reads.setdefault(names, PreparedByShape(_triage_first_page, (INT,) * len(names)))
    context = (user, names, size)
    return read((scope_shape(user, Perm.TRIAGE_QUEUE_VIEW), names, size), context, *(filters[n] for n in names))


def _triage_counted(context, *values):
    user, names, limit = context
    return triage_queue_rows(user, dict(zip(names, values, strict=True))).order_by().values("pk")[:limit]


_triage_counts: dict[tuple[str, ...], PreparedByShape] = {}


def triage_count(user, filters: dict[str, int], limit: int) -> int:
    """How many rows `triage_queue_rows(user, filters)` has, up to `limit` (the queue's capped count, ADR 0024),
    compiled once per shape: every visit to the queue asks."""
    names = tuple(sorted(filters))
    read = _triage_counts.get(names)
    if read is None:
        read = _triage_counts.setdefault(names, PreparedByShape(_triage_counted, (INT,) * len(names)))
    context = (user, names, limit)
    return read.count((scope_shape(user, Perm.TRIAGE_QUEUE_VIEW), names, limit), context, *(filters[n] for n in names))


# The open statuses a coordinator's home page counts: few rows each, on the (service, status) index.
COUNTED_ON_HOME = (ReferralStatus.RECEIVED, ReferralStatus.AWAITING_INFORMATION, ReferralStatus.ACCEPTED)


@prepared_by_shape()
def _counts_by_status(user):
    return (
        Referral.objects.visible_to(user, Perm.TRIAGE_QUEUE_VIEW)
        .filter(status__in=COUNTED_ON_HOME)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )


def queue_counts(user) -> dict[str, int]:
    """How many referrals the user covers are received, awaiting information and accepted (none counted as 0),
    compiled once per shape of their access: every coordinator's home page shows them."""
    counts = dict.fromkeys(COUNTED_ON_HOME, 0)
    counts.update(_counts_by_status(scope_shape(user, Perm.TRIAGE_QUEUE_VIEW), user))
    return counts
