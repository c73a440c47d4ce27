"""Sent twice, saved once: every page form and every API call that creates a record, sent twice (Back and resubmit,
a double click, a retried call), makes one record, and the second send lands on the first one's result with a plain
message (issue 18, item 5; web.submissions).

One table: each row builds the state, then the page is opened for its one-time token (or the API call is given an
Idempotency-Key) and sent twice. The table is complete by construction: every URL of the app is either a row here or
named in `NOT_CREATING` with the reason, so a new page or endpoint fails `test_every_*_is_in_the_table` until
someone decides.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cycles import actions as cycle_actions
from cycles.models import (
    Clip,
    Consent,
    Cycle,
    Filming,
    HelpingQuestion,
    HelpingQuestionRating,
    Liaison,
    SharedReview,
    StageReached,
    SupervisionSession,
    Visit,
)
from dashboards.models import DashboardExport
from discharge.models import Discharge
from governance.models import SubjectAccessRequest
from letters.models import Letter
from outcomes.models import Measure
from referrals.actions import triage_referral
from referrals.models import Allocation, Referral, TriageDecision
from tests.conftest import verify_session
from tests.cycles.helpers_cycles import (
    clip_kwargs,
    consent,
    days_ago,
    family,
    filming_kwargs,
    helping_question,
)
from tests.cycles.helpers_supervision import give_consent as consent_for_supervision
from tests.cycles.helpers_supervision import make_cycle, trainee_family, trainee_with_supervisor
from tests.interop.bundles import referral_bundle
from tests.outcomes.helpers_outcomes import EPDS_13, answers
from tests.outcomes.helpers_outcomes import record as record_measure
from tests.referrals.allocation_helpers import accepted_referral, set_details
from tests.referrals.helpers import make_referral, post_data
from tests.referrals.test_api import body as referral_body
from web import api
from web.models import Submission
from web.submissions import (
    ALREADY_SAVED,
    IDEMPOTENCY_HEADER,
    REPLAYED_HEADER,
    TOKEN_FIELD,
    TOKEN_REFUSED,
    purge_used,
)

TOKEN = re.compile(rf'name="{TOKEN_FIELD}" value="([^"]+)"')


class Ctx:
    """The standing users and what a row has built, for rows to read."""

    def __init__(self, request):
        self.request = request

    def __getattr__(self, name):
        return self.request.getfixturevalue(name)


@dataclass
class Row:
    """One creating page or endpoint: `build(ctx)` makes the state and returns (who sends, URL args, data);
    `made()` is the records it creates. Pages without a form of their own (a button) rely on a natural key."""

    name: str
    build: Callable[[Ctx], tuple]
    made: Callable[[], Any]
    token: bool = True


# ---------------------------------------------------------------------------------------------------------------
# State the rows share
# ---------------------------------------------------------------------------------------------------------------


def allocated(ctx):
    return family(ctx.service, ctx.coordinator, ctx.practitioner)


def consented(ctx):
    referral = allocated(ctx)
    consent(referral, ctx.practitioner)
    return referral


def with_question(ctx):
    referral = consented(ctx)
    return referral, helping_question(referral, ctx.practitioner)


def started(ctx):
    referral, question = with_question(ctx)
    return referral, question, cycle_actions.start_cycle(referral=referral, by=ctx.practitioner)


def filmed(ctx):
    referral, question, cycle = started(ctx)
    filming = cycle_actions.record_filming(cycle=cycle, by=ctx.practitioner, **filming_kwargs(referral))
    return referral, question, cycle, filming


def clipped(ctx):
    referral, question, cycle, filming = filmed(ctx)
    cycle_actions.add_clip(filming=filming, by=ctx.practitioner, **clip_kwargs(question))
    return referral, cycle, filming


def supervised(ctx):
    membership = trainee_with_supervisor(ctx.service, ctx.coordinator, ctx.trainee, ctx.supervisor)
    referral = trainee_family(ctx.service, ctx.coordinator, ctx.trainee)
    consent_for_supervision(referral, ctx.trainee)
    cycle = make_cycle(referral, ctx.trainee, 1, filmed_on=days_ago(20), reviewed_on=days_ago(10))
    return membership, cycle


def iso(days: int = 0) -> str:
    return days_ago(days).isoformat()


# ---------------------------------------------------------------------------------------------------------------
# Page forms: build(ctx) → (who sends, where the form is posted, what it posts[, where the form is opened])
# ---------------------------------------------------------------------------------------------------------------


def page_referral(ctx):
    return ctx.coordinator, reverse("referrals:new"), post_data(ctx.service)


def page_triage(ctx):
    referral = make_referral(ctx.service, ctx.coordinator)
    return ctx.coordinator, reverse("referrals:triage", args=[referral.pk]), {"decision": "accept"}


def page_allocate(ctx):
    set_details(ctx.practitioner, ctx.service, ctx.coordinator, capacity=10)
    referral = accepted_referral(ctx.service, ctx.coordinator)
    url = reverse("referrals:allocate", args=[referral.pk])
    return ctx.coordinator, url, {"practitioner": ctx.practitioner.pk}


def page_consent(ctx):
    referral = allocated(ctx)
    mother = referral.parents.first()
    data = {
        "given_on": iso(1),
        f"gave_parent_{mother.pk}": "on",
        f"items_parent_{mother.pk}": ["filming", "supervisor_viewing"],
        "written_agreement_given": "on",
        "sharing_with": "",
        "notes": "",
    }
    return ctx.practitioner, reverse("cycles:consent_record", args=[referral.pk]), data


def page_helping_question(ctx):
    referral = consented(ctx)
    url = reverse("cycles:helping_question_add", args=[referral.pk])
    return ctx.practitioner, url, {"text": "What am I doing well when she cries?"}


def page_rating(ctx):
    _, question = with_question(ctx)
    url = reverse("cycles:helping_question_rate", args=[question.pk])
    return ctx.practitioner, url, {"point": "start", "rated_on": iso(), "score": "3"}


def page_supervision(ctx):
    membership, cycle = supervised(ctx)
    data = {"held_on": iso(1), "duration_minutes": "60", "cycles": [cycle.pk], "signed_off": [cycle.pk]}
    return ctx.supervisor, reverse("cycles:record_supervision", args=[membership.pk]), data


def page_stage(ctx):
    membership, _ = supervised(ctx)
    return ctx.supervisor, reverse("cycles:record_stage", args=[membership.pk]), {"stage": "2", "reached_on": iso(1)}


def page_start_cycle(ctx):
    referral, _ = with_question(ctx)
    return ctx.practitioner, reverse("cycles:cycle_start", args=[referral.pk]), {}


def page_filming(ctx):
    referral, _, cycle = started(ctx)
    parent = referral.parents.first()
    data = {"filmed_on": iso(10), "activity": "bath", "filmed_parents": [parent.pk], "length_seconds": "6:30"}
    return ctx.practitioner, reverse("cycles:cycle_filming", args=[cycle.pk]), data


def page_clip(ctx):
    _, question, cycle, _ = filmed(ctx)
    data = {
        "start_seconds": "0:10",
        "end_seconds": "0:20",
        "principles": ["1", "4"],
        "helping_question": question.pk,
        "description": "Baby reaches out; mum names it.",
    }
    return ctx.practitioner, reverse("cycles:cycle_clip_add", args=[cycle.pk]), data


def page_review(ctx):
    _, cycle, filming = clipped(ctx)
    data = {
        "reviewed_on": iso(3),
        "clips_watched": [c.pk for c in filming.clips.all()],
        "parent_reflections": "I see her looking for me.",
    }
    return ctx.practitioner, reverse("cycles:cycle_shared_review", args=[cycle.pk]), data


def page_visit(ctx):
    referral = allocated(ctx)
    day = days_ago(-3)
    data = {
        "planned_on_day": day.day,
        "planned_on_month": day.month,
        "planned_on_year": day.year,
        "planned_time": "2:30pm",
        "place": "home",
        "activities": ["filming"],
    }
    return ctx.practitioner, reverse("cycles:visit_book", args=[referral.pk]), data


def page_liaison(ctx):
    referral = allocated(ctx)
    data = {"contacted_on": iso(), "method": "phone", "summary": "Spoke to the HV"}
    return ctx.practitioner, reverse("cycles:liaison_record", args=[referral.pk]), data


def measure_form(values, **extra) -> dict:
    data = {"time_point": "baseline", "completed_on": iso(), **extra}
    return {**data, **{f"item_{n}": str(v) for n, v in enumerate(values, start=1)}}


def page_measure(ctx):
    referral = allocated(ctx)
    return ctx.practitioner, reverse("outcomes:record", args=[referral.pk, "epds"]), measure_form(EPDS_13)


def page_correct(ctx):
    measure = record_measure(allocated(ctx), ctx.practitioner)
    data = measure_form([0] * 9 + [3], reason="Keyed on the wrong row")
    return ctx.practitioner, reverse("outcomes:correct", args=[measure.pk]), data


def declined(ctx):
    referral = make_referral(ctx.service, ctx.coordinator)
    triage_referral(referral=referral, decision="decline", reason="Outside the service's criteria", by=ctx.coordinator)
    return referral


def page_letter(ctx):
    referral = declined(ctx)
    return ctx.coordinator, reverse("letters:draft", args=[referral.pk, "decline"]), {}


def page_discharge(ctx):
    referral = allocated(ctx)
    data = {
        "discharged_on": iso(1),
        "reason": "completed",
        "summary": "Three cycles completed.",
        "did_well": "You waited for Ava to look at you.",
        "ideas": "Keep reading together.",
        "health_visitor": "Helen Visitor",
        "plan": "Universal health visiting.",
        "letter_to_referrer_agreed": "on",
        "letter_to_health_visitor_agreed": "on",
        "family_copy_given": "on",
        "missing_measures_reason": "The family chose not to complete them.",
    }
    return ctx.practitioner, reverse("discharge:discharge", args=[referral.pk]), data


def page_subject_access(ctx):
    referral = allocated(ctx)
    day = days_ago(0)
    data = {
        "parent": referral.parents.first().pk,
        "received_on_day": day.day,
        "received_on_month": day.month,
        "received_on_year": day.year,
    }
    return ctx.manager, reverse("governance:sar-new", args=[referral.pk]), data


def page_export(ctx):
    allocated(ctx)
    query = f"?service={ctx.service.pk}&figure=received"
    url = reverse("dashboards:export_request") + query
    return ctx.manager, url, {}, reverse("dashboards:figure_list") + query


PAGE_ROWS = [
    Row("referrals:new", page_referral, lambda: Referral.objects),
    Row("referrals:triage", page_triage, lambda: TriageDecision.objects),
    Row("referrals:allocate", page_allocate, lambda: Allocation.objects),
    Row("cycles:consent_record", page_consent, lambda: Consent.objects),
    Row("cycles:helping_question_add", page_helping_question, lambda: HelpingQuestion.objects),
    Row("cycles:helping_question_rate", page_rating, lambda: HelpingQuestionRating.objects),
    Row("cycles:record_supervision", page_supervision, lambda: SupervisionSession.objects),
    Row("cycles:record_stage", page_stage, lambda: StageReached.objects),
    Row("cycles:cycle_start", page_start_cycle, lambda: Cycle.objects),
    Row("cycles:cycle_filming", page_filming, lambda: Filming.objects),
    Row("cycles:cycle_clip_add", page_clip, lambda: Clip.objects),
    Row("cycles:cycle_shared_review", page_review, lambda: SharedReview.objects),
    Row("cycles:visit_book", page_visit, lambda: Visit.objects),
    Row("cycles:liaison_record", page_liaison, lambda: Liaison.objects),
    Row("outcomes:record", page_measure, lambda: Measure.objects),
    Row("outcomes:correct", page_correct, lambda: Measure.objects),
    Row("letters:draft", page_letter, lambda: Letter.objects, token=False),  # a button: one current letter a kind
    Row("discharge:discharge", page_discharge, lambda: Discharge.objects),
    Row("governance:sar-new", page_subject_access, lambda: SubjectAccessRequest.objects),
    Row("dashboards:export_request", page_export, lambda: DashboardExport.objects),
]


# ---------------------------------------------------------------------------------------------------------------
# API calls: build(ctx) → (who sends, the endpoint, the JSON body)
# ---------------------------------------------------------------------------------------------------------------


def api_referral(ctx):
    data = referral_body(ctx.service)
    return ctx.coordinator, reverse("api:referral-list"), data


def api_fhir_referral(ctx):
    """A referral sent as a FHIR R4 Bundle (interop): with an Idempotency-Key as any API call; without one, the
    Bundle's identifier keeps it to one referral (tests/interop/test_fhir_referrals.py)."""
    return ctx.coordinator, reverse("fhir:base"), referral_bundle(ctx.service)


def api_triage(ctx):
    referral = make_referral(ctx.service, ctx.coordinator)
    return ctx.coordinator, reverse("api:referral-triage", args=[referral.pk]), {"decision": "accept"}


def api_allocate(ctx):
    set_details(ctx.practitioner, ctx.service, ctx.coordinator, capacity=10)
    referral = accepted_referral(ctx.service, ctx.coordinator)
    url = reverse("api:referral-allocate", args=[referral.pk])
    return ctx.coordinator, url, {"practitioner": ctx.practitioner.pk}


def api_reallocate(ctx):
    set_details(ctx.other_practitioner, ctx.service, ctx.coordinator, capacity=10)
    referral = allocated(ctx)
    url = reverse("api:referral-reallocate", args=[referral.pk])
    return ctx.coordinator, url, {"practitioner": ctx.other_practitioner.pk, "reason": "Moved to Peterborough"}


def api_consent(ctx):
    referral = allocated(ctx)
    data = {
        "given_on": iso(1),
        "givers": [{"parent": referral.parents.first().pk, "items": {"filming": True, "supervisor_viewing": True}}],
        "written_agreement_given": True,
    }
    return ctx.practitioner, reverse("api:consent-list", args=[referral.pk]), data


def api_helping_question(ctx):
    referral = consented(ctx)
    url = reverse("api:helping-question-list", args=[referral.pk])
    return ctx.practitioner, url, {"text": "What am I doing well when she cries?"}


def api_rating(ctx):
    _, question = with_question(ctx)
    url = reverse("api:helping-question-ratings", args=[question.pk])
    return ctx.practitioner, url, {"point": "start", "rated_on": iso(), "score": 3}


def api_visit(ctx):
    referral = allocated(ctx)
    planned = (timezone.now() + timedelta(days=3)).replace(microsecond=0).isoformat()
    return ctx.practitioner, reverse("api:visit-list", args=[referral.pk]), {"planned_at": planned, "place": "home"}


def api_liaison(ctx):
    referral = allocated(ctx)
    data = {"contacted_on": iso(), "method": "phone", "summary": "Spoke to the HV"}
    return ctx.practitioner, reverse("api:liaison-list", args=[referral.pk]), data


def api_start_cycle(ctx):
    referral, _ = with_question(ctx)
    return ctx.practitioner, reverse("api:cycle-list", args=[referral.pk]), {}


def api_filming(ctx):
    referral, _, cycle = started(ctx)
    data = {
        "filmed_on": iso(10),
        "activity": "bath",
        "filmed_parents": [referral.parents.first().pk],
        "length_seconds": 390,
    }
    return ctx.practitioner, reverse("api:cycle-filming", args=[cycle.pk]), data


def api_clip(ctx):
    _, question, cycle, _ = filmed(ctx)
    data = {
        "start_seconds": 10,
        "end_seconds": 20,
        "principles": [1, 4],
        "helping_question": question.pk,
        "description": "Baby reaches out; mum names it.",
    }
    return ctx.practitioner, reverse("api:cycle-clips", args=[cycle.pk]), data


def api_review(ctx):
    _, cycle, filming = clipped(ctx)
    data = {
        "reviewed_on": iso(3),
        "clips_watched": [c.pk for c in filming.clips.all()],
        "parent_reflections": "I see her looking for me.",
    }
    return ctx.practitioner, reverse("api:cycle-shared-review", args=[cycle.pk]), data


def api_supervision(ctx):
    membership, cycle = supervised(ctx)
    data = {
        "trainee": membership.user_id,
        "held_on": iso(1),
        "duration_minutes": 60,
        "cycles": [cycle.pk],
        "signed_off": [cycle.pk],
        "feedback": "Good.",
    }
    return ctx.supervisor, reverse("api:supervision-session-list"), data


def api_stage(ctx):
    supervised(ctx)
    url = reverse("api:trainee-stages", args=[ctx.trainee.pk])
    return ctx.supervisor, url, {"stage": 2, "reached_on": iso(1)}


def api_measure(ctx):
    referral = allocated(ctx)
    data = {"instrument": "epds", "time_point": "baseline", "completed_on": iso(), "answers": answers(EPDS_13)}
    return ctx.practitioner, reverse("api:referral-measure-list", args=[referral.pk]), data


def api_correct(ctx):
    measure = record_measure(allocated(ctx), ctx.practitioner)
    data = {"completed_on": iso(), "answers": answers([0] * 9 + [3]), "reason": "Mis-keyed"}
    return ctx.practitioner, reverse("api:measure-correct", args=[measure.pk]), data


def api_letter(ctx):
    referral = declined(ctx)
    return ctx.coordinator, reverse("api:letter-draft", args=[referral.pk]), {"kind": "decline"}


def api_discharge(ctx):
    referral = allocated(ctx)
    data = {
        "discharged_on": iso(1),
        "reason": "completed",
        "summary": "Three cycles completed.",
        "requested_actions": [{"who": "Health visitor", "what": "Offer a review visit", "by_when": "2027-06-01"}],
        "letter_to_health_visitor_agreed": True,
        "missing_measures_reason": "The family chose not to complete them.",
    }
    return ctx.practitioner, reverse("api:referral-discharge", args=[referral.pk]), data


API_ROWS = [
    Row("api:referral-list", api_referral, lambda: Referral.objects),
    Row("fhir:base", api_fhir_referral, lambda: Referral.objects),
    Row("api:referral-triage", api_triage, lambda: TriageDecision.objects),
    Row("api:referral-allocate", api_allocate, lambda: Allocation.objects),
    Row("api:referral-reallocate", api_reallocate, lambda: Allocation.objects),
    Row("api:consent-list", api_consent, lambda: Consent.objects),
    Row("api:helping-question-list", api_helping_question, lambda: HelpingQuestion.objects),
    Row("api:helping-question-ratings", api_rating, lambda: HelpingQuestionRating.objects),
    Row("api:visit-list", api_visit, lambda: Visit.objects),
    Row("api:liaison-list", api_liaison, lambda: Liaison.objects),
    Row("api:cycle-list", api_start_cycle, lambda: Cycle.objects),
    Row("api:cycle-filming", api_filming, lambda: Filming.objects),
    Row("api:cycle-clips", api_clip, lambda: Clip.objects),
    Row("api:cycle-shared-review", api_review, lambda: SharedReview.objects),
    Row("api:supervision-session-list", api_supervision, lambda: SupervisionSession.objects),
    Row("api:trainee-stages", api_stage, lambda: StageReached.objects),
    Row("api:referral-measure-list", api_measure, lambda: Measure.objects),
    Row("api:measure-correct", api_correct, lambda: Measure.objects),
    Row("api:letter-draft", api_letter, lambda: Letter.objects),
    Row("api:referral-discharge", api_discharge, lambda: Discharge.objects),
]


# ---------------------------------------------------------------------------------------------------------------
# The table, sent twice
# ---------------------------------------------------------------------------------------------------------------


def token_of(response) -> str:
    found = TOKEN.search(response.content.decode())
    assert found, "the form carries no one-time token"
    return found.group(1)


@pytest.mark.parametrize("row", PAGE_ROWS, ids=lambda row: row.name)
def test_page_form_sent_twice_saves_once_and_lands_on_the_first_result(row, request, login, db):
    ctx = Ctx(request)
    user, url, data, *opened_at = row.build(ctx)
    client = login(user)
    before = row.made().count()
    if row.token:
        opened = client.get(opened_at[0] if opened_at else url)
        assert opened.status_code == 200
        data = {**data, TOKEN_FIELD: token_of(opened)}
    first = client.post(url, data)
    assert first.status_code == 302, first.content.decode()[:3000]
    second = client.post(url, data)
    assert second.status_code == 302, second.content.decode()[:3000]
    assert second.url == first.url
    assert row.made().count() == before + 1
    landed = client.get(second.url)
    assert landed.status_code == 200 and ALREADY_SAVED in landed.content.decode()
    assert "There is a problem" not in landed.content.decode()


@pytest.mark.parametrize("row", API_ROWS, ids=lambda row: row.name)
def test_api_call_sent_twice_with_one_key_saves_once_and_answers_the_same(row, request, login, db):
    ctx = Ctx(request)
    user, url, data = row.build(ctx)
    client = login(user)
    before = row.made().count()
    headers = {IDEMPOTENCY_HEADER: "3f1c9a52-7d1e-4b8e-9a0f-2c6d8e4b1a77"}
    first = client.post(url, data, content_type="application/json", headers=headers)
    assert 200 <= first.status_code < 300, first.content.decode()[:3000]
    second = client.post(url, data, content_type="application/json", headers=headers)
    assert second.status_code == first.status_code, second.content.decode()[:3000]
    assert second[REPLAYED_HEADER] == "true"
    assert second.json() == first.json() or second.json().get("id") == first.json().get("id")
    assert row.made().count() == before + 1
    changed = {**data, "__different__": 1} if isinstance(data, dict) else data
    other = client.post(url, changed, content_type="application/json", headers=headers)
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    assert row.made().count() == before + 1


# ---------------------------------------------------------------------------------------------------------------
# Complete by construction: every page and every API POST is a row above or says here why it creates nothing
# ---------------------------------------------------------------------------------------------------------------

READS = "shows or downloads; creates no record"
SIGN_IN = "signing in and two-step set-up: no record of the service"
CHANGES = "changes or marks a record that exists (its form still carries the token, so a repeat lands on the first)"
STATE = "moves a record's state (refused twice by the state table; its form carries the token)"

NOT_CREATING = {
    "home": READS,
    "healthz": READS,
    "metrics": READS,
    "accounts:login": SIGN_IN,
    "accounts:logout": SIGN_IN,
    "accounts:oidc_start": SIGN_IN,
    "accounts:oidc_callback": SIGN_IN,
    "fhir:metadata": READS,
    "fhir:document-reference": READS,
    "accounts:mfa_enrol": SIGN_IN,
    "accounts:mfa_recovery_codes": SIGN_IN,
    "accounts:mfa_verify": SIGN_IN,
    "accounts:security": SIGN_IN,
    "accounts:regenerate_recovery_codes": SIGN_IN,
    "accounts:staff": READS,
    "accounts:staff_reset_mfa": SIGN_IN,
    "referrals:search": READS,
    "referrals:detail": READS,
    "referrals:edit": CHANGES,
    "referrals:record_birth": CHANGES,
    "referrals:triage_queue": READS,
    "referrals:information_received": STATE,
    "referrals:withdraw": STATE,
    "referrals:unallocate": STATE,
    "referrals:waiting_list": READS,
    "referrals:caseloads": READS,
    "referrals:practitioner_caseload": READS,
    "referrals:practitioner_edit": CHANGES,
    "referrals:entered_in_error": CHANGES,
    "notices:list": READS,
    "notices:acknowledge": STATE,
    "notices:settings": CHANGES,
    "cycles:cycle_detail": READS,
    "cycles:diary": READS,
    "cycles:visit_detail": READS,
    "cycles:visit_record": CHANGES,
    "cycles:visit_reschedule": CHANGES,
    "cycles:my_training": READS,
    "cycles:trainee_progress": READS,
    "cycles:supervision": READS,
    "cycles:footage": "records or corrects the one footage row of a filming: " + CHANGES,
    "cycles:confirm_destruction": STATE,
    "cycles:consents": READS,
    "cycles:consent_detail": READS,
    "cycles:consent_withdraw": CHANGES,
    "cycles:consent_signed_form": READS,
    "cycles:helping_questions": READS,
    "cycles:helping_question_reword": CHANGES,
    "outcomes:family": READS,
    "outcomes:measure": READS,
    "outcomes:evaluation_export": READS,
    "letters:list": READS,
    "letters:detail": READS,
    "letters:edit": CHANGES,
    "letters:preview": READS,
    "letters:approve": STATE,
    "letters:confirm_bereavement": STATE,
    "letters:mark_sent": STATE,
    "letters:regenerate": "makes the same letter's file again: " + STATE,
    "letters:download": READS,
    "letters:batch": "makes the month's missing letters again, each once: " + STATE,
    "letters:settings": CHANGES,
    "letters:template": CHANGES,
    "letters:translation": CHANGES,  # one wording per service and language, saved in place
    "letters:translation_start": READS,  # a GET that goes on to the language's page
    "governance:reviews": READS,
    "governance:review": READS,
    "governance:review-extend": STATE,
    "governance:review-propose": STATE,
    "governance:review-approve": STATE,
    "governance:sar": CHANGES,
    "governance:sar-release": STATE,
    "audit:log": READS,
    "audit:export": READS,
    "discharge:letters": READS,
    "discharge:reopen": STATE,
    "discharge:requested_action_entered_in_error": CHANGES,
    "dashboards:dashboard": READS,
    "dashboards:figure_list": READS,
    "dashboards:commissioner_return": READS,
    "dashboards:figure_csv": READS,
    "dashboards:commissioner_csv": READS,
    "dashboards:export_list": READS,
    "dashboards:export_status": READS,
    "dashboards:export_download": READS,
    # API
    "api:me": READS,
    "api:token_create": "an API token for the caller: not a record of the service, and never sent twice by a form",
    "api:token_revoke": "revokes the caller's token",
    "api:schema": READS,
    "api:docs": READS,
    "api:referral-detail": READS,
    "api:referral-birth": CHANGES,
    "api:referral-information-received": STATE,
    "api:referral-withdraw": STATE,
    "api:referral-unallocate": STATE,
    "api:referral-candidates": READS,
    "api:service-list": READS,
    "api:service-detail": READS,
    "api:practitioner-list": READS,
    "api:caseload-mine": READS,
    "api:caseload-detail": READS,
    "api:entered-in-error": CHANGES,
    "api:notice-list": READS,
    "api:notice-acknowledge": STATE,
    "api:cycle-plan": READS,
    "api:cycle-detail": READS,
    "api:visit-detail": READS,
    "api:visit-record": CHANGES,
    "api:visit-reschedule": CHANGES,
    "api:diary": READS,
    "api:trainee-progress": READS,
    "api:filming-footage": CHANGES,
    "api:footage-destruction-list": READS,
    "api:footage-confirm-destruction": STATE,
    "api:consent-detail": READS,
    "api:consent-withdraw": CHANGES,
    "api:consent-signed-form": READS,
    "api:helping-question-wording": CHANGES,
    "api:instrument-list": READS,
    "api:instrument-detail": READS,
    "api:referral-outcomes": READS,
    "api:measure-detail": READS,
    "api:letter-list": READS,
    "api:letter-detail": READS,
    "api:letter-edit": CHANGES,
    "api:letter-approve": STATE,
    "api:letter-mark-sent": STATE,
    "api:letter-regenerate": STATE,
    "api:letter-download": READS,
    "api:referral-reopen": STATE,
    "api:referral-requested-action-entered-in-error": CHANGES,
    "api:dashboard": READS,
    "api:dashboard-families": READS,
}


def url_names(patterns=None, namespace=""):
    """Every named URL of the app (the admin aside) with its view."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            if inner != "admin:":
                yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, pattern.callback


def test_every_page_and_endpoint_is_in_the_table_or_says_why_it_creates_nothing():
    names = {name for name, _ in url_names()}
    in_table = {row.name for row in PAGE_ROWS + API_ROWS}
    unclassified = names - in_table - set(NOT_CREATING)
    assert not unclassified, f"Add these to the double-submit table, or to NOT_CREATING with why: {unclassified}"
    assert not in_table & set(NOT_CREATING)
    assert not (in_table | set(NOT_CREATING)) - names, "the table names a URL that no longer exists"


def test_every_api_post_takes_an_idempotency_key():
    """Not only the creating ones: a retried state change or correction also answers as the first did."""
    for name, callback in url_names():
        view = getattr(callback, "cls", None)
        if name.startswith("api:") and view is not None and hasattr(view, "post") and "token" not in name:
            assert issubclass(view, api.SavedOnce), f"{name}: {view.__name__} should inherit web.api.SavedOnce"


def test_the_schema_documents_the_idempotency_key(client, coordinator, login):
    schema = login(coordinator).get(reverse("api:schema"), {"format": "json"}).json()
    create = schema["paths"]["/api/v1/referrals/{id}/helping-questions/"]["post"]
    header = next(p for p in create["parameters"] if p["name"] == IDEMPOTENCY_HEADER)
    assert header["in"] == "header" and not header["required"] and "Idempotent-Replayed" in header["description"]
    assert "422" in create["responses"]
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert IDEMPOTENCY_HEADER not in [p["name"] for p in token.get("parameters", [])]


# ---------------------------------------------------------------------------------------------------------------
# A token or key is its user's alone, lives a day, and is kept no longer than it guards anything
# ---------------------------------------------------------------------------------------------------------------


def test_another_users_form_token_does_not_land_them_on_the_first_result(login, coordinator, site_coordinator):
    client = login(coordinator)
    url = reverse("referrals:new")
    token = token_of(client.get(url))
    data = {**post_data(coordinator.memberships.first().service), TOKEN_FIELD: token}
    first = client.post(url, data)
    assert first.status_code == 302
    mine = Referral.objects.get()
    # The other coordinator sends the same form with the first one's token (copied from the first one's page).
    theirs = Client()
    verify_session(theirs, site_coordinator)
    other = theirs.post(url, data)
    assert other.status_code == 400
    page = other.content.decode()
    assert TOKEN_REFUSED.replace("'", "&#x27;") in page
    assert mine.reference not in page and first.url not in page
    assert Referral.objects.count() == 1
    # The form shown again carries a fresh token of their own, and saves.
    again = theirs.post(url, {**data, TOKEN_FIELD: token_of(other), "confirm_not_duplicate": "yes"})
    assert again.status_code == 302 and again.url != first.url and Referral.objects.count() == 2


def test_another_users_idempotency_key_runs_as_their_own_call(
    login, service, coordinator, practitioner, other_practitioner
):
    referral = family(service, coordinator, practitioner)
    consent(referral, practitioner)
    url = reverse("api:helping-question-list", args=[referral.pk])
    headers = {IDEMPOTENCY_HEADER: "same-key-for-both"}
    body = {"text": "What am I doing well when she cries?"}
    first = login(practitioner).post(url, body, content_type="application/json", headers=headers)
    assert first.status_code == 201
    other = login(other_practitioner).post(url, body, content_type="application/json", headers=headers)
    assert other.status_code == 404 and REPLAYED_HEADER not in other
    assert "What am I doing well" not in other.content.decode()
    assert HelpingQuestion.objects.count() == 1


def test_a_forged_or_day_old_token_is_refused_and_the_form_kept(login, service, coordinator, practitioner, monkeypatch):
    referral = family(service, coordinator, practitioner)
    consent(referral, practitioner)
    client = login(practitioner)
    url = reverse("cycles:helping_question_add", args=[referral.pk])
    token = token_of(client.get(url))
    text = "What am I doing well when she cries?"
    for bad in (token[:-2] + "xx", "not-a-token"):
        response = client.post(url, {"text": text, TOKEN_FIELD: bad})
        assert response.status_code == 400 and text in response.content.decode()
    later = time.time() + timedelta(days=1, minutes=1).total_seconds()
    with monkeypatch.context() as clock:
        clock.setattr(signing, "time", SimpleNamespace(time=lambda: later))
        response = client.post(url, {"text": text, TOKEN_FIELD: token})
        assert response.status_code == 400 and text in response.content.decode()
        fresh = token_of(response)
        assert fresh != token
        assert client.post(url, {"text": text, TOKEN_FIELD: fresh}).status_code == 302
    assert HelpingQuestion.objects.count() == 1


def test_a_refused_save_leaves_the_token_to_be_used_once_corrected(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    consent(referral, practitioner)
    client = login(practitioner)
    url = reverse("cycles:helping_question_add", args=[referral.pk])
    token = token_of(client.get(url))
    assert client.post(url, {"text": "", TOKEN_FIELD: token}).status_code == 400
    assert client.post(url, {"text": "Bell\x07", TOKEN_FIELD: token}).status_code == 400
    assert client.post(url, {"text": "What am I doing well?", TOKEN_FIELD: token}).status_code == 302
    assert HelpingQuestion.objects.count() == 1 and Submission.objects.count() == 1


def test_api_refusal_does_not_use_the_key_up(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    consent(referral, practitioner)
    client = login(practitioner)
    url = reverse("api:helping-question-list", args=[referral.pk])
    headers = {IDEMPOTENCY_HEADER: "retry-after-fixing"}
    assert client.post(url, {"text": ""}, content_type="application/json", headers=headers).status_code == 400
    assert client.post(url, {"text": "Why?"}, content_type="application/json", headers=headers).status_code == 201
    for bad in ("", "has space", "x" * 256, "é"):
        response = client.post(
            url, {"text": "Why?"}, content_type="application/json", headers={IDEMPOTENCY_HEADER: bad}
        )
        assert response.status_code == 400 and IDEMPOTENCY_HEADER in response.json(), bad
    assert HelpingQuestion.objects.count() == 1


def test_used_tokens_are_purged_after_two_days_and_hold_no_personal_data(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    consent(referral, practitioner)
    client = login(practitioner)
    url = reverse("cycles:helping_question_add", args=[referral.pk])
    text = "What am I doing well when Ava cries at night?"
    client.post(url, {"text": text, TOKEN_FIELD: token_of(client.get(url))})
    api_url = reverse("api:helping-question-list", args=[referral.pk])
    client.post(api_url, {"text": text + "?"}, content_type="application/json", headers={IDEMPOTENCY_HEADER: "k-1"})
    rows = list(Submission.objects.values())
    assert len(rows) == 2
    stored = repr(rows)
    for personal in (text, "Ava", referral.parents.first().name, "k-1"):
        assert personal not in stored
    assert purge_used(now=timezone.now() + timedelta(days=1)) == 0
    assert purge_used(now=timezone.now() + timedelta(days=2, minutes=1)) == 2
    assert "web.tasks.purge_used_submissions" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
