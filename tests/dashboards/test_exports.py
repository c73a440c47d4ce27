"""Figure CSVs prepared in the background: request → run → download, progress, idempotence, free text, who may see
an export, what is logged, the sweep and expiry. Tasks run in-process (eager) here; test_exports_worker.py runs
them through a real worker and Redis."""

import csv
import io
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent, Membership, Role
from dashboards import actions, exporting
from dashboards.models import DashboardExport, ExportStatus
from dashboards.reads import Scope, default_period
from referrals import actions as referral_actions
from tests.conftest import verify_session
from tests.dashboards.helpers_dashboards import days_ago, known_service
from tests.factories import staff
from tests.referrals.helpers import make_referral

FREE_TEXT = "Mother asked for help after a frightening birth"
CLOSED_REASON = "Family moved out of the area"


@pytest.fixture
def made(service, coordinator, practitioner, peterborough, cambridgeshire):
    return known_service(service, coordinator, practitioner, peterborough, cambridgeshire)


def files_in(folder) -> list:
    return sorted(folder.rglob("*.csv")) if folder.exists() else []


def request_url(service, figure: str, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"service": service.pk, **params, "figure": figure}.items())
    return f"{reverse('dashboards:export_request')}?{query}"


def prepare(client, service, figure, capture, *, free_text=False, run=True, **params) -> DashboardExport:
    """POST the list page's form; with `run`, the after-commit task runs (in-process) as it would after a request."""
    data = {"include_free_text": "on"} if free_text else {}
    with capture(execute=run):
        response = client.post(request_url(service, figure, **params), data)
    assert response.status_code == 302
    export = DashboardExport.objects.latest("pk")
    assert response.url == reverse("dashboards:export_status", args=[export.pk])
    export.refresh_from_db()
    return export


def rows_of(response) -> list[list[str]]:
    """The CSV's rows. Reading a streamed response to its end closes it, and the file it streams."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode())))


def scope_of(user, service, site=None) -> Scope:
    start, end = default_period()
    return Scope(user=user, service=service, site=site, start=start, end=end)


def test_request_run_download(client, service, manager, made, export_files, django_capture_on_commit_callbacks):
    verify_session(client, manager)
    export = prepare(client, service, "received", django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.READY and export.attempts == 1
    assert export.rows_done == export.rows_total == 6

    page = client.get(reverse("dashboards:export_status", args=[export.pk])).content.decode()
    assert "Your export is ready" in page and "Download CSV" in page and "Check again" not in page
    response = client.get(reverse("dashboards:export_download", args=[export.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "no-store, private"
    rows = rows_of(response)
    assert rows[0] == exporting.CSV_FIELDS
    listed = client.get(f"{reverse('dashboards:figure_list')}?service={service.pk}&figure=received")
    assert [r[0] for r in rows[1:]] == [r.reference for r in listed.context["rows"]]
    assert {r[0] for r in rows[1:]} == {m.reference for m in made.values()}
    assert len(files_in(export_files)) == 1


def test_progress_is_saved_after_every_chunk(
    client, service, manager, made, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(actions, "CHUNK_SIZE", 2)
    seen = []
    report = actions._report

    def spy(export_id, token, **fields):
        seen.append(fields)
        return report(export_id, token, **fields)

    monkeypatch.setattr(actions, "_report", spy)
    verify_session(client, manager)
    export = prepare(client, service, "received", django_capture_on_commit_callbacks)
    assert seen == [{"rows_total": 6}, {"rows_done": 2}, {"rows_done": 4}, {"rows_done": 6}]
    assert export.rows_done == export.rows_total == 6


def test_status_page_shows_progress_without_refreshing_itself(
    client, service, manager, made, django_capture_on_commit_callbacks
):
    verify_session(client, manager)
    export = prepare(client, service, "received", django_capture_on_commit_callbacks, run=False)
    page = client.get(reverse("dashboards:export_status", args=[export.pk])).content.decode()
    assert "Your export is waiting to start" in page
    DashboardExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, rows_done=2, rows_total=6)
    page = client.get(reverse("dashboards:export_status", args=[export.pk])).content.decode()
    assert "Your export is being prepared: 2 of 6 rows" in page
    assert f'href="{reverse("dashboards:export_status", args=[export.pk])}" id="check-again"' in page
    assert "Download CSV" not in page and 'http-equiv="refresh"' not in page
    # Not ready yet: the download sends them back to the status page.
    response = client.get(reverse("dashboards:export_download", args=[export.pk]))
    assert response.status_code == 302 and response.url == reverse("dashboards:export_status", args=[export.pk])


def test_failed_export_shows_its_error(client, service, manager, made, django_capture_on_commit_callbacks):
    verify_session(client, manager)
    export = prepare(client, service, "received", django_capture_on_commit_callbacks, run=False)
    Membership.objects.filter(user=manager).update(is_active=False)
    assert actions.run_export(export_id=export.pk) == ExportStatus.FAILED
    export.refresh_from_db()
    assert export.error == actions.LOST_ACCESS and not export.file
    Membership.objects.filter(user=manager).update(is_active=True)
    page = client.get(reverse("dashboards:export_status", args=[export.pk])).content.decode()
    assert "Your export could not be prepared" in page and "no longer have access" in page


def test_running_again_is_idempotent_and_leaves_one_file(
    client, service, manager, made, export_files, settings, django_capture_on_commit_callbacks
):
    verify_session(client, manager)
    export = prepare(client, service, "received", django_capture_on_commit_callbacks)
    first = files_in(export_files)
    content = first[0].read_bytes()

    # A ready export is left alone: no new attempt, the same file.
    assert actions.run_export(export_id=export.pk) == ExportStatus.READY
    export.refresh_from_db()
    assert export.attempts == 1 and files_in(export_files) == first

    # A duplicate task while a run still reports progress does nothing.
    now = timezone.now()
    DashboardExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, heartbeat_at=now, rows_done=2)
    assert actions.run_export(export_id=export.pk) == ExportStatus.RUNNING
    assert DashboardExport.objects.get(pk=export.pk).attempts == 1

    # A worker lost mid-run (no progress for the sweep's interval): the next run rewrites the same file once.
    stale = now - timedelta(seconds=settings.DASHBOARD_EXPORT_SWEEP_AFTER_SECONDS + 1)
    DashboardExport.objects.filter(pk=export.pk).update(heartbeat_at=stale)
    assert actions.run_export(export_id=export.pk) == ExportStatus.READY
    export.refresh_from_db()
    assert export.attempts == 2 and export.rows_done == 6
    assert files_in(export_files) == first and first[0].read_bytes() == content


def test_a_run_that_was_taken_over_saves_nothing(service, manager, made, export_files, settings):
    settings.DASHBOARD_EXPORT_SWEEP_AFTER_SECONDS = 0
    export = actions.request_export(
        by=manager, scope=scope_of(manager, service), figure="received", include_free_text=False
    )
    first = actions._claim(export.pk)
    second = actions._claim(export.pk)  # a second run takes over one presumed lost
    assert first and second and first != second
    assert actions._write(export.pk, first) == "superseded"
    assert files_in(export_files) == []
    assert actions._write(export.pk, second) == ExportStatus.READY
    assert len(files_in(export_files)) == 1


def test_an_export_whose_worker_always_dies_stops_as_failed(service, manager, made, settings):
    settings.DASHBOARD_EXPORT_SWEEP_AFTER_SECONDS = 0
    export = actions.request_export(
        by=manager, scope=scope_of(manager, service), figure="received", include_free_text=False
    )
    for _ in range(actions.MAX_ATTEMPTS):
        assert actions._claim(export.pk)  # each run dies before it finishes
    assert actions.run_export(export_id=export.pk) == ExportStatus.FAILED
    export.refresh_from_db()
    assert "Stopped after 3 attempts" in export.error


def test_free_text_only_when_asked(
    client, service, coordinator, manager, peterborough, export_files, django_capture_on_commit_callbacks
):
    referral = make_referral(service, coordinator, site=peterborough, reason_details=FREE_TEXT)
    formula = make_referral(service, coordinator, site=peterborough, reason_details="=HYPERLINK(1)")
    referral_actions.withdraw_referral(referral=referral, reason=CLOSED_REASON, by=coordinator)
    verify_session(client, manager)

    plain = prepare(client, service, "received", django_capture_on_commit_callbacks)
    rows = rows_of(client.get(reverse("dashboards:export_download", args=[plain.pk])))
    assert rows[0] == exporting.CSV_FIELDS
    text = "\n".join(",".join(r) for r in rows)
    assert FREE_TEXT not in text and CLOSED_REASON not in text and "HYPERLINK" not in text

    full = prepare(client, service, "received", django_capture_on_commit_callbacks, free_text=True)
    rows = rows_of(client.get(reverse("dashboards:export_download", args=[full.pk])))
    assert rows[0] == exporting.CSV_FIELDS + ["reason_details", "closed_reason"]
    by_reference = {r[0]: r for r in rows[1:]}
    assert by_reference[referral.reference][-2:] == [FREE_TEXT, CLOSED_REASON]
    assert by_reference[formula.reference][-2] == "'=HYPERLINK(1)"  # shown as text, never run as a formula
    for secret in ["Jane Example", "Baby Example", "Helen Visitor", "Postnatal depression"]:
        assert secret not in "\n".join(",".join(r) for r in rows)
    page = client.get(reverse("dashboards:export_status", args=[full.pk])).content.decode()
    assert "Included: the referrer&#x27;s details of the reason for referral" in page


def test_the_form_says_what_free_text_adds(client, service, manager, made, settings):
    verify_session(client, manager)
    url = f"{reverse('dashboards:figure_list')}?service={service.pk}&figure=received"
    body = client.get(url).content.decode()
    assert "Download this list (CSV, no names or free text)" in body  # 6 families: downloaded at once as before
    assert "Include free text" in body and "reason for referral and the reason the referral was closed" in body
    assert "Prepare CSV export" in body

    settings.DASHBOARD_EXPORT_INLINE_LIMIT = 5
    body = client.get(url).content.decode()
    assert "Download this list (CSV, no names or free text)" not in body
    assert "This list has more than 5 families, too many to download straight away" in body  # counted to the limit
    assert 'method="post"' in body and "Prepare CSV export" in body
    # The old link, bookmarked, no longer makes a long list in the request.
    response = client.get(f"{reverse('dashboards:figure_csv')}?service={service.pk}&figure=received")
    assert response.status_code == 302 and reverse("dashboards:figure_list") in response.url
    assert not AccessEvent.objects.filter(user_id=manager.pk, action=AccessAction.EXPORT).exists()


def test_the_figure_list_is_read_a_page_at_a_time(client, service, manager, made, monkeypatch):
    """A figure of thousands of families (a backlog's waiting list) shows a page of them, with the count and the
    pages to go on; every family appears once across the pages, oldest first."""
    from dashboards.views import dashboard as views

    monkeypatch.setattr(views, "FIGURE_PAGE_SIZE", 4)
    verify_session(client, manager)
    url = f"{reverse('dashboards:figure_list')}?service={service.pk}&figure=received"
    first = client.get(url).content.decode()
    assert "6 families" in first and "4 on this page" in first and "nhsuk-pagination" in first
    second = client.get(url + "&page=2").content.decode()
    references = re.findall(r"R\d{6}", first.split('id="figure-list"')[1]) + re.findall(
        r"R\d{6}", second.split('id="figure-list"')[1]
    )
    assert len(references) == len(set(references)) == 6


def test_another_managers_export_is_404(
    client, service, manager, other_manager, made, django_capture_on_commit_callbacks
):
    verify_session(client, manager)
    export = prepare(client, service, "received", django_capture_on_commit_callbacks)
    colleague = staff("colleague_manager", service, Role.MANAGER)
    for user in (colleague, other_manager):
        verify_session(client, user)
        for name in ("dashboards:export_status", "dashboards:export_download"):
            assert client.get(reverse(name, args=[export.pk])).status_code == 404
        listed = client.get(reverse("dashboards:export_list"))
        assert listed.status_code == 200 and listed.context["rows"] == []
    refusal = AccessEvent.objects.filter(user_id=colleague.pk, action=AccessAction.PERMISSION_DENIED).first()
    assert refusal.object_type == "dashboards.dashboardexport" and refusal.object_id == str(export.pk)
    assert not AccessEvent.objects.filter(action=AccessAction.EXPORT).exclude(user_id=manager.pk).exists()


def test_practitioner_gets_403(client, service, manager, practitioner, made):
    export = actions.request_export(
        by=manager, scope=scope_of(manager, service), figure="received", include_free_text=False
    )
    verify_session(client, practitioner)
    for name, args in [
        ("dashboards:export_list", []),
        ("dashboards:export_status", [export.pk]),
        ("dashboards:export_download", [export.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403
    assert client.post(request_url(service, "received")).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.request_export(
            by=practitioner, scope=scope_of(practitioner, service), figure="received", include_free_text=False
        )


def test_manager_of_another_service_cannot_export_this_service(
    client, service, other_service, other_manager, made, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        actions.request_export(
            by=other_manager, scope=scope_of(other_manager, service), figure="received", include_free_text=False
        )
    verify_session(client, other_manager)
    # This service's id, asked: refused (400), never an export of another service than the one asked for.
    assert client.post(request_url(service, "received"), {}).status_code == 400
    assert not DashboardExport.objects.exists()
    export = prepare(client, other_service, "received", django_capture_on_commit_callbacks)
    assert export.service == other_service
    rows = rows_of(client.get(reverse("dashboards:export_download", args=[export.pk])))
    assert rows[1:] == []


def test_site_limited_manager_gets_only_their_site(
    client, service, peterborough, cambridgeshire, made, django_capture_on_commit_callbacks
):
    site_manager = staff("site_manager", service, Role.MANAGER, sites=[cambridgeshire])
    with pytest.raises(PermissionDenied):
        actions.request_export(
            by=site_manager,
            scope=scope_of(site_manager, service, peterborough),
            figure="received",
            include_free_text=False,
        )
    verify_session(client, site_manager)
    export = prepare(client, service, "received", django_capture_on_commit_callbacks)
    assert export.referral_ids == [made["cambs_wait"].pk] and export.site_ids == [cambridgeshire.pk]
    rows = rows_of(client.get(reverse("dashboards:export_download", args=[export.pk])))
    assert [r[0] for r in rows[1:]] == [made["cambs_wait"].reference]
    # Asking for Peterborough in the query string is refused: not theirs to choose (and never silently widened).
    before = DashboardExport.objects.count()
    assert client.post(request_url(service, "received", site=peterborough.pk), {}).status_code == 400
    assert DashboardExport.objects.count() == before


def test_visibility_is_the_requesters_when_the_export_runs(
    client, service, manager, cambridgeshire, made, django_capture_on_commit_callbacks
):
    verify_session(client, manager)
    export = prepare(client, service, "received", django_capture_on_commit_callbacks, run=False)
    Membership.objects.get(user=manager).sites.set([cambridgeshire])  # moved to one site before it ran
    assert actions.run_export(export_id=export.pk) == ExportStatus.READY
    export.refresh_from_db()
    assert export.referral_ids == [made["cambs_wait"].pk]


def test_export_closes_when_the_requester_loses_the_sites_it_covers(
    client, service, manager, cambridgeshire, made, django_capture_on_commit_callbacks
):
    verify_session(client, manager)
    export = prepare(client, service, "received", django_capture_on_commit_callbacks)
    assert len(export.site_ids) == 2
    assert len(rows_of(client.get(reverse("dashboards:export_download", args=[export.pk])))) == 7
    Membership.objects.get(user=manager).sites.set([cambridgeshire])
    for name in ("dashboards:export_status", "dashboards:export_download"):
        assert client.get(reverse(name, args=[export.pk])).status_code == 404
    listed = client.get(reverse("dashboards:export_list")).content.decode()
    assert "No longer available to you" in listed
    assert reverse("dashboards:export_status", args=[export.pk]) not in listed
    Membership.objects.filter(user=manager).update(is_active=False)
    assert client.get(reverse("dashboards:export_status", args=[export.pk])).status_code == 403


def test_access_log_entries(client, service, manager, made, django_capture_on_commit_callbacks):
    verify_session(client, manager)
    export = prepare(client, service, "declined", django_capture_on_commit_callbacks, free_text=True)
    asked = AccessEvent.objects.get(user_id=manager.pk, action=AccessAction.CREATE)
    assert asked.object_type == "dashboards.dashboardexport" and asked.object_id == str(export.pk)
    assert asked.detail["figure"] == "declined" and asked.detail["free_text"] is True
    assert asked.detail["service"] == service.pk
    assert not AccessEvent.objects.filter(user_id=manager.pk, action=AccessAction.EXPORT).exists()

    client.get(reverse("dashboards:export_status", args=[export.pk]))
    viewed = AccessEvent.objects.filter(user_id=manager.pk, action=AccessAction.VIEW).latest("pk")
    assert viewed.object_type == "dashboards.dashboardexport" and viewed.object_id == str(export.pk)

    rows_of(client.get(reverse("dashboards:export_download", args=[export.pk])))
    downloaded = AccessEvent.objects.get(user_id=manager.pk, action=AccessAction.EXPORT)
    assert downloaded.object_type == "referrals.referral"
    assert downloaded.detail["ids_shown"] == [made["declined"].pk]
    assert downloaded.detail["free_text"] is True and downloaded.detail["export_id"] == export.pk

    plain = prepare(client, service, "declined", django_capture_on_commit_callbacks)
    rows_of(client.get(reverse("dashboards:export_download", args=[plain.pk])))
    assert AccessEvent.objects.filter(action=AccessAction.EXPORT).latest("pk").detail["free_text"] is False

    client.get(reverse("dashboards:export_list"))
    listed = AccessEvent.objects.filter(user_id=manager.pk, action=AccessAction.LIST).latest("pk")
    assert listed.object_type == "dashboards.dashboardexport" and listed.detail["ids_shown"] == [plain.pk, export.pk]


def test_your_exports_newest_first_and_paginated(service, manager, client, made):
    scope = scope_of(manager, service)
    # 26 different exports (each period ends a day earlier): the same one asked twice would be one export.
    made_exports = [
        actions.request_export(
            by=manager,
            scope=replace(scope, end=scope.end - timedelta(days=n)),
            figure="received",
            include_free_text=False,
        )
        for n in range(26)
    ]
    verify_session(client, manager)
    first = client.get(reverse("dashboards:export_list"))
    assert [row["export"].pk for row in first.context["rows"]] == [e.pk for e in reversed(made_exports)][:25]
    assert 'aria-label="Pagination"' in first.content.decode()
    second = client.get(f"{reverse('dashboards:export_list')}?page=2")
    assert [row["export"].pk for row in second.context["rows"]] == [made_exports[0].pk]


def test_dashboard_links_to_your_exports(client, service, manager):
    verify_session(client, manager)
    body = client.get(reverse("dashboards:dashboard")).content.decode()
    assert f'href="{reverse("dashboards:export_list")}"' in body


def test_sweep_sends_a_lost_export_again(service, manager, made, settings):
    scope = scope_of(manager, service)
    lost = actions.request_export(by=manager, scope=scope, figure="received", include_free_text=False)
    recent = actions.request_export(by=manager, scope=scope, figure="waiting", include_free_text=False)
    # Neither was sent (the after-commit hooks never ran: the broker lost them); only one is old enough.
    long_ago = timezone.now() - timedelta(seconds=settings.DASHBOARD_EXPORT_SWEEP_AFTER_SECONDS + 5)
    DashboardExport.objects.filter(pk=lost.pk).update(enqueued_at=long_ago)
    assert actions.sweep_exports() == {"requeued": 1, "expired": 0}
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert lost.status == ExportStatus.READY and lost.rows_done == 6
    assert recent.status == ExportStatus.QUEUED
    assert lost.enqueued_at > long_ago  # the clock was reset, so the next sweep waits again


def test_sweep_sends_again_an_export_whose_worker_was_lost(service, manager, made, settings):
    export = actions.request_export(
        by=manager, scope=scope_of(manager, service), figure="received", include_free_text=False
    )
    long_ago = timezone.now() - timedelta(seconds=settings.DASHBOARD_EXPORT_SWEEP_AFTER_SECONDS + 5)
    DashboardExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, attempts=1, enqueued_at=long_ago, heartbeat_at=timezone.now()
    )
    assert actions.sweep_exports()["requeued"] == 0  # still reporting progress: left alone
    DashboardExport.objects.filter(pk=export.pk).update(heartbeat_at=long_ago)
    assert actions.sweep_exports()["requeued"] == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.READY and export.attempts == 2


def test_expiry_deletes_the_file(
    client, service, manager, made, export_files, settings, django_capture_on_commit_callbacks
):
    verify_session(client, manager)
    old = prepare(client, service, "received", django_capture_on_commit_callbacks)
    young = prepare(client, service, "waiting", django_capture_on_commit_callbacks)
    assert len(files_in(export_files)) == 2
    keep = timedelta(days=settings.DASHBOARD_EXPORT_KEEP_DAYS)
    DashboardExport.objects.filter(pk=old.pk).update(finished_at=timezone.now() - keep - timedelta(minutes=1))
    DashboardExport.objects.filter(pk=young.pk).update(finished_at=timezone.now() - keep + timedelta(hours=1))
    assert actions.sweep_exports() == {"requeued": 0, "expired": 1}
    old.refresh_from_db()
    young.refresh_from_db()
    assert old.status == ExportStatus.EXPIRED and not old.file and young.status == ExportStatus.READY
    assert [f.name for f in files_in(export_files)] == [young.file.name]
    assert actions.sweep_exports()["expired"] == 0  # nothing twice
    page = client.get(reverse("dashboards:export_status", args=[old.pk])).content.decode()
    assert "Your export has expired" in page
    response = client.get(reverse("dashboards:export_download", args=[old.pk]))
    assert response.status_code == 302


def test_beat_sweeps_exports(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-dashboard-exports"]
    assert entry["task"] == "dashboards.tasks.sweep_exports" and entry["schedule"] <= 60


def test_unknown_figure_is_404_and_refused_by_the_action(client, service, manager, made):
    verify_session(client, manager)
    assert client.post(request_url(service, "nonsense")).status_code == 404
    assert client.get(request_url(service, "received")).status_code == 405
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.request_export(by=manager, scope=scope_of(manager, service), figure="nonsense", include_free_text=False)
    assert not DashboardExport.objects.exists()


def test_an_old_period_exports_its_own_families(client, service, manager, made, django_capture_on_commit_callbacks):
    verify_session(client, manager)
    start, end = days_ago(12), days_ago(8)
    export = prepare(client, service, "received", django_capture_on_commit_callbacks, start=start, end=end)
    assert (export.start, export.end) == (start, end)
    assert export.referral_ids == [made["declined"].pk]


def test_a_double_submit_prepares_one_export(client, service, manager, made, django_capture_on_commit_callbacks):
    """Pressing the button twice (or in two tabs) while the CSV is being prepared gives back the same export;
    a different choice (free text) or a new request after it is ready makes a new one."""
    verify_session(client, manager)
    first = prepare(client, service, "received", django_capture_on_commit_callbacks, run=False)
    second = prepare(client, service, "received", django_capture_on_commit_callbacks, run=False)
    assert second.pk == first.pk
    assert DashboardExport.objects.count() == 1
    with_text = prepare(client, service, "received", django_capture_on_commit_callbacks, free_text=True, run=False)
    assert with_text.pk != first.pk
    actions.run_export(export_id=first.pk)
    again = prepare(client, service, "received", django_capture_on_commit_callbacks, run=False)
    assert again.pk not in (first.pk, with_text.pk)
    # Another manager asking for the same figure gets their own export, never this one.
    other = actions.request_export(
        by=staff("second_manager", service, Role.MANAGER),
        scope=scope_of(manager, service),
        figure="received",
        include_free_text=False,
    )
    assert other.pk not in (first.pk, with_text.pk, again.pk) and other.requested_by.username == "second_manager"
