"""Reads for the audit viewer: the access log and the families' histories, scoped to the viewer's services.

Who may see what: a service admin or manager (`Perm.AUDIT_VIEW`, service scope) sees rows about the families of
their services (their sites, if their membership lists any) and the activity of their services' staff. A row
about a record of another service is shown only as "outside your services": no family, no record id, no path.
A platform superuser without a membership holds no permission, so sees nothing.

Pagination is keyset (newest first by time, then source, then id; limit + 1 rows from each source), never a COUNT
over the log. A family's rows are found by the record's own rows (the referral and every record with a `referral`
foreign key: consents, visits, letters, measures, …) and by list or search rows whose `detail.ids_shown` holds the
referral id: a jsonb containment query that PostgreSQL answers from a partial GIN index (accounts migration 0006);
SQLite, the demo database, checks each referral list row with json_each instead (a scan; fine at demo size).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from django.apps import apps
from django.db import connection
from django.db.models import BooleanField, Q, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import AccessEvent, User
from accounts.partitions import month_start
from accounts.permissions import Perm, services_with
from referrals.models import Referral, ReferralEvent

REFERRAL_TYPE = "referrals.referral"
PAGE_SIZE = 50
MAX_STAFF_BRANCHES = 500  # past this many colleagues, one IN query instead of one part each
ACCESS, HISTORY = 0, 1  # the two sources' order among rows at the same instant (newest first: history first)
# Records that hold no family's data: their ids are shown as they are.
NOT_FAMILY_TYPES = {"", "accounts.user", "accounts.membership", "knox.authtoken"}


def audit_referrals(user):
    """The families whose rows this viewer may see."""
    return Referral.objects.visible_to(user, Perm.AUDIT_VIEW)


def audit_staff(user):
    """Staff of the viewer's services (past members too: an investigation may be about a leaver)."""
    service_ids = services_with(user, Perm.AUDIT_VIEW)
    return User.objects.filter(memberships__service_id__in=service_ids).distinct().order_by("last_name", "first_name")


def find_family(user, text: str) -> Referral | None:
    """A family by reference ("R000123") or id ("123"), only among the viewer's; None for unknown and not theirs."""
    text = text.strip().upper().removeprefix("R")
    if not text.isdigit():
        return None
    return audit_referrals(user).filter(pk=int(text)).first()


@cache
def family_record_types() -> dict[str, type]:
    """Every model whose rows belong to one family (a `referral` foreign key), by access-log label. Rows derived
    from them and never shown or logged as a record (`is_family_record = False`: the dashboard's summaries and
    their outbox, ADR 0022) are left out."""
    found = {}
    for model in apps.get_models():
        if getattr(model, "is_family_record", True) is False:
            continue
        names = {f.name: f for f in model._meta.get_fields()}
        field_ = names.get("referral")
        if model is not ReferralEvent and getattr(field_, "related_model", None) is Referral and field_.concrete:
            found[model._meta.label_lower] = model
    return found


@dataclass(frozen=True)
class Filters:
    referral: Referral | None = None
    person: User | None = None
    start: date | None = None
    end: date | None = None

    def as_detail(self) -> dict:
        """Ids and dates only, for the access-log row of the audit page or export itself."""
        return {
            "family": self.referral.pk if self.referral else None,
            "person": self.person.pk if self.person else None,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _dates_q(filters: Filters) -> Q:
    q = Q()
    if filters.start:
        q &= Q(at__gte=_day_start(filters.start))
    if filters.end:
        q &= Q(at__lt=_day_start(filters.end + timedelta(days=1)))
    return q


def ids_shown_q(referral_id: int) -> Q:
    """List and search rows that showed this family (GIN-indexed jsonb containment on PostgreSQL)."""
    if connection.vendor == "postgresql":
        return Q(object_type=REFERRAL_TYPE, detail__ids_shown__contains=[referral_id])
    shown = RawSQL(
        "EXISTS (SELECT 1 FROM json_each(accounts_accessevent.detail, '$.ids_shown') WHERE json_each.value = %s)",
        (referral_id,),
        output_field=BooleanField(),
    )
    return Q(object_type=REFERRAL_TYPE) & Q(shown)


def family_record_ids(referral: Referral) -> dict[str, list[str]]:
    """The ids of every record of this family, by access-log label: one UNION ALL query."""
    parts = [
        model.objects.filter(referral=referral).annotate(label=Value(label)).values_list("label", "pk").order_by()
        for label, model in family_record_types().items()
    ]
    found: dict[str, list[str]] = {}
    if parts:
        for label, pk in parts[0].union(*parts[1:], all=True):
            found.setdefault(label, []).append(str(pk))
    return found


def family_access_branches(referral: Referral) -> list[Q]:
    """Every access-log row about this family, as disjoint parts each answered from its own index.

    The referral's rows and its records' rows (ids looked up first, passed as literals) use the
    (object_type, object_id, at) index; list rows that showed it use the GIN index. Run as a UNION ALL, so
    PostgreSQL does not walk the whole log newest-first filtering every row against an OR.
    """
    pk = str(referral.pk)
    branches = [Q(object_type=REFERRAL_TYPE, object_id=pk), ids_shown_q(referral.pk) & ~Q(object_id=pk)]
    for label, ids in family_record_ids(referral).items():
        branches.append(Q(object_type=label, object_id__in=ids))
    return branches


def access_events(user, filters: Filters, *, extra: Q | None = None, limit: int | None = None):
    """Access-log rows matching the filters, among what the viewer may ask about (not yet redacted), newest first.

    `extra` narrows every part (the page cursor); `limit` slices the result.
    """
    common = _dates_q(filters) & (extra or Q())
    if filters.person is not None:
        common &= Q(user_id=filters.person.pk)
    ordering = ("-at", "-id")
    if filters.referral is not None and limit is not None and connection.vendor == "postgresql":
        events = _family_events_lateral(filters.referral, common, limit)
    elif filters.referral is not None:
        # Each part newest first and cut at `limit` where the database allows it (PostgreSQL): on the monthly
        # partitions (ADR 0023) each part then reads only the newest rows of each month's index, not all of them.
        per_part = limit if connection.features.supports_slicing_ordering_in_compound else None
        parts = [
            AccessEvent.objects.filter(common & branch).order_by(*ordering)[:per_part]
            if per_part is not None
            else AccessEvent.objects.filter(common & branch).order_by()
            for branch in family_access_branches(filters.referral)
        ]
        events = parts[0].union(*parts[1:], all=True).order_by(*ordering)
    elif filters.person is not None:
        events = AccessEvent.objects.filter(common).order_by(*ordering)
    else:
        events = _staff_events(user, common, ordering, limit)
    return events[:limit] if limit is not None else events


def _staff_events(user, common: Q, ordering, limit: int | None):
    """Every row by the viewer's staff. On PostgreSQL, newest `limit` per person from the (user_id, at) index,
    merged: a plain `user_id IN (...)` would read and sort every row of every colleague in the range."""
    staff_ids = list(audit_staff(user).values_list("pk", flat=True))
    if limit is not None and connection.vendor == "postgresql" and staff_ids:
        return _staff_events_lateral(staff_ids, common, limit)
    compound = connection.features.supports_slicing_ordering_in_compound
    if limit is None or not compound or not 1 < len(staff_ids) <= MAX_STAFF_BRANCHES:
        return AccessEvent.objects.filter(common, user_id__in=staff_ids).order_by(*ordering)
    parts = [AccessEvent.objects.filter(common, user_id=pk).order_by(*ordering)[:limit] for pk in staff_ids]
    return parts[0].union(*parts[1:], all=True).order_by(*ordering)


def _where(q: Q) -> tuple[str, list]:
    """The WHERE of access-log rows matching `q`, as SQL naming `accounts_accessevent` and its parameters."""
    if not q:
        return "TRUE", []
    query = AccessEvent.objects.filter(q).query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    return sql, list(params)


# How many months back a family's (or the staff's) rows are looked for month by month, newest first; anything
# older is one last part. The log keeps a year by default (ACCESS_LOG_RETENTION_MONTHS), so the walk covers it.
FAMILY_MONTHS_WALKED = 14


def _month_ranges(months: int = FAMILY_MONTHS_WALKED) -> list[tuple[str, str]]:
    """[lower, upper) bounds of the access log's monthly partitions (UTC, ADR 0023), newest first: everything from
    this month on, then each month before it, then everything older ('infinity' and '-infinity' close the ends)."""
    this_month = month_start(timezone.now().astimezone(UTC).date())
    starts = [
        datetime.combine(month_start(this_month, -back), time.min, tzinfo=UTC).isoformat() for back in range(months)
    ]
    return list(zip(starts + ["-infinity"], ["infinity"] + starts, strict=True))


def _newest_by_month(with_sql: str, with_params: list, month_part: str, month_params, limit: int) -> list:
    """The newest `limit` access-log rows of `month_part` (SQL with `%s` bounds, sorted and limited within a month),
    walking the months of `_month_ranges` newest first, one part each, after the `with_sql` CTE.

    No ORDER BY outside: the months come newest first and each part is sorted, so the Append's rows are in order and
    its LIMIT stops the walk at a full page; the rows are sorted again here, so nothing rests on that order."""
    parts, params = [], list(with_params)
    for lower, upper in _month_ranges():
        parts.append(month_part)
        params += month_params(lower, upper)
    # Every part is our own SQL; every value is a parameter.
    sql = f"{with_sql} SELECT * FROM ({' UNION ALL '.join(parts)}) AS e LIMIT %s"  # noqa: S608
    rows = AccessEvent.objects.raw(sql, [*params, limit])
    return sorted(rows, key=lambda e: (e.at, e.pk), reverse=True)


def _family_events_lateral(referral: Referral, common: Q, limit: int) -> list[AccessEvent]:
    """A family's rows (the same parts as `family_access_branches`) newest first, in one statement on PostgreSQL.

    It walks the log's months newest first and stops as soon as it has `limit` rows, so a busy family costs the
    months its newest page spans, not the year it has been known: one part per month (its bounds literal, so the
    part is planned against that month's partition alone), run in order by an Append under the outer LIMIT. Within
    a month, the family's records (one list of (type, id) pairs, a CTE read once) each give their newest `limit`
    rows from the (object_type, object_id, at) index through a LATERAL subquery, and the lists that showed the
    family come from the GIN index (ADR 0023).
    """
    pk = str(referral.pk)
    records = [(REFERRAL_TYPE, pk)] + [
        (label, id_) for label, ids in family_record_ids(referral).items() for id_ in ids
    ]
    common_sql, common_params = _where(common)
    shown_sql, shown_params = _where(common & ids_shown_q(referral.pk) & ~Q(object_id=pk))
    order = "ORDER BY accounts_accessevent.at DESC, accounts_accessevent.id DESC LIMIT %s"
    in_month = "accounts_accessevent.at >= %s::timestamptz AND accounts_accessevent.at < %s::timestamptz"
    # The WHERE clauses are compiled by Django from our own Q objects; every value is a parameter.
    month_part = (
        "(SELECT * FROM ((SELECT r.* FROM record CROSS JOIN LATERAL (SELECT accounts_accessevent.* "  # noqa: S608
        "FROM accounts_accessevent WHERE accounts_accessevent.object_type = record.kind AND "
        f"accounts_accessevent.object_id = record.id AND {in_month} AND ({common_sql}) {order}) AS r) "
        # OFFSET 0 fences the lists part off from its ORDER BY: otherwise the planner, misjudging how rare a
        # family is among list rows, walks the month's `at` index newest first testing every row instead of
        # asking the GIN index (ADR 0023).
        "UNION ALL (SELECT * FROM (SELECT accounts_accessevent.* FROM accounts_accessevent "
        f"WHERE {in_month} AND {shown_sql} OFFSET 0) AS accounts_accessevent {order})) AS month "
        "ORDER BY at DESC, id DESC LIMIT %s)"
    )
    return _newest_by_month(
        "WITH record AS MATERIALIZED (SELECT * FROM unnest(%s::text[], %s::text[]) AS record(kind, id))",
        [[kind for kind, _ in records], [id_ for _, id_ in records]],
        month_part,
        lambda lower, upper: [lower, upper, *common_params, limit, lower, upper, *shown_params, limit, limit],
        limit,
    )


def _staff_events_lateral(staff_ids: list[int], common: Q, limit: int) -> list[AccessEvent]:
    """Each colleague's newest `limit` rows, merged, in one statement whatever the number of colleagues, walking
    the log's months newest first and stopping once the page is full (as a family's rows do,
    `_family_events_lateral`): a service's staff fill a page from this month, so only this month's partition is
    read, not the top of every month's index for every colleague (8,000 buffers at 50 million rows).

    A UNION of one part per colleague is planned part by part, and on the monthly partitions (ADR 0023) each part
    is a scan per month: 75 colleagues over 17 months took a quarter of a second to plan. Within a month, a LATERAL
    subquery is planned once and run per colleague, each run reading the top of the month's (user_id, at) index.
    """
    where_sql, where_params = _where(common)
    in_month = "accounts_accessevent.at >= %s::timestamptz AND accounts_accessevent.at < %s::timestamptz"
    # The WHERE is compiled by Django from our own Q objects (dates, the page cursor); every value is a parameter.
    month_part = (
        "(SELECT e.* FROM staff CROSS JOIN LATERAL (SELECT accounts_accessevent.* FROM accounts_accessevent "  # noqa: S608
        f"WHERE accounts_accessevent.user_id = staff.uid AND {in_month} AND ({where_sql}) "
        "ORDER BY accounts_accessevent.at DESC, accounts_accessevent.id DESC LIMIT %s) AS e "
        "ORDER BY e.at DESC, e.id DESC LIMIT %s)"
    )
    return _newest_by_month(
        "WITH staff AS MATERIALIZED (SELECT * FROM unnest(%s::bigint[]) AS staff(uid))",
        [staff_ids],
        month_part,
        lambda lower, upper: [lower, upper, *where_params, limit, limit],
        limit,
    )


def history_events(user, filters: Filters):
    """History rows (every app's record changes) of the viewer's families matching the filters."""
    events = ReferralEvent.objects.filter(_dates_q(filters), referral__in=audit_referrals(user).values("pk"))
    if filters.referral is not None:
        events = events.filter(referral=filters.referral)
    if filters.person is not None:
        events = events.filter(actor=filters.person)
    return events.select_related("actor")


# --- One page of the merged timeline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last row's time, source and id. Text form `<iso time>~<source>~<id>`."""

    at: datetime
    source: int
    id: int

    def __str__(self) -> str:
        return f"{self.at.isoformat()}~{self.source}~{self.id}"

    @classmethod
    def parse(cls, text: str | None) -> "Cursor | None":
        try:
            at, source, id_ = (text or "").split("~")
            return cls(datetime.fromisoformat(at), int(source), int(id_))
        except ValueError:
            return None


def _before(cursor: Cursor | None, source: int) -> Q:
    """Rows of `source` that come after the cursor in newest-first order (time, then source, then id)."""
    if cursor is None:
        return Q()
    if source < cursor.source:
        return Q(at__lte=cursor.at)
    if source > cursor.source:
        return Q(at__lt=cursor.at)
    return Q(at__lt=cursor.at) | Q(at=cursor.at, pk__lt=cursor.id)


@dataclass
class Row:
    at: datetime
    source: int
    id: int
    staff: str
    staff_id: int | None
    action: str
    what: str
    families_shown: list[int] | None = None
    outside: int = 0
    hidden: bool = False
    path: str = ""
    ip: str = ""
    summary: str = ""

    @property
    def key(self) -> tuple:
        return (self.at, self.source, self.id)

    @property
    def family_reference(self) -> str:
        return f"R{self.family_id:06d}" if self.family_id else ""

    family_id: int | None = None

    @property
    def shown_references(self) -> list[str]:
        return [f"R{pk:06d}" for pk in self.families_shown or []]


def timeline(user, filters: Filters, *, cursor: Cursor | None = None, limit: int = PAGE_SIZE):
    """One page of access-log and history rows, newest first, and the cursor of the next page (None at the end).

    A fixed number of queries whatever the page size: one per source, one per kind of record on the page, one to
    check which families are the viewer's.
    """
    access = list(access_events(user, filters, extra=_before(cursor, ACCESS), limit=limit + 1))
    history = list(history_events(user, filters).filter(_before(cursor, HISTORY)).order_by("-at", "-pk")[: limit + 1])
    merged = sorted(
        [(e.at, ACCESS, e.pk, e) for e in access] + [(e.at, HISTORY, e.pk, e) for e in history],
        key=lambda item: item[:3],
        reverse=True,
    )
    page, more = merged[:limit], len(merged) > limit
    rows = _rows(
        user, [item[3] for item in page if item[1] == ACCESS], [item[3] for item in page if item[1] == HISTORY]
    )
    rows.sort(key=lambda row: row.key, reverse=True)
    next_cursor = Cursor(*page[-1][:3]) if more and page else None
    return rows, next_cursor


def _rows(user, access: list[AccessEvent], history: list[ReferralEvent]) -> list[Row]:
    family_of = _families_of(access)
    wanted = {pk for pk in family_of.values() if pk} | {e.referral_id for e in history}
    for event in access:
        if event.object_type in family_record_types() or event.object_type == REFERRAL_TYPE:
            wanted.update(_shown_family_ids(event, family_of))
    mine = set(audit_referrals(user).filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else set()
    rows = [_access_row(event, family_of, mine) for event in access]
    rows += [
        Row(
            at=e.at,
            source=HISTORY,
            id=e.pk,
            staff=e.actor.get_username(),
            staff_id=e.actor_id,
            action="change",
            what=e.kind,
            family_id=e.referral_id,
            summary=e.summary,
        )
        for e in history
    ]
    return rows


def _shown_family_ids(event: AccessEvent, family_of: dict) -> list[int]:
    ids = event.detail.get("ids_shown") if isinstance(event.detail, dict) else None
    if not isinstance(ids, list):
        return []
    if event.object_type == REFERRAL_TYPE:
        return [i for i in ids if isinstance(i, int)]
    return [family_of.get((event.object_type, str(i))) for i in ids if family_of.get((event.object_type, str(i)))]


def _families_of(access: list[AccessEvent]) -> dict[tuple[str, str], int | None]:
    """(record type, record id) -> the family it belongs to, for every record a page's rows name: one query a type."""
    by_type: dict[str, set[str]] = {}
    for event in access:
        ids = {event.object_id} if event.object_id else set()
        shown = event.detail.get("ids_shown") if isinstance(event.detail, dict) else None
        if isinstance(shown, list):
            ids |= {str(i) for i in shown}
        by_type.setdefault(event.object_type, set()).update(ids)
    found: dict[tuple[str, str], int | None] = {}
    for label, ids in by_type.items():
        if label == REFERRAL_TYPE:
            found.update({(label, i): int(i) for i in ids if i.isdigit()})
        elif label in family_record_types():
            model = family_record_types()[label]
            numeric = [int(i) for i in ids if i.isdigit()]
            found.update(
                {
                    (label, str(pk)): ref
                    for pk, ref in model.objects.filter(pk__in=numeric).values_list("pk", "referral_id")
                }
            )
    return found


def _access_row(event: AccessEvent, family_of: dict, mine: set[int]) -> Row:
    row = Row(
        at=event.at,
        source=ACCESS,
        id=event.pk,
        staff=event.username,
        staff_id=event.user_id,
        action=event.action,
        what=event.object_type,
        path=event.path,
        ip=event.ip_address or "",
    )
    is_family_record = event.object_type == REFERRAL_TYPE or event.object_type in family_record_types()
    if event.object_id and is_family_record:
        family = family_of.get((event.object_type, event.object_id))
        if family in mine:
            row.family_id = family
            row.what = f"{event.object_type} {event.object_id}"
        else:  # another service's family, or a record since destroyed: nothing that could identify it
            row.hidden, row.path = True, ""
    elif event.object_id and event.object_type not in NOT_FAMILY_TYPES:
        row.hidden, row.path = True, ""
    elif event.object_id:
        row.what = f"{event.object_type} {event.object_id}"
    if is_family_record:
        shown = _shown_family_ids(event, family_of)
        raw = event.detail.get("ids_shown") if isinstance(event.detail, dict) else None
        row.families_shown = [pk for pk in shown if pk in mine]
        row.outside = (len(raw) if isinstance(raw, list) else 0) - len(row.families_shown)
    return row
