"""The film vault in Debian's Chromium: the practitioner uploads a film through the page's resumable upload, plays
it (the video's time advances), marks a clip on the player, has the clips cut, plays them at the shared review and
in the family's view, and opens the family's copy; axe-core (WCAG 2.2 AA) on every page."""

import pytest
from django.urls import reverse

from tests.browser.conftest import assert_accessible, click_and_wait, sign_in
from tests.vault.helpers_vault import family_with_filming, film_file
from vault.models import ClipCut, CutState, Film, FilmState

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def films_folder(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "films": {"BACKEND": "core.storage.PrivateFolderStorage", "OPTIONS": {"subfolder": "films"}},
    }


def plays(page, selector: str, beyond: float = 0.5) -> float:
    page.evaluate(f"(v => {{ v.muted = true; return v.play(); }})(document.querySelector('{selector}'))")
    # Polled with evaluate: the page's CSP (script-src 'self') refuses wait_for_function's eval.
    for _ in range(100):
        now = page.evaluate(f"document.querySelector('{selector}').currentTime")
        if now > beyond:
            return now
        page.wait_for_timeout(200)
    return now


def test_upload_play_mark_cut_review_in_the_browser(
    page, live_server, service, coordinator, practitioner, films_folder, tmp_path
):
    referral, filming = family_with_filming(service, coordinator, practitioner)
    path = film_file(tmp_path, seconds=6)
    sign_in(page, live_server, practitioner)
    methods = []
    page.on("request", lambda request: methods.append(request.method) if "/vault/uploads/" in request.url else None)

    page.goto(live_server.url + reverse("cycles:cycle_detail", args=[filming.cycle_id]))
    click_and_wait(page.get_by_role("link", name="Upload the film"))
    assert_accessible(page)
    page.set_input_files("input[type=file]", str(path))
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Upload the film").click()
    page.wait_for_selector("#film-player")
    assert "PATCH" in methods  # the resumable upload, not the plain form
    assert Film.objects.get().state == FilmState.READY
    assert_accessible(page)
    assert plays(page, "#film-player") > 0.5

    # Mark a clip on the player: the boxes take the player's time, and the clip form opens with them.
    page.evaluate("document.getElementById('film-player').pause()")
    page.get_by_role("button", name="Mark start here").click()
    assert page.input_value("#mark-start") != ""
    click_and_wait(page.get_by_role("button", name="Describe the clip"))
    assert "Add a clip" in page.content()

    page.goto(live_server.url + reverse("vault:film", args=[filming.pk]))
    click_and_wait(page.get_by_role("link", name="Cut the clips"))
    assert_accessible(page)
    click_and_wait(page.get_by_role("button", name="Cut the clips"))
    assert set(ClipCut.objects.values_list("state", flat=True)) == {CutState.READY}
    assert page.locator("video.vault-clip").count() == 2
    assert_accessible(page)

    film = Film.objects.get()
    page.goto(live_server.url + reverse("vault:review", args=[film.pk]))
    assert_accessible(page)
    assert plays(page, "#review-player", 0.3) > 0.3
    page.goto(live_server.url + reverse("vault:review", args=[film.pk]) + "?view=family")
    assert "Baby looks up" not in page.content()
    assert_accessible(page)
    page.goto(live_server.url + reverse("vault:family_copy", args=[film.pk]))
    assert_accessible(page)
    click_and_wait(page.get_by_role("button", name="Give the family its copy today"))
    assert page.locator("#family-copy-files a").count() == 2
    assert_accessible(page)

    # On the destruction date: the film, its clips and the family's key go; the page says who and when.
    from cycles import actions as cycle_actions
    from tests.cycles.helpers_supervision import days_ago

    cycle_actions.set_footage_destruction_dates(referral=referral, involvement_ended_on=days_ago(92), by=coordinator)
    page.goto(live_server.url + reverse("vault:film", args=[filming.pk]))
    click_and_wait(page.get_by_role("link", name="Destroy the film and its clips"))
    assert_accessible(page)
    click_and_wait(page.get_by_role("button", name="Destroy the film and its clips"))
    assert "were destroyed on" in page.content()
    assert_accessible(page)
    film.refresh_from_db()
    assert film.state == FilmState.DESTROYED


def test_destruction_due_with_two_people_then_destroyed_by_the_vault_in_the_browser(
    page, live_server, service, coordinator, practitioner, films_folder, tmp_path
):
    """The page's wording on the date (axe-clean): two people needed, the first's confirmation, then the vault's own
    destruction once the service no longer asks for two people."""
    from cycles.models import Footage
    from tests.cycles.helpers_supervision import today
    from tests.vault.helpers_vault import upload
    from vault import tasks
    from vault.models import VaultPolicy

    referral, filming = family_with_filming(service, coordinator, practitioner, clips=())
    film = upload(filming, film_file(tmp_path, seconds=2), practitioner)
    VaultPolicy.objects.create(service=service, two_person_destruction=True)
    Footage.objects.filter(filming=filming).update(destroy_by=today())
    tasks.destroy_due_films()  # a notice, nothing destroyed
    sign_in(page, live_server, practitioner)
    page.goto(live_server.url + reverse("vault:film", args=[filming.pk]))
    assert "Destruction due: needs two people" in page.content()
    assert_accessible(page)
    click_and_wait(page.get_by_role("link", name="(first of two people)"))
    assert_accessible(page)
    click_and_wait(page.get_by_role("button", name="Confirm, as the first of two people"))
    assert "it cannot be you" in page.content()
    assert_accessible(page)
    VaultPolicy.objects.filter(service=service).update(two_person_destruction=False)
    tasks.destroy_due_films()
    page.reload()
    assert "Destroyed by the vault on its destruction date." in page.content()
    assert_accessible(page)
    film.refresh_from_db()
    assert film.state == FilmState.DESTROYED and film.destroyed_by_vault
