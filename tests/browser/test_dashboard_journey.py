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
