from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccessAction, AccessEvent


def test_service_admin_resets_colleagues_second_factor(login, service_admin, coordinator):
    TOTPDevice.objects.create(user=coordinator, name="authenticator app", confirmed=True)
    client = login(service_admin)
    assert str(coordinator).encode() in client.get(reverse("accounts:staff")).content
    response = client.post(reverse("accounts:staff_reset_mfa", args=[coordinator.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert AccessEvent.objects.filter(action=AccessAction.UPDATE, object_id=str(coordinator.pk)).exists()


def test_service_admin_cannot_reset_another_services_staff(login, service_admin, other_coordinator):
    TOTPDevice.objects.create(user=other_coordinator, name="authenticator app", confirmed=True)
    response = login(service_admin).post(reverse("accounts:staff_reset_mfa", args=[other_coordinator.pk]))
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=other_coordinator).exists()


def test_service_admin_list_hides_other_services(login, service_admin, other_coordinator):
    content = login(service_admin).get(reverse("accounts:staff")).content
    assert b"other_coordinator" not in content and other_coordinator.last_name.encode() not in content


def test_coordinator_cannot_reset_anyone(login, coordinator, practitioner):
    TOTPDevice.objects.create(user=practitioner, name="authenticator app", confirmed=True)
    response = login(coordinator).post(reverse("accounts:staff_reset_mfa", args=[practitioner.pk]))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=practitioner, confirmed=True).exists()
    assert AccessEvent.objects.filter(action=AccessAction.PERMISSION_DENIED, user_id=coordinator.pk).exists()


def test_reset_signs_the_colleague_out_everywhere(client, login, service_admin, coordinator):
    from django.test import Client

    from tests.conftest import verify_session

    their_browser = Client()
    verify_session(their_browser, coordinator)
    assert their_browser.get("/").status_code == 200
    login(service_admin).post(reverse("accounts:staff_reset_mfa", args=[coordinator.pk]))
    assert their_browser.get("/").status_code == 302


def test_staff_list_query_count_does_not_grow(login, service_admin, service):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Role
    from tests.factories import staff

    client = login(service_admin)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("accounts:staff")).status_code == 200
        return len(captured)

    for n in range(5):
        staff(f"colleague{n}", service, Role.PRACTITIONER)
    five = count()
    for n in range(5, 50):
        staff(f"colleague{n}", service, Role.PRACTITIONER)
    assert count() == five
