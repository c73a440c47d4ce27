"""The top of a family's record drawn in Python (`referral_tags.record_heading`) gives byte for byte what
`referral_detail.html` drew (kept beside this test): every status a family passes through, an unborn baby, a
bereavement, a moved site, hostile names, eligibility met, failed and not configured, and every combination of what
the viewer may do with every transition. Then the whole page through the stack."""

import itertools
from datetime import timedelta
from pathlib import Path

from django.template import Context, Template

from accounts.models import Role
from referrals import actions
from referrals.models import Referral
from referrals.states import allowed_transitions
from tests.conftest import verify_session
from tests.factories import MembershipFactory, UserFactory
from tests.referrals.allocation_helpers import accepted_referral, allocated_referral
from tests.referrals.helpers import make_referral, make_unborn_referral, today

OLD = Template((Path(__file__).parent / "record_heading_before.html").read_text(encoding="utf-8"))
NEW = Template("{% load referral_tags %}{% record_heading referral %}")
HOSTILE = "<script>alert(\"x\")</script> & 'q'"
PERMISSIONS = ("can_triage", "can_update", "can_withdraw", "can_allocate")


def _families(service, coordinator, peterborough, cambridgeshire):
    received = make_referral(service, coordinator, child_name=HOSTILE, bereavement=True)
    awaiting = make_referral(service, coordinator)
    actions.triage_referral(referral=awaiting, decision="request_information", by=coordinator, missing_information="GP")
    Referral.objects.filter(pk=awaiting.pk).update(awaiting_information_since=today() - timedelta(days=1))
    unborn = make_unborn_referral(service, coordinator, due=today() + timedelta(days=30))
    accepted = accepted_referral(service, coordinator, site=peterborough)
    practitioner = UserFactory(username="heading_practitioner", first_name="Pat", last_name=HOSTILE)
    MembershipFactory(user=practitioner, service=service, role=Role.PRACTITIONER, sites=[peterborough])
    allocated = allocated_referral(service, coordinator, practitioner, site=peterborough)
    moved = allocated_referral(service, coordinator, practitioner, site=peterborough)
    Referral.objects.filter(pk=moved.pk).update(site=cambridgeshire)
    withdrawn = make_referral(service, coordinator)
    actions.withdraw_referral(referral=withdrawn, reason="Moved away", by=coordinator)
    Referral.objects.filter(pk=received.pk).update(
        eligibility_reasons=[{"passed": True, "message": HOSTILE}, {"passed": False, "message": "Too old & <b>"}]
    )
    Referral.objects.filter(pk=unborn.pk).update(eligibility_reasons=[])
    return [received, awaiting, unborn, accepted, allocated, moved, withdrawn]


def test_the_records_heading_as_the_template_drew_it(service, coordinator, peterborough, cambridgeshire):
    made = _families(service, coordinator, peterborough, cambridgeshire)
    statuses = set()
    for family in made:
        referral = Referral.objects.visible_to(coordinator).with_record_details(for_api=False).get(pk=family.pk)
        referral.service.name = HOSTILE
        statuses.add(referral.status)
        for allowed in itertools.product((False, True), repeat=len(PERMISSIONS)):
            for transitions in (allowed_transitions(referral.status), ()):
                context = {
                    "referral": referral,
                    "transitions": transitions,
                    **dict(zip(PERMISSIONS, allowed, strict=True)),
                }
                assert NEW.render(Context(context)) == OLD.render(Context(context)), (referral.status, allowed)
    assert len(statuses) >= 5
    assert any(r.needs_reallocation for r in Referral.objects.with_reallocation_flag())


def test_the_comparison_sees_a_difference(service, coordinator):
    referral = make_referral(service, coordinator)
    context = {"referral": referral, "transitions": allowed_transitions(referral.status), "can_triage": True}
    assert NEW.render(Context(context)) != OLD.render(Context({**context, "can_triage": False}))


def test_the_record_page_shows_the_heading(client, service, coordinator):
    referral = make_referral(service, coordinator)
    verify_session(client, coordinator)
    html = client.get(f"/referrals/{referral.pk}/", secure=True).content.decode()
    assert f'<h1 class="nhsuk-heading-l">Referral {referral.reference}: ' in html
    assert f'href="/referrals/{referral.pk}/triage/" data-module="nhsuk-button">Make a triage decision</a>' in html
    assert '<ul class="nhsuk-list" id="eligibility-reasons">' in html
