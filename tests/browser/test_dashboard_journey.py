"""Journey: a manager opens the dashboard, filters by site, follows a figure to its list, exports CSV. Every page
must pass axe."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import click_and_wait, sign_in
from tests.dashboards.helpers_dashboards import known_service

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_filters_by_site_follows_a_figure_and_exports_csv(
    page, live_server, axe_check, service, coordinator, manager, practitioner, peterborough, cambridgeshire
):
    made = known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    sign_in(page, live_server, manager)
    page.goto(live_server.url + reverse("dashboards:dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Service dashboard")
    axe_check(page)

    page.get_by_text("Change service, site or period").click()
    page.get_by_label("Site").select_option(label="Cambridgeshire")
    click_and_wait(page.get_by_role("button", name="Show figures"))
    expect(page.locator("#dashboard-scope")).to_contain_text("Cambridgeshire")
    axe_check(page)

    click_and_wait(page.locator("a[href*='figure=received']").first)
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals received in the period")
    expect(page.locator("#figure-list")).to_contain_text(made["cambs_wait"].reference)
    expect(page.locator("#figure-list")).not_to_contain_text(made["wait_7"].reference)
    axe_check(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download this list (CSV, no names or free text)").click()
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert made["cambs_wait"].reference in content and made["wait_7"].reference not in content


def test_manager_prepares_a_long_list_in_the_background(
    page,
    live_server,
    axe_check,
    settings,
    tmp_path,
    service,
    coordinator,
    manager,
    practitioner,
    peterborough,
    cambridgeshire,
):
    from dashboards.models import DashboardExport, ExportStatus

    settings.STORAGES = {
        **settings.STORAGES,
        "dashboard_exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "dashboard-exports", "base_url": None, "allow_overwrite": True},
        },
    }
    settings.DASHBOARD_EXPORT_INLINE_LIMIT = 2  # the six families are "too many" to download at once
    made = known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}{reverse('dashboards:figure_list')}?service={service.pk}&figure=received")
    expect(page.get_by_role("link", name="Download this list (CSV, no names or free text)")).to_have_count(0)
    expect(page.locator("#export")).to_contain_text("This list has more than 2 families")
    axe_check(page)

    page.get_by_label("Include free text").check()
    click_and_wait(page.get_by_role("button", name="Prepare CSV export"))  # made in-process here: ready at once
    expect(page.get_by_role("heading", level=1)).to_have_text("Your export is ready")
    expect(page.locator("#export-free-text")).to_contain_text("Included")
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert content.splitlines()[0].endswith("reason_details,closed_reason")
    assert all(m.reference in content for m in made.values())

    export = DashboardExport.objects.get()
    DashboardExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, rows_done=2, rows_total=6)
    page.reload()
    expect(page.locator("#export-progress")).to_have_text("Your export is being prepared: 2 of 6 rows.")
    axe_check(page)
    click_and_wait(page.get_by_role("link", name="Check again"))
    DashboardExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED, error="It stopped.")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your export could not be prepared")
    axe_check(page)

    page.goto(live_server.url + reverse("dashboards:export_list"))
    expect(page.locator("#export-list")).to_contain_text("Referrals received in the period")
    axe_check(page)


def test_manager_reads_the_summary_and_chooses_a_quarter_of_the_return(
    page, live_server, axe_check, service, coordinator, manager, practitioner, peterborough, cambridgeshire
):
    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    sign_in(page, live_server, manager)
    page.goto(live_server.url + reverse("dashboards:dashboard"))
    expect(page.locator("#summary-waiting")).to_have_text("3 families")
    click_and_wait(page.get_by_role("link", name="Commissioner return by NHS financial quarter"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("to date")
    axe_check(page)
    page.get_by_label("Quarter").select_option(index=1)  # the last whole quarter
    click_and_wait(page.get_by_role("button", name="Show the return"))
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("to date")
    expect(page.locator("#commissioner-return")).to_contain_text("Referrals received")
    axe_check(page)
