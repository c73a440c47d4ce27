"""What every page pays for before its own work (issue 20): the signed-in user resolved once, the navigation's
addresses reversed once per process, and Django's translation machinery off (the service is English only).
Each test checks that the saving changed nothing a person sees or relies on."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats
from django.utils.functional import SimpleLazyObject

from accounts.models import Membership, Role, User


def _nav(response) -> list[tuple[str, str, bool]]:
    return [(item["label"], item["url"], item["current"]) for item in response.context["nav_items"]]


def test_a_signed_in_page_sees_the_user_itself_still_verified(login, coordinator):
    response = login(coordinator).get(reverse("home"))
    user = response.wsgi_request.user
    assert type(user) is User and not isinstance(user, SimpleLazyObject)
    assert user.pk == coordinator.pk
    assert user.is_verified()  # django-otp's verification survived the unwrapping


def test_a_signed_out_request_is_anonymous_and_sent_to_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert isinstance(response.wsgi_request.user, AnonymousUser)
    assert not response.wsgi_request.user.is_verified()


def test_each_practitioner_is_linked_to_their_own_caseload_whoever_asked_first(
    client, login, practitioner, other_practitioner
):
    """The navigation's addresses are remembered per name and arguments: the second practitioner must never be given
    the first one's caseload address."""
    for person in (practitioner, other_practitioner, practitioner):
        own = Membership.objects.get(user=person, role=Role.PRACTITIONER)
        response = login(person).get(reverse("home"))
        caseload = [url for label, url, _ in _nav(response) if label == "Your caseload"]
        assert caseload == [reverse("referrals:practitioner_caseload", args=[own.pk])]
        client.logout()


def test_the_navigation_shows_what_each_role_may_follow_and_marks_the_current_page(
    client, login, coordinator, manager, practitioner
):
    expected = {
        coordinator: {"Home", "Triage queue", "Find a family", "Waiting list", "Account security"},
        practitioner: {"Home", "Your caseload", "Diary", "Account security"},
    }
    for person, must_have in expected.items():
        labels = {label for label, _, _ in _nav(login(person).get(reverse("home")))}
        assert must_have <= labels
        assert "Audit" not in labels
        client.logout()
    nav = _nav(login(coordinator).get(reverse("referrals:triage_queue")))
    assert [label for label, _, current in nav if current] == ["Triage queue"]
    assert ("Triage queue", reverse("referrals:triage_queue"), True) in nav


def test_dates_and_numbers_keep_their_british_forms_without_translation(settings):
    assert settings.USE_I18N is False and settings.LANGUAGE_CODE == "en-gb"
    assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%d/%m/%Y"  # 07/12/2026 is 7 December
    day = datetime.date(2026, 9, 7)
    rendered = Template('{{ d|date:"j F Y" }}|{{ d|date }}|{{ d|date:"D j M Y" }}').render(Context({"d": day}))
    assert rendered == "7 September 2026|7 Sep 2026|Mon 7 Sep 2026"
