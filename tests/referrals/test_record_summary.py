"""The family's record's summary lists are drawn in Python (`record_summary`, issue 20): they must be byte for byte
what the template drew (kept beside this test), for families that take every branch: one parent or two, an unborn
child or a born one, SEND details or none, older children, the service's own questions, the address shown or
withheld, empty values, and text that must be escaped."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.template import Context, Template

from accounts.models import ReferralQuestion
from referrals.models import Referral
from referrals.reads.questions import service_questions
from tests.referrals.helpers import make_referral, make_unborn_referral, parent, today

BEFORE = (Path(__file__).parent / "record_summary_before.html").read_text(encoding="utf-8")


@pytest.fixture
def families(service, coordinator):
    ReferralQuestion.objects.create(service=service, key="t-housing", text="Housing <needs>", order=90, required=False)
    ReferralQuestion.objects.create(service=service, key="t-other", text="Anything else", order=91, required=False)
    plain = make_referral(service, coordinator)
    busy = make_referral(
        service,
        coordinator,
        parents=[
            parent(name="Ann <Other> & 'Co'", nhs_number="9990000026", interpreter_needed=True),
            parent(name="Bea Second", postcode="", address="", phone="", communication_support="Large print"),
        ],
        other_children=[{"name": "Sam <Older>", "date_of_birth": date(2019, 4, 1), "consent_to_filming": "yes"}],
        child_send=True,
        child_send_details="Hearing <aid>",
        confidential_address=True,
        risks_to_staff="Dog & cat",
        referrer_role="",
        referrer_organisation="",
        question_answers={"t-housing": "Temporary <flat>"},
    )
    unborn = make_unborn_referral(
        service,
        coordinator,
        due=today() + timedelta(days=60),
        parents=[parent(name="Cat Third", nhs_number="", address="12", postcode="3")],
        referrer_role="12",
        risks_to_staff="",
    )
    return [plain, busy, unborn]


def test_the_summary_is_the_old_template_byte_for_byte(families, service):
    old = Template("{% load referral_tags %}" + BEFORE)
    new = Template("{% load referral_tags %}{% record_summary referral parents questions show_address %}")
    questions = service_questions(service.pk)
    assert {"t-housing", "t-other"} <= {question.key for question in questions}
    for referral in Referral.objects.filter(pk__in=[f.pk for f in families]).order_by("pk"):
        for show_address in (False, True):
            context = {
                "referral": referral,
                "parents": list(referral.parents.all()),
                "questions": questions,
                "show_address": show_address,
            }
            assert new.render(Context(context)) == old.render(Context(context)), (referral.pk, show_address)
    html = new.render(Context({**context, "referral": families[1], "parents": list(families[1].parents.all())}))
    assert "Ann &lt;Other&gt; &amp; &#x27;Co&#x27;" in html and "<Other>" not in html
