"""The OpenAPI schema states the rules the API enforces, so a client generated from it is not refused for a
reason the schema could have said (issue 8)."""

import copy
import re

import pytest
import yaml
from django.core.exceptions import ValidationError

from core.text import validate_safe_text
from referrals.nhs_number import is_valid


@pytest.fixture(scope="module")
def _served_schema() -> dict:
    """The schema as first served in this module: it describes the code, not rows, so it is fetched once."""
    return {}


@pytest.fixture
def schema(login, coordinator, _served_schema) -> dict:
    """The schema the API serves to a signed-in coordinator (fetched by the module's first test; a fresh copy each)."""
    if "schema" not in _served_schema:
        _served_schema["schema"] = yaml.safe_load(login(coordinator).get("/api/v1/schema/").content)
    return copy.deepcopy(_served_schema["schema"])


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_schema_states_parents_one_or_two_and_reasons_not_blank(schema):
    components = schema["components"]["schemas"]
    parents = components["ReferralInRequest"]["properties"]["parents"]
    assert (parents["minItems"], parents["maxItems"]) == (1, 2)
    assert components["ReferralUpdateInRequest"]["properties"]["parents"]["minItems"] == 1
    needed = {
        "TriageDeclineInRequest": "reason",
        "TriageRequestInformationInRequest": "missing_information",
        "WithdrawInRequest": "reason",
        "InformationReceivedInRequest": "note",
        "UnallocateInRequest": "reason",
        "ReallocateInRequest": "reason",
    }
    for component, field in needed.items():
        assert components[component]["properties"][field]["minLength"] == 1, component
        assert field in components[component]["required"], component
    triage = components["TriageInRequest"]
    assert triage["discriminator"]["propertyName"] == "decision"
    assert set(triage["discriminator"]["mapping"]) == {"accept", "decline", "request_information"}


def test_schema_states_the_nhs_number_shape_and_describes_the_check_digit(schema):
    field = schema["components"]["schemas"]["ParentInRequest"]["properties"]["nhs_number"]
    pattern = re.compile(field["pattern"])
    assert "Modulus 11" in field["description"]
    for typed in ("", "9434765919", "943 476 5919", "943-476-5919"):
        assert pattern.search(typed), typed
    for typed in ("943476591", "94347659190", "943 476 591x", "nine"):
        assert not pattern.search(typed), typed
    assert is_valid("943 476 5919")


def test_schema_text_pattern_refuses_what_the_api_refuses(schema):
    components = schema["components"]["schemas"]
    name = re.compile(components["ParentInRequest"]["properties"]["name"]["pattern"])
    note = re.compile(components["WithdrawInRequest"]["properties"]["reason"]["pattern"])
    for text in ("Ann Smith", "Siân Łucja Żółć", "محمد", "Zoë 👩‍👧"):
        assert name.search(text) and note.search(text), text
    for text in ("Ann\x07", "Ann\u202eSmith", "Ann\x1b[31m", "   "):
        assert not name.search(text), repr(text)
        if text.strip():
            with pytest.raises(ValidationError):  # the same text, refused by the check the API runs
                validate_safe_text(text)
    assert note.search("line one\nline two") and not name.search("line one\nline two")


UPLOADS = {"/api/v1/referrals/{id}/consents/"}
# The film vault's resumable upload (ADR 0025): a film's bytes, as tus sends them, never JSON.
FILM_BYTES = {"/api/v1/vault/uploads/{film_id}/": {"application/offset+octet-stream"}}


def test_schema_states_every_error_an_operation_can_answer(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        assert {"401", "403"} <= set(responses), f"{method} {path}"
        if "{" in path:
            assert "404" in responses, f"{method} {path}"
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(responses), f"{method} {path}"
            # JSON everywhere; an upload (the signed consent form) may also come as multipart.
            allowed = {"application/json", "multipart/form-data"} if path in UPLOADS else {"application/json"}
            if path in FILM_BYTES:
                assert set(operation["requestBody"]["content"]) == FILM_BYTES[path], f"{method} {path}"
            else:
                assert "application/json" in operation["requestBody"]["content"], f"{method} {path}"
                assert set(operation["requestBody"]["content"]) <= allowed, f"{method} {path}"
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                assert set(response["content"]) == {"application/json"}, f"{method} {path} {code}"


def test_token_endpoint_documents_its_403(schema):
    description = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]["403"]["description"]
    assert "second factor" in description and "tokens" in description


def test_blank_reason_gets_the_actions_words_not_drfs(login, coordinator, service):
    from tests.referrals.helpers import make_referral

    referral = make_referral(service, coordinator)
    response = login(coordinator).post(
        f"/api/v1/referrals/{referral.pk}/triage/",
        {"decision": "request_information"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"missing_information": ["Enter what information is missing"]}


# --- one shape (issue 17) ---------------------------------------------------------------------------------------------


def _response_schema(schema, path, method="get", code="200") -> dict:
    content = schema["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]
    return _resolve(schema, content)


def _resolve(schema, node) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_every_list_has_the_one_envelope_and_its_parameters(schema):
    """Every list answers {next, previous, results} (no count) and takes limit/offset; nothing answers a bare array."""
    lists = 0
    for path, method, operation in _operations(schema):
        for code, response in operation["responses"].items():
            body = response.get("content", {}).get("application/json", {}).get("schema", {})
            assert body.get("type") != "array", f"{method} {path} {code} answers a bare array"
            body = _resolve(schema, body)
            if "results" not in body.get("properties", {}):
                continue
            lists += 1
            assert set(body["properties"]) == {"next", "previous", "results"}, f"{method} {path}"
            assert set(body["required"]) == {"next", "previous", "results"}, f"{method} {path}"
            assert body["properties"]["next"]["nullable"] and body["properties"]["previous"]["nullable"]
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            assert {"limit", "offset"} <= names, f"{method} {path}"
    assert lists >= 18


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("DecisionOut", "withdrawn_by"),
        ("NoticeOut", "acknowledged_by"),
        ("LetterOut", "approved_by"),
        ("FootageOut", "destruction_confirmed_by"),
    ],
)
def test_people_who_may_be_missing_are_nullable(schema, component, field):
    prop = schema["components"]["schemas"][component]["properties"][field]
    assert prop["nullable"] is True
    assert prop["allOf"] == [{"$ref": "#/components/schemas/PersonOut"}]


def test_people_are_one_shape(schema):
    """A person is {id, name} everywhere: no `*_name` beside a user id, no membership ids."""
    person = schema["components"]["schemas"]["PersonOut"]
    assert set(person["properties"]) == {"id", "name"} and set(person["required"]) == {"id", "name"}
    for name, component in schema["components"]["schemas"].items():
        props = component.get("properties", {})
        assert not {"supervisor_name", "trainee_name", "membership_id", "membership"} & set(props), name
    assert "/api/v1/trainees/{user_id}/progress/" in schema["paths"]
    assert "/api/v1/caseloads/{user_id}/" in schema["paths"]


def test_request_text_states_its_length(schema):
    for name, component in schema["components"]["schemas"].items():
        if not name.endswith("Request"):
            continue
        for field, prop in component.get("properties", {}).items():
            if prop.get("type") == "string" and not ({"format", "enum", "$ref"} & set(prop)):
                assert "maxLength" in prop, f"{name}.{field}"


def test_family_operations_state_410_for_a_destroyed_record(schema):
    for path, method, operation in _operations(schema):
        if path.startswith("/api/v1/referrals/{id}/"):
            assert "410" in operation["responses"], f"{method} {path}"


def test_new_read_endpoints_are_documented(schema):
    for path in [
        "/api/v1/dashboard/",
        "/api/v1/dashboard/families/",
        "/api/v1/referrals/{id}/outcomes/",
        "/api/v1/footage/destruction/",
        "/api/v1/referrals/{id}/cycles/plan/",
    ]:
        operation = schema["paths"][path]["get"]
        assert {"200", "401", "403"} <= set(operation["responses"]), path
    figure = next(
        p for p in schema["paths"]["/api/v1/dashboard/families/"]["get"]["parameters"] if p["name"] == "figure"
    )
    assert figure["required"] and "received" in figure["schema"]["enum"]
