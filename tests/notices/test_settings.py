"""The service admin sets when a risk answer escalates and who is told; every change is kept with who and when."""

from datetime import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from notices.actions import save_notice_settings
from notices.models import NoticeSettings, NoticeSettingsChange
from notices.reads import settings_for

pytestmark = pytest.mark.django_db

VALID = {
    "escalate_after_hours": "6",
    "working_day_starts": "08:30",
    "working_day_ends": "16:30",
    "tell_coordinators": "on",
    "tell_managers": "on",
    "duty_contact": "Duty senior practitioner, 01632 960123",
    "remind_awaiting_after_days": "10",
}


def url(service):
    return reverse("notices:settings", args=[service.slug])


def test_defaults_are_four_working_hours_nine_to_five_coordinators_and_managers(service):
    found = settings_for(service)
    assert found.pk is None and found.escalate_after_hours == 4
    assert (found.working_day_starts, found.working_day_ends) == (time(9), time(17))
    assert found.tell_coordinators and found.tell_managers
    assert found.remind_awaiting_after_days == 14


def test_service_admin_changes_the_settings_and_sees_the_history(login, service, service_admin):
    client = login(service_admin)
    assert b"Not changed yet" in client.get(url(service)).content
    assert client.post(url(service), VALID).status_code == 302
    saved = NoticeSettings.objects.get(service=service)
    assert saved.escalate_after_hours == 6 and saved.working_day_starts == time(8, 30)
    assert saved.updated_by == service_admin
    change = NoticeSettingsChange.objects.get(service=service)
    assert change.changed_by == service_admin
    assert change.changes["working hours before escalation"] == [4, 6]
    assert change.changes["working day starts"] == ["09:00", "08:30"]
    assert saved.remind_awaiting_after_days == 10
    assert change.changes["days before a reminder about information not received"] == [14, 10]
    page = client.get(url(service)).content.decode()
    assert str(service_admin) in page and "Working hours before escalation: 4 → 6" in page


def test_saving_the_same_values_again_adds_no_history(service, service_admin):
    values = {
        "escalate_after_hours": 6,
        "working_day_starts": time(8),
        "working_day_ends": time(16),
        "tell_coordinators": True,
        "tell_managers": False,
    }
    save_notice_settings(service=service, by=service_admin, **values)
    save_notice_settings(service=service, by=service_admin, **values)
    assert NoticeSettingsChange.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("escalate_after_hours", "0"),
        ("escalate_after_hours", "41"),
        ("escalate_after_hours", "four"),
        ("working_day_ends", "08:00"),  # before it starts
        ("working_day_ends", "08:30"),  # the same time
        ("working_day_starts", "25:00"),
        ("working_day_starts", "9am"),
        ("tell_coordinators", ""),  # with tell_managers off too
        ("duty_contact", "Duty\u202e senior"),  # a text-direction character
        ("remind_awaiting_after_days", "0"),
        ("remind_awaiting_after_days", "91"),
        ("remind_awaiting_after_days", "two weeks"),
        ("remind_awaiting_after_days", ""),
    ],
)
def test_settings_that_cannot_work_are_refused_with_the_field(login, service, service_admin, field, value):
    data = {**VALID, field: value}
    if field == "tell_coordinators":
        data.pop("tell_coordinators"), data.pop("tell_managers")
    response = login(service_admin).post(url(service), data)
    assert response.status_code == 400 and b"nhsuk-error-summary" in response.content
    assert f'id="id_{field}-error"' in response.content.decode() or field == "tell_coordinators"
    assert not NoticeSettings.objects.exists() and not NoticeSettingsChange.objects.exists()


def test_the_action_refuses_nonsense_too(service, service_admin):
    with pytest.raises(ValidationError) as error:
        save_notice_settings(
            service=service,
            by=service_admin,
            escalate_after_hours=0,
            working_day_starts=time(17),
            working_day_ends=time(9),
            tell_coordinators=False,
            tell_managers=False,
            remind_awaiting_after_days=0,
        )
    assert set(error.value.message_dict) == {
        "escalate_after_hours",
        "working_day_ends",
        "tell_coordinators",
        "remind_awaiting_after_days",
    }


@pytest.mark.parametrize("who", ["coordinator", "manager", "practitioner"])
def test_only_the_service_admin_may_change_them(request, login, service, who):
    user = request.getfixturevalue(who)
    assert login(user).post(url(service), VALID).status_code == 403
    with pytest.raises(PermissionDenied):
        save_notice_settings(
            service=service,
            by=user,
            escalate_after_hours=8,
            working_day_starts=time(9),
            working_day_ends=time(17),
            tell_coordinators=True,
            tell_managers=True,
        )
    assert not NoticeSettings.objects.exists()


def test_another_services_admin_gets_404(login, service, other_service_admin):
    assert login(other_service_admin).get(url(service)).status_code == 404


def test_service_admin_home_links_to_the_settings(login, service, service_admin):
    assert url(service) in login(service_admin).get(reverse("home")).content.decode()
