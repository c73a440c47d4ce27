"""The referrals app's sections of the home page, registered with `web.home` when the app is ready."""

from accounts.audit import log_list
from accounts.models import Role
from accounts.permissions import Perm, caseload_service_ids, has_permission
from referrals.reads.caseloads import caseload_rows, my_caseload_allocations
from referrals.reads.lists import queue_counts
from web.home import home_section

from .states import ReferralStatus


@home_section(order=20)
def coordinator_sections(request) -> list[dict]:
    """Coordinators see their queues at a glance."""
    user = request.user
    if not has_permission(user, Perm.TRIAGE_QUEUE_VIEW):
        return []
    by_status = queue_counts(user)
    counts = {
        "received": by_status[ReferralStatus.RECEIVED],
        "awaiting": by_status[ReferralStatus.AWAITING_INFORMATION],
        "accepted": by_status[ReferralStatus.ACCEPTED],
    }
    # The queue's own definition (received or awaiting information), so home and the queue give the same number.
    counts["in_queue"] = counts["received"] + counts["awaiting"]
    return [{"template": "referrals/home_coordinator.html", "counts": counts}]


@home_section(order=30)
def caseload_sections(request) -> list[dict]:
    """A practitioner's own caseload and a supervisor's trainees' caseloads on the home page."""
    user = request.user
    sections = []
    if caseload_service_ids(user, Role.PRACTITIONER):
        rows = caseload_rows(my_caseload_allocations(user, Role.PRACTITIONER))
        log_list(
            request=request,
            object_type="referrals.referral",
            ids=[r.referral.pk for r in rows],
            detail={"list": "own caseload"},
        )
        sections.append(
            {"template": "referrals/home_caseload.html", "title": "Your caseload", "rows": rows, "id": "my-caseload"}
        )
    if caseload_service_ids(user, Role.SUPERVISOR):
        rows = caseload_rows(my_caseload_allocations(user, Role.SUPERVISOR))
        log_list(
            request=request,
            object_type="referrals.referral",
            ids=[r.referral.pk for r in rows],
            detail={"list": "trainees' caseloads"},
        )
        sections.append(
            {
                "template": "referrals/home_caseload.html",
                "title": "Your trainees' families",
                "rows": rows,
                "id": "trainee-caseloads",
                "show_practitioner": True,
            }
        )
    if has_permission(user, Perm.PRACTITIONER_VIEW):
        sections.append(
            {"template": "referrals/home_links.html", "waiting_list": has_permission(user, Perm.WAITING_LIST_VIEW)}
        )
    return sections
