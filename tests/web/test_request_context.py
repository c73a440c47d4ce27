"""Request ids and JSON log lines: every response names its request, every log line its request, route and user,
and the id goes with the tasks a request enqueues."""

import json
import logging
import re
from types import SimpleNamespace

import pytest
from celery import shared_task
from django.urls import reverse

from core import logs
from core.logs import PATH_LEFT_OUT, JsonLinesFormatter, well_formed_request_id
from web import task_context

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def lines():
    captured = []

    class Keep(logging.Handler):
        def emit(self, record):
            captured.append(json.loads(JsonLinesFormatter().format(record)))

    handler = Keep(level=logging.DEBUG)
    logging.getLogger().addHandler(handler)
    yield captured
    logging.getLogger().removeHandler(handler)


def test_every_response_carries_a_new_request_id(client, db):
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second) and first != second


@pytest.mark.parametrize(
    "given",
    ["3f2b8c1e-1c4a-4f43-9a53-1f1f6c1a2b3c", "req-20261206-000123", "a1b2c3d4", "lb.7f3a9c:42"],
)
def test_a_well_formed_incoming_id_is_kept(client, db, given):
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given


@pytest.mark.parametrize(
    "given",
    [
        "",
        "short1",  # too short
        "x" * 63 + "1" * 10,  # too long
        "abc123\nFORGED log line",
        "abc 12345",
        "JaneSmithExample",  # a word, perhaps a name: no digit
        "9990000018 Jane",
        "<script>1234</script>",
        "abc123é4567",
        "-leading-dash-123",
    ],
)
def test_a_malformed_incoming_id_is_replaced(client, db, given):
    answered = client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"]
    assert answered != given and GENERATED.fullmatch(answered)


def test_well_formed_ids_need_a_digit_and_a_safe_alphabet():
    assert well_formed_request_id("0123456789abcdef") == "0123456789abcdef"
    assert well_formed_request_id("abcdefghij") is None
    assert well_formed_request_id(None) is None


def test_log_lines_are_json_with_request_user_and_route(login, coordinator, lines):
    response = login(coordinator).get(reverse("referrals:triage_queue"), HTTP_X_REQUEST_ID="trace-0001-abc")
    assert response.status_code == 200 and response["X-Request-ID"] == "trace-0001-abc"
    request_line = next(line for line in lines if line["logger"] == "vig.request")
    assert set(request_line) >= {"time", "level", "logger", "message", "request_id", "user_id", "route"}
    assert request_line["request_id"] == "trace-0001-abc"
    assert request_line["user_id"] == coordinator.pk
    assert request_line["route"] == "referrals:triage_queue"
    assert request_line["message"].startswith("GET referrals:triage_queue 200 ")


def test_the_request_line_names_the_route_not_the_url_or_its_query(login, coordinator, lines):
    login(coordinator).get(reverse("referrals:search"), {"name": "Quillfeather"})
    login(coordinator).get("/referrals/Quillfeather/")
    text = json.dumps(lines)
    assert "Quillfeather" not in text
    assert any(line["message"].startswith("GET referrals:search 200") for line in lines)
    assert any(line["message"].startswith("GET unmatched 404") for line in lines)
    assert any(
        line["logger"] == "django.request" and line["message"] == f"Not Found: {PATH_LEFT_OUT}" for line in lines
    )


def test_the_context_is_cleared_once_the_response_is_done(client, db):
    client.get("/healthz", HTTP_X_REQUEST_ID="done-0001-abc")
    assert logs.request_id_var.get() is None and logs.route_var.get() is None


def test_an_exception_is_logged_without_its_message():
    try:
        try:
            raise ValueError("Key (nhs_number)=(9990000018) already exists")
        except ValueError as inner:
            raise RuntimeError("Jane Example, 17/05/1992") from inner
    except RuntimeError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "Could not save", (), exc_info=__import__("sys").exc_info()
        )
    line = JsonLinesFormatter().format(record)
    assert "9990000018" not in line and "Jane" not in line
    entry = json.loads(line)
    assert entry["exc_type"] == "builtins.RuntimeError" and entry["exc_cause"] == "builtins.ValueError"
    assert any("test_request_context.py" in frame for frame in entry["stack"])


def test_celerys_failure_line_leaves_out_the_exception_message():
    record = logging.LogRecord(
        "celery.app.trace",
        logging.ERROR,
        __file__,
        1,
        "Task %(name)s[%(id)s] %(description)s: %(exc)s",
        (
            {
                "name": "letters.tasks.render_letter",
                "id": "abc",
                "description": "raised unexpected",
                "exc": "IntegrityError('Key (name)=(Jane Example)')",
            },
        ),
        None,
    )
    message = json.loads(JsonLinesFormatter().format(record))["message"]
    assert message == "Task letters.tasks.render_letter[abc] raised unexpected: IntegrityError (message left out)"


def test_the_request_id_goes_into_the_task_headers_and_back_out_in_the_worker():
    headers = {}
    token = logs.request_id_var.set("web-0001-abc")
    try:
        task_context.add_request_id(headers=headers)
    finally:
        logs.request_id_var.reset(token)
    assert headers == {task_context.HEADER: "web-0001-abc"}
    task = SimpleNamespace(name="letters.tasks.render_letter", request=SimpleNamespace(vig_request_id="web-0001-abc"))
    task_context.enter_task(task_id="t-1", task=task)
    try:
        assert logs.request_id_var.get() == "web-0001-abc"
        line = json.loads(JsonLinesFormatter().format(logging.makeLogRecord({"msg": "rendering", "levelno": 20})))
        assert line["request_id"] == "web-0001-abc"
        assert (line["task"], line["task_id"]) == ("letters.tasks.render_letter", "t-1")
    finally:
        task_context.leave_task(task_id="t-1", task=task, state="SUCCESS")
    assert logs.request_id_var.get() is None and logs.task_var.get() is None


def test_a_forged_header_is_not_taken_as_a_request_id():
    task = SimpleNamespace(name="t", request=SimpleNamespace(vig_request_id="Jane Example\nforged"))
    task_context.enter_task(task_id="t-2", task=task)
    try:
        assert logs.request_id_var.get() is None
    finally:
        task_context.leave_task(task_id="t-2", task=task, state="SUCCESS")


@shared_task(name="tests.web.echo_request_id")
def echo_request_id():
    return logs.request_id_var.get()


def test_a_task_run_in_process_keeps_the_requests_id():
    token = logs.request_id_var.set("web-0002-abc")
    try:
        assert echo_request_id.delay().get() == "web-0002-abc"
    finally:
        logs.request_id_var.reset(token)
