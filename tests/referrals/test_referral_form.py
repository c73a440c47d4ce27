"""The referral form says what it means: needed fields are not "(optional)", one question has one box, the child's
date of birth is asked for where it belongs, and the long form has a contents list."""

import re

from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Service
from referrals.forms import ReferralForm
from referrals.models import Referral
from tests.referrals.helpers import post_data


def label_of(html: str, field_id: str) -> str:
    match = re.search(rf'<(?:label|legend)[^>]*for="{field_id}"[^>]*>\s*(.*?)\s*</label>', html, re.S)
    return re.sub(r"\s+", " ", match.group(1)) if match else ""


def test_a_field_the_criteria_need_is_never_labelled_optional(login, coordinator, service):
    """Seed 000's rules need mental health concerns: the form must not call it optional."""
    html = login(coordinator).get(reverse("referrals:new")).content.decode()
    assert label_of(html, "id_mental_health_concerns") == "Mental health concerns"
    hint = re.search(r'id="id_mental_health_concerns-hint">\s*(.*?)\s*</div>', html, re.S).group(1)
    assert f"Needed for {service.name}" in hint


def test_saving_without_a_needed_field_records_it_and_says_what_is_missing(login, coordinator, service):
    client = login(coordinator)
    response = client.post(reverse("referrals:new"), post_data(service, mental_health_concerns=""))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.eligible is False
    message = [str(m) for m in get_messages(response.wsgi_request)][0]
    assert message == (
        f"Referral {referral.reference} recorded. "
        "It does not yet meet this service's criteria: mental health concerns is missing."
    )


def test_an_eligible_referral_is_simply_recorded(login, coordinator, service):
    response = login(coordinator).post(reverse("referrals:new"), post_data(service))
    referral = Referral.objects.get()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"Referral {referral.reference} recorded."]


def test_child_date_of_birth_is_revealed_under_born_and_needed_then(login, coordinator, service):
    client = login(coordinator)
    html = client.get(reverse("referrals:new")).content.decode()
    assert "(optional)" not in label_of(html, "id_child_date_of_birth_day")
    born = re.search(r'<input[^>]*name="child_unborn"[^>]*value="no"[^>]*>', html).group(0)
    conditional = re.search(r'data-aria-controls="([^"]+)"', born).group(1)
    block = html.split(f'id="{conditional}"', 1)[1].split("nhsuk-radios__item", 1)[0]
    assert 'name="child_date_of_birth_day"' in block
    assert html.count('name="child_date_of_birth_day"') == 1
    response = client.post(reverse("referrals:new"), post_data(service, child_date_of_birth=""))
    assert response.status_code == 400
    assert response.context["form"].errors["child_date_of_birth"][0].startswith("Enter the child's date of birth")


def test_together_for_families_asks_each_question_once(login, coordinator, services):
    """Seed 003 asks hoped-for change and impact on the child itself: the general boxes are not shown too."""
    t4f = Service.objects.get(slug="together-for-families-vig")
    form = ReferralForm(service=t4f)
    assert "hoped_for_change" not in form.fields and "impact_on_child" not in form.fields
    assert "question_hoped_for_change" in form.fields and "question_impact_on_child" in form.fields
    seed_000 = ReferralForm(service=Service.objects.get(slug="cpft-perinatal-vig"))
    assert "hoped_for_change" in seed_000.fields


def test_long_form_has_a_contents_list_linking_to_each_section(login, coordinator, service):
    html = login(coordinator).get(reverse("referrals:new")).content.decode()
    contents = html.split('id="form-contents"', 1)[1].split("</nav>", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', contents)
    assert len(targets) >= 8
    for target in targets:
        assert re.search(rf'<fieldset[^>]*id="{target}"', html), target
    assert '<h2 class="nhsuk-fieldset__heading">' in html
