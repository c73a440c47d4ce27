"""The meta-test: every URL and API operation, tried by people who must not get in.

Walks the URL resolver, fills each path's ids with records of service A, and calls it with GET and POST as
(1) a signed-in user with no role and (2) each role of service B. Every answer must be 403, 404 or 405 — never
200 or a redirect into the page. URLs open to any signed-in person are listed, with the reason, in OPEN_TO_ANY_USER.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Membership, Role
from tests.referrals.allocation_helpers import allocated_referral, set_details

OPEN_TO_ANY_USER = {
    "home": "everyone's landing page; shows only their own sections",
    "healthz": "load-balancer health check, no data",
    "accounts:login": "log-in",
    "accounts:logout": "log-out",
    "accounts:mfa_enrol": "own second factor",
    "accounts:mfa_recovery_codes": "own recovery codes",
    "accounts:mfa_verify": "own second factor",
    "accounts:security": "own account security",
    "accounts:regenerate_recovery_codes": "own recovery codes",
    "api:me": "own identity and memberships",
    "api:token_create": "own API token",
    "api:token_revoke": "own API token",
    "api:schema": "the API's description, no data",
    "api:docs": "the API's description, no data",
    "fhir:metadata": "the FHIR endpoint's CapabilityStatement, no data (FHIR clients read it before signing in)",
    "api:practitioner-list": "a list scoped to what the user may see (empty here)",
    "api:caseload-mine": "the user's own caseload (empty here)",
    "api:referral-list": "a list scoped to what the user may see (empty here)",
    "notices:list": "the user's own notices (empty here)",
    "api:notice-list": "the user's own notices (empty here)",
    "api:service-list": "the services where the user holds a role (empty here)",
    "api:instrument-list": "instrument scoring definitions, no family data",
    "api:instrument-detail": "an instrument's scoring definition, no family data",
    "api:footage-destruction-list": "footage scoped to the families the user may confirm destruction of (empty here)",
    "api:dashboard": "the dashboard of the user's own service (403 without dashboard.view; another service's: 404)",
    "api:dashboard-families": "the dashboard of the user's own service (403 without dashboard.view; another's: 404)",
    "letters:batch": "a coordinator's month of letters, scoped to what they may see (403 without the permission)",
    "governance:reviews": "retention reviews, scoped to the user's services (403 without the permission)",
}


def walk(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from walk(pattern, prefix + str(pattern.pattern), full_ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name, prefix + str(pattern.pattern)


def concrete(route: str, ids: dict) -> str | None:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\/", "/")

    def fill(match):
        key = match.group("name")
        return str(ids.get(key, ids["pk"]))

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, route)
    path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", fill, path)
    if any(ch in path for ch in "()[]*+?\\"):
        return None
    return "/" + path


@pytest.fixture
def service_a_records(service, coordinator, practitioner, trainee, supervisor, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private-files"
    settings.STORAGES = {
        **settings.STORAGES,
        "dashboard_exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "dashboard-exports", "base_url": None},
        },
    }
    set_details(practitioner, service, coordinator)
    set_details(trainee, service, coordinator, supervisor=supervisor)
    referral = allocated_referral(service, coordinator, practitioner)
    membership = Membership.objects.get(user=practitioner, role=Role.PRACTITIONER)
    from cycles.actions import start_cycle

    ids = {"pk": referral.pk, "membership_id": membership.pk, "user_id": coordinator.pk, "slug": service.slug}
    ids.update(consent_records(referral, practitioner))
    ids |= letters_ids(service, coordinator)
    ids |= dashboard_export_ids(service, coordinator)
    start_cycle(referral=referral, by=practitioner)  # a real cycle of service A (on SQLite its pk matches)
    return ids


def consent_records(referral, practitioner) -> dict:
    """A consent (with a signed form) and a helping question of service A's family, for the cycles URLs."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cycles import actions as cycles_actions

    consent = cycles_actions.record_consent(
        referral=referral,
        given_on=timezone.localdate(),
        givers=[{"parent": referral.parents.first(), "items": {"filming": True}}],
        written_agreement_given=True,
        signed_form=SimpleUploadedFile("form.pdf", b"%PDF-1.4 test"),
        by=practitioner,
    )
    question = cycles_actions.add_helping_question(referral=referral, text="What am I doing well?", by=practitioner)
    # The entered-in-error page and endpoint (/entered-in-error/<record_type>/<id>/) on that same question.
    return {"consent_id": consent.pk, "question_id": question.pk, "record_type": "helping-question", "id": question.pk}


def letters_ids(service, coordinator) -> dict:
    """A ready decline letter of service A, and service A's slug and a letter kind, for the letters URLs."""
    from letters import actions as letter_actions
    from tests.letters.helpers_letters import decline_letter

    letter = decline_letter(service, coordinator)
    letter_actions.approve_letter(letter=letter, by=coordinator)
    letter_actions.render_letter_file(letter_id=letter.pk)
    return {"letter_id": letter.pk, "service": service.slug, "kind": "decline", "language": "ur"}


def dashboard_export_ids(service, coordinator) -> dict:
    """A ready dashboard export of service A's families, asked for by its coordinator, for the exports URLs."""
    from dashboards import actions as dashboard_actions
    from dashboards.reads import Scope, default_period

    start, end = default_period()
    scope = Scope(user=coordinator, service=service, site=None, start=start, end=end)
    export = dashboard_actions.request_export(by=coordinator, scope=scope, figure="received", include_free_text=True)
    dashboard_actions.run_export(export_id=export.pk)
    return {"export_id": export.pk}


METHODS = ("get", "post", "put", "patch", "delete")


def call(client, method: str, path: str):
    """An empty request of that method: enough to reach the permission checks, which come before validation."""
    if method in ("put", "patch", "delete"):
        return getattr(client, method)(path, {}, content_type="application/json")
    return getattr(client, method)(path, {})


def routes():
    found = []
    for name, route in walk():
        if name is None or name in OPEN_TO_ANY_USER:
            continue
        if route.startswith("admin/") or (name or "").startswith("admin:"):
            continue
        found.append((name, route))
    return found


def test_every_named_route_is_covered_or_listed():
    names = [name for name, _ in walk() if name and not name.startswith("admin:")]
    assert len(names) > 20
    assert all(name for name, route in walk() if not route.startswith("admin/"))


def test_no_url_lets_a_user_without_a_role_in(login, service_a_records, nobody):
    client = login(nobody)
    checked = 0
    for name, route in routes():
        path = concrete(route, service_a_records)
        if path is None:
            continue
        for method in METHODS:
            response = call(client, method, path)
            assert response.status_code in (401, 403, 404, 405), (
                f"{method.upper()} {path} ({name}) → {response.status_code}"
            )
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize(
    "who",
    [
        "other_coordinator",
        "other_manager",
        "other_service_practitioner",
        "other_trainee",
        "other_supervisor",
        "other_service_admin",
    ],
)
def test_no_url_shows_another_services_records(login, service_a_records, who, request):
    """With service A's ids in the URL: 403/404. Pages without ids may open, but show nothing of service A."""
    from referrals.models import Referral

    reference = Referral.objects.get(pk=service_a_records["pk"]).reference
    client = login(request.getfixturevalue(who))
    for name, route in routes():
        path = concrete(route, service_a_records)
        if path is None:
            continue
        takes_ids = "<" in route
        for method in METHODS:
            response = call(client, method, path)
            if takes_ids:
                assert response.status_code in (401, 403, 404, 405), f"{who} {method.upper()} {path} ({name})"
            else:
                assert response.status_code < 500, f"{who} {method.upper()} {path} ({name})"
                assert reference.encode() not in response.content, f"{who} saw service A on {path}"


def test_admin_is_for_platform_admins_only(login, coordinator):
    response = login(coordinator).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_admin_never_shows_families_records():
    from django.contrib import admin

    from referrals.models import Allocation, OtherChild, Parent, Referral, ReferralEvent, TriageDecision

    for model in (Referral, Parent, OtherChild, TriageDecision, ReferralEvent, Allocation):
        assert model not in admin.site._registry
