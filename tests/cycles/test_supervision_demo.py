"""The demo's supervision and footage, after the demo cycles: a session, footage, an overdue notice; once only."""

from django.core.management import call_command

from cycles.models import Footage, SupervisionSession
from notices.models import Notice, NoticeKind
from tooling.demo import load_demo_supervision_and_footage


def test_demo_supervision_and_footage(db, settings):
    settings.DEMO_MODE = True
    call_command("load_demo_data")
    session = SupervisionSession.objects.select_related("trainee", "supervisor").get()
    assert session.supervisor.username == "supervisor" and session.trainee.username == "trainee"
    assert session.supervised_cycles.filter(signed_off=True).exists()
    assert Footage.objects.exists()
    assert Footage.objects.past_destruction_date().exists()
    assert Notice.objects.filter(kind=NoticeKind.FOOTAGE_OVERDUE).open().exists()
    assert load_demo_supervision_and_footage() == 0  # once only
    call_command("load_demo_data")  # and loading the demo again changes nothing
    assert SupervisionSession.objects.count() == 1
