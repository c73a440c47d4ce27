"""The service's vault use against its quota, as a small figure on the dashboard."""

from django.urls import reverse

from tests.vault.helpers_vault import family_with_filming
from vault import actions
from vault.models import VaultPolicy
from vault.reads import storage_use


def test_quota_counts_held_films_and_shows_on_the_dashboard(login, service, coordinator, practitioner, manager):
    referral, filming = family_with_filming(service, coordinator, practitioner)
    VaultPolicy.objects.create(service=service, quota_bytes=4000)
    actions.start_upload(filming=filming, size=1000, by=practitioner)  # an upload under way counts already
    assert storage_use(service) == {"used": 1000, "quota": 4000, "percent": 25}
    page = login(manager).get(reverse("dashboards:dashboard")).content.decode()
    assert 'id="vault-use">Film vault: 1000\xa0bytes of 3.9\xa0KB used (25%)' in page


def test_the_figure_agrees_with_the_quota_check_and_falls_back_to_the_default_policy(
    service, other_service, coordinator, practitioner
):
    from vault.reads import used_bytes

    assert storage_use(service) == {"used": 0, "quota": VaultPolicy(service=service).quota_bytes, "percent": 0}
    referral, filming = family_with_filming(service, coordinator, practitioner)
    actions.start_upload(filming=filming, size=1500, by=practitioner)
    assert storage_use(service)["used"] == used_bytes(service.pk) == 1500
    assert storage_use(other_service)["used"] == used_bytes(other_service.pk) == 0
