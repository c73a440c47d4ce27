"""A small hand-made service whose dashboard figures are known, built through the referral actions."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from referrals import actions
from referrals.models import Referral
from tests.referrals.allocation_helpers import accepted_referral, allocated_referral, set_details
from tests.referrals.helpers import make_referral, parent


def days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def known_service(service, coordinator, practitioner, peterborough, cambridgeshire) -> dict:
    """Peterborough: 2 waiting (exactly 7 days, exactly 52 weeks), 1 allocated (received 20 days ago), 1 declined,
    1 in triage. Cambridgeshire: 1 waiting (3 days). Every decision is made today, so days-to-decision is the
    days received."""
    set_details(practitioner, service, coordinator, capacity=4)
    made = {
        "wait_7": accepted_referral(service, coordinator, site=peterborough, date_received=days_ago(7)),
        "wait_364": accepted_referral(service, coordinator, site=peterborough, date_received=days_ago(20)),
        "allocated": allocated_referral(
            service, coordinator, practitioner, site=peterborough, date_received=days_ago(20), allocated_on=days_ago(0)
        ),
        "declined": make_referral(service, coordinator, site=peterborough, date_received=days_ago(10)),
        "in_triage": make_referral(service, coordinator, site=peterborough, date_received=days_ago(2)),
        "cambs_wait": accepted_referral(
            service, coordinator, site=cambridgeshire, date_received=days_ago(3), parents=[parent(postcode="CB1 1AA")]
        ),
    }
    # Backdated after acceptance (the child's date of birth must come before receipt): exactly 52 weeks.
    Referral.objects.filter(pk=made["wait_364"].pk).update(date_received=days_ago(364))
    made["wait_364"].refresh_from_db()
    actions.triage_referral(
        referral=made["declined"], decision="decline", reason="Outside the age range", by=coordinator
    )
    return made


def dashboard_url(service, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"service": service.pk, **params}.items())
    return f"{reverse('dashboards:dashboard')}?{query}"
