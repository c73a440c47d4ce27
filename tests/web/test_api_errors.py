"""Everything under /api/ answers JSON, even errors that happen outside a DRF view; pages keep their HTML."""

import json

import pytest
from django.core.exceptions import PermissionDenied, RequestDataTooBig

from accounts.models import AccessAction, AccessEvent
from web import api, errors


def _is_json_detail(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert set(json.loads(response.content)) == {"detail"}


def test_body_over_the_upload_limit_is_json_413(login, coordinator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"referrer_name": "x" * 5000})
    response = login(coordinator).post("/api/v1/referrals/", body, content_type="application/json")
    _is_json_detail(response, 413)
    assert json.loads(response.content)["detail"] == errors.TOO_BIG


def test_form_encoded_body_is_refused_as_json_415_even_over_the_limit(login, coordinator, settings):
    """The API takes JSON only (its schema offers no form body), and says so in JSON, without reading the body."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = login(coordinator).post(
        "/api/v1/referrals/", "a=" + "x" * 5000, content_type="application/x-www-form-urlencoded"
    )
    _is_json_detail(response, 415)


def test_non_numeric_id_in_an_api_path_is_json_404(login, coordinator):
    _is_json_detail(login(coordinator).get("/api/v1/referrals/null,null/"), 404)


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/v2/referrals/", "/api/"])
def test_unknown_api_path_is_json_404(login, coordinator, path):
    _is_json_detail(login(coordinator).get(path), 404)


def test_unknown_api_path_is_json_404_when_signed_out(client):
    _is_json_detail(client.get("/api/v1/nope/"), 404)


def test_wrong_method_on_an_api_path_is_json_405(login, coordinator):
    response = login(coordinator).delete("/api/v1/me/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_unexpected_api_failure_is_json_500_without_detail(login, coordinator, monkeypatch):
    def broken(self, request):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api.MeView, "get", broken)
    client = login(coordinator)
    client.raise_request_exception = False
    response = client.get("/api/v1/me/")
    _is_json_detail(response, 500)
    assert b"secret" not in response.content


def test_handlers_answer_json_for_api_paths(rf, db):
    request = rf.get("/api/v1/referrals/")
    _is_json_detail(errors.bad_request(request, RequestDataTooBig()), 413)
    _is_json_detail(errors.bad_request(request, ValueError()), 400)
    _is_json_detail(errors.page_not_found(request, None), 404)
    _is_json_detail(errors.server_error(request), 500)


def test_api_403_handler_answers_json_and_still_logs(rf, db):
    request = rf.get("/api/v1/referrals/")
    _is_json_detail(errors.permission_denied(request, PermissionDenied()), 403)
    assert AccessEvent.objects.filter(action=AccessAction.PERMISSION_DENIED, path="/api/v1/referrals/").exists()


def test_pages_still_get_the_html_404(login, coordinator):
    client = login(coordinator)
    for path in ("/referrals/null,null/", "/no-such-page/", "/apiary/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
        assert b"Page not found" in response.content


def test_pages_still_get_the_html_400_and_403(rf, db):
    request = rf.get("/referrals/")
    request.user = None
    assert errors.bad_request(request, RequestDataTooBig()).status_code == 400
    page = errors.permission_denied(rf.get("/referrals/"), PermissionDenied())
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")


# --- the same answers with DEBUG on and off (Django's technical pages must not reach an API client) -----------------


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/referrals/abc/",
        "/api/v1/referrals/null,null/",
        "/api/v1/letters/1.5/",
        "/api/v1/trainees/x/progress/",
        "/api/v1/nope/",
        "/api/",
        "/api/v1/referrals/abc",
    ],
)
def test_malformed_ids_and_unknown_api_paths_are_json_404(login, coordinator, debug, path):
    _is_json_detail(login(coordinator).get(path), 404)


def test_record_not_found_is_json_404(login, coordinator, debug):
    _is_json_detail(login(coordinator).get("/api/v1/referrals/999999/"), 404)


def test_wrong_method_is_json_405(login, coordinator, debug):
    response = login(coordinator).put("/api/v1/me/", "{}", content_type="application/json")
    _is_json_detail(response, 405)


def test_unexpected_failure_is_json_500(login, coordinator, debug, monkeypatch):
    def broken(self, request):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api.MeView, "get", broken)
    client = login(coordinator)
    client.raise_request_exception = False
    response = client.get("/api/v1/me/")
    _is_json_detail(response, 500)
    assert b"secret" not in response.content


def test_signed_out_is_json(client, db, debug):
    response = client.get("/api/v1/referrals/abc/")
    _is_json_detail(response, 404)
    assert client.get("/api/v1/referrals/").status_code in (401, 403)
    assert client.get("/api/v1/referrals/").json().keys() == {"detail"}


def test_pages_keep_django_pages_with_debug_on(login, coordinator, settings):
    settings.DEBUG = True
    response = login(coordinator).get("/referrals/abc/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
