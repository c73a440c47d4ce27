"""GET /api/v1/services/ and /services/{slug}/: what an API client needs to record a referral (issue 8)."""

from accounts.models import AccessAction, AccessEvent, Membership
from referrals.models import EligibilityRule

LIST_URL = "/api/v1/services/"


def test_list_shows_only_services_where_you_hold_a_role(login, coordinator, service, other_service):
    rows = login(coordinator).get(LIST_URL).json()["results"]
    assert rows == [
        {
            "slug": service.slug,
            "name": service.name,
            "planned_cycles": service.planned_cycles,
            "wait_target_weeks": service.wait_target_weeks,
        }
    ]
    event = AccessEvent.objects.filter(action=AccessAction.LIST, object_type="accounts.service").get()
    assert event.detail["ids_shown"] == [service.pk]


def test_detail_gives_sites_sources_questions_and_required_fields(login, coordinator, service):
    source = service.referral_sources.order_by("name").first()
    source.is_active = False
    source.save()
    data = login(coordinator).get(f"{LIST_URL}{service.slug}/").json()
    assert {s["id"] for s in data["sites"]} == set(service.sites.values_list("pk", flat=True))
    assert {s["id"] for s in data["referral_sources"]} == set(
        service.referral_sources.filter(is_active=True).values_list("pk", flat=True)
    )
    assert source.pk not in {s["id"] for s in data["referral_sources"]}
    assert [q["key"] for q in data["questions"]] == list(service.referral_questions.values_list("key", flat=True))
    rule_fields = [
        name
        for rule in EligibilityRule.objects.filter(service=service, kind="required_answers")
        for name in rule.params["fields"]
    ]
    assert data["required_fields"] == rule_fields and rule_fields  # seed 000 requires two fields
    assert AccessEvent.objects.filter(action=AccessAction.VIEW, object_type="accounts.service").exists()


def test_another_services_slug_is_404_and_logged(login, coordinator, other_service):
    response = login(coordinator).get(f"{LIST_URL}{other_service.slug}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."} or set(response.json()) == {"detail"}
    assert AccessEvent.objects.filter(action=AccessAction.PERMISSION_DENIED, object_type="accounts.service").exists()


def test_no_role_means_empty_list_and_404(login, nobody, service):
    client = login(nobody)
    assert client.get(LIST_URL).json()["results"] == []
    assert client.get(f"{LIST_URL}{service.slug}/").status_code == 404


def test_inactive_membership_gives_no_service(login, coordinator, service):
    Membership.objects.filter(user=coordinator).update(is_active=False)
    client = login(coordinator)
    assert client.get(LIST_URL).json()["results"] == []
    assert client.get(f"{LIST_URL}{service.slug}/").status_code == 404


def test_schema_says_which_fields_a_services_criteria_may_require(login, coordinator):
    import yaml

    schema = yaml.safe_load(login(coordinator).get("/api/v1/schema/").content)
    fields = schema["components"]["schemas"]["ReferralInRequest"]["properties"]
    assert "required_fields in GET /api/v1/services/{slug}/" in fields["mental_health_concerns"]["description"]
    assert "/api/v1/services/{slug}/" in schema["paths"]
