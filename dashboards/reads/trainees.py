"""Trainees: each trainee of the service against their stage targets, and their supervision hours in the period."""

from django.db.models import Q, Sum

from accounts.models import Membership
from cycles.models import SupervisionSession
from cycles.reads.progress import trainee_progress, trainees
from dashboards.reads.scope import Scope


def _at_sites(memberships, site_ids: set[int] | None):
    """The memberships at the given sites (or with no site limit); None: every site."""
    if site_ids is None:
        return memberships
    if not site_ids:
        return memberships.none()
    at = Membership.objects.filter(Q(sites__in=sorted(site_ids)) | Q(sites=None)).values("pk")
    return memberships.filter(pk__in=at)


def trainees_progress(scope: Scope) -> dict:
    """Each trainee of the service (at the scope's sites) against their stage targets (two queries), and the hours
    of supervision each had in the period (one query)."""
    rows = trainee_progress(_at_sites(trainees().filter(service_id=scope.service.pk), scope.site_ids()))
    minutes = dict(
        SupervisionSession.objects.in_force()
        .filter(
            service_id=scope.service.pk,
            trainee_id__in=[p.membership.user_id for p in rows],
            held_on__range=(scope.start, scope.end),
        )
        .order_by()
        .values("trainee_id")
        .annotate(m=Sum("duration_minutes"))
        .values_list("trainee_id", "m")
    )
    return {
        "rows": [
            {"progress": p, "period_hours": round((minutes.get(p.membership.user_id) or 0) / 60, 1)} for p in rows
        ],
        "total_period_hours": round(sum(minutes.values()) / 60, 1),
    }
