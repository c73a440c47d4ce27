"""The demo's supervision and footage: nothing before demo cycles exist; then a session, footage and a notice."""

from django.core.management import call_command

from cycles.models import Footage, SupervisionSession
from notices.models import Notice, NoticeKind
from referrals.models import Referral
from tests.cycles.helpers_supervision import days_ago, give_consent, make_cycle
from vig_service.demo import load_demo_supervision_and_footage


def test_demo_supervision_and_footage(db, settings):
    settings.DEMO_MODE = True
    call_command("load_demo_data")
    assert load_demo_supervision_and_footage() == 0 and not SupervisionSession.objects.exists()
    family = Referral.objects.get(allocations__practitioner__username="trainee")
    trainee = family.allocations.get().practitioner
    give_consent(family, trainee, given_on=days_ago(40))
    make_cycle(family, trainee, 1, filmed_on=days_ago(30), reviewed_on=days_ago(20))
    make_cycle(family, trainee, 2, filmed_on=days_ago(10))
    assert load_demo_supervision_and_footage() == 2
    session = SupervisionSession.objects.get()
    assert session.supervised_cycles.get().signed_off
    assert Footage.objects.past_destruction_date().count() == 2
    assert Notice.objects.filter(kind=NoticeKind.FOOTAGE_OVERDUE, recipient=trainee).exists()
    assert load_demo_supervision_and_footage() == 0  # once only
