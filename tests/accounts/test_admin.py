import pytest

from tests.factories import UserFactory


@pytest.fixture
def platform_admin(db):
    return UserFactory(username="platform_admin", is_staff=True, is_superuser=True)


def test_platform_admin_configures_a_service(login, platform_admin, service):
    client = login(platform_admin)
    page = client.get(f"/admin/accounts/service/{service.pk}/change/")
    assert page.status_code == 200
    assert b"Peterborough" in page.content and b"age_window" in page.content


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/user/",
        "/admin/accounts/membership/",
        "/admin/accounts/accessevent/",
        "/admin/accounts/practitionerdetails/",
    ],
)
def test_admin_lists_render(login, platform_admin, services, path):
    response = login(platform_admin).get(path)
    assert response.status_code in (200, 404)  # membership is edited inline on the user page


def test_access_log_cannot_be_edited_in_admin(login, platform_admin, db):
    from accounts.audit import log_access

    event = log_access(action="view", object_type="referrals.referral", object_id=1)
    client = login(platform_admin)
    assert client.post(f"/admin/accounts/accessevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
