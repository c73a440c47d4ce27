"""Trainees: each trainee of the service against their stage targets, and their supervision hours in the period."""

from django.db import connections
from django.db.models import Q, Sum

from accounts.models import Membership
from core.lookups import among
from core.prepared import DATE, IDS, INT, prepared, prepared_by_shape
from cycles.models import SupervisionSession
from cycles.reads.progress import progress_rows, trainee_progress, trainees
from dashboards.models import REVIEW_SIGNED_OFF, ItemKind, SummaryItem
from dashboards.reads.scope import Scope


def _at_sites(memberships, site_ids: set[int] | None):
    """The memberships at the given sites (or with no site limit); None: every site."""
    if site_ids is None:
        return memberships
    if not site_ids:
        return memberships.none()
    at = Membership.objects.filter(Q(sites__in=sorted(site_ids)) | Q(sites=None)).values("pk")
    return memberships.filter(pk__in=at)


def _reviews_from_summaries(service_id: int):
    """{membership id: (cycles done, signed off)} for trainee rows of this service, from the families' review items
    (ADR 0022 item 9): one statement on one table, each trainee's items since their stage began a range of its own
    on a partial index. Counted over the whole service, as `cycles.reads.progress` counts them, whatever sites the
    page shows: the sites choose which trainees are shown, not which of their reviews count.

    The trainees come into the statement as a list of (membership, practitioner, counting from) rows joined to the
    items: the ORM cannot say that, and two filtered sums and a condition per trainee cost the dashboard more to
    build than everything else on it (and grew with the square of the trainees)."""

    def counted(rows) -> dict[int, tuple[int, int]]:
        if not rows:
            return {}
        alias = SummaryItem.objects.db  # the router's choice: the replica in a page that tolerates lag
        connection = connections[alias]
        meta = SummaryItem._meta
        practitioner, day, key, n, service, kind = (
            meta.get_field(name).column for name in ("practitioner_id", "day", "key", "n", "service", "kind")
        )
        trainees = ", ".join(["(%s, %s, %s)"] * len(rows))
        # Built from the model's own table and column names; every value is a parameter.
        sql = (
            f"WITH trainee (membership_id, user_id, since) AS (VALUES {trainees}) "  # noqa: S608
            f"SELECT trainee.membership_id, SUM(item.{n}), SUM(CASE WHEN item.{key} = %s THEN item.{n} ELSE 0 END) "
            f"FROM trainee JOIN {meta.db_table} item ON item.{practitioner} = trainee.user_id "
            f"AND item.{day} >= trainee.since WHERE item.{service} = %s AND item.{kind} = %s "
            "GROUP BY trainee.membership_id"
        )
        params = [
            value for m in rows for value in (m.pk, m.user_id, connection.ops.adapt_datefield_value(m.counting_from))
        ]
        params += [REVIEW_SIGNED_OFF, service_id, ItemKind.REVIEW]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = {membership_id: (int(done or 0), int(signed or 0)) for membership_id, done, signed in cursor}
        return {m.pk: found.get(m.pk, (0, 0)) for m in rows}

    return counted


@prepared(INT, IDS, DATE, DATE)
def _supervision_minutes(service_id, trainee_ids, start, end):
    """Minutes of supervision in force each trainee had in the period, in this service."""
    return (
        SupervisionSession.objects.in_force()
        .filter(among("trainee_id", trainee_ids), service_id=service_id, held_on__range=(start, end))
        .order_by()
        .values("trainee_id")
        .annotate(m=Sum("duration_minutes"))
        .values_list("trainee_id", "m")
    )


@prepared_by_shape()
def _trainee_rows(context):
    """The service's trainees at these sites (None: every site), with what their progress is worked out from:
    compiled once per service and sites (`core.prepared`), the SQL holding nothing else that changes."""
    service_id, site_ids = context
    memberships = _at_sites(trainees().filter(service_id=service_id), None if site_ids is None else set(site_ids))
    return progress_rows(memberships, count_reviews=False)


def trainees_progress(scope: Scope) -> dict:
    """Each trainee of the service (at the scope's sites) against their stage targets (three queries, their cycles
    from the families' summaries), and the hours of supervision each had in the period (one query)."""
    site_ids = scope.site_ids()
    shape = (scope.service.pk, None if site_ids is None else tuple(sorted(site_ids)))
    rows = trainee_progress(
        None,
        reviews_counted=_reviews_from_summaries(scope.service.pk),
        rows=_trainee_rows(shape, shape),
    )
    trainee_ids = sorted(p.membership.user_id for p in rows)
    minutes = dict(_supervision_minutes(scope.service.pk, trainee_ids, scope.start, scope.end)) if rows else {}
    return {
        "rows": [
            {"progress": p, "period_hours": round((minutes.get(p.membership.user_id) or 0) / 60, 1)} for p in rows
        ],
        "total_period_hours": round(sum(minutes.values()) / 60, 1),
    }
