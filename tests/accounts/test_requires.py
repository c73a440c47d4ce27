"""Actions declare what they need (`@requires`): the check runs before the action's body, so a refused call writes
nothing, and no action that takes an acting user can leave the declaration out."""

import importlib
import inspect
import pkgutil

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import AccessEvent
from accounts.permissions import Perm, requires
from cycles import actions as cycle_actions
from cycles.models import HelpingQuestion
from referrals import actions as referral_actions
from referrals.models import Allocation, Referral, ReferralEvent, TriageDecision
from tests.referrals.allocation_helpers import accepted_referral, allocated_referral, set_details
from tests.referrals.helpers import make_referral

pytestmark = pytest.mark.django_db

APPS = ["accounts", "referrals", "notices", "cycles", "outcomes", "letters", "discharge", "governance", "dashboards"]

# Public functions of the actions modules that take an acting user but declare nothing, and why that is safe.
UNDECLARED = {
    "discharge.actions.requested_actions.mark_requested_action_entered_in_error": "who may depends on which "
    "requested action, so the number is checked first; then `may_mark_entered_in_error` on that item",
    "cycles.actions.visits.discard_draft": "deletes only the caller's own draft (filtered by `by`)",
    "discharge.actions.letters.draft_discharge_letters": "called inside discharge_family; drafts through "
    "draft_letter, which declares letter.write",
    "letters.actions.drafting.initial_content": "builds a letter's text; writes nothing",
    "referrals.actions.triage.return_to_queue": "called only by actions that declared referral.triage or "
    "referral.update",
}


def _actions_modules():
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.actions")
        except ModuleNotFoundError:
            continue
        yield module
        for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
            yield importlib.import_module(f"{app}.actions.{info.name}")


def test_every_action_taking_an_acting_user_declares_what_it_needs():
    undeclared = set()
    for module in _actions_modules():
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function) or function.__module__ != module.__name__:
                continue
            if "by" in inspect.signature(function).parameters and not hasattr(function, "required_rule"):
                undeclared.add(f"{module.__name__}.{name}")
    assert undeclared == set(UNDECLARED)


def test_requires_refuses_a_function_without_the_keywords_it_names():
    with pytest.raises(TypeError, match="referral"):

        @requires(Perm.REFERRAL_VIEW, on="referral")
        def no_referral(*, by):
            return by

    with pytest.raises(TypeError, match="by"):

        @requires(Perm.REFERRAL_VIEW, on="referral")
        def positional_actor(by, *, referral):
            return referral


def test_the_check_runs_before_the_body(service, coordinator, practitioner):
    ran = []

    @requires(Perm.REFERRAL_TRIAGE, on="record.referral")
    def act(*, record, by):
        ran.append(by)

    referral = make_referral(service, coordinator)
    with pytest.raises(PermissionDenied):
        act(record=type("Record", (), {"referral": referral})(), by=practitioner)
    assert ran == []
    act(record=type("Record", (), {"referral": referral})(), by=coordinator)
    assert ran == [coordinator]


def _rows() -> dict[str, int]:
    models = (Referral, ReferralEvent, TriageDecision, Allocation, HelpingQuestion, AccessEvent)
    return {model.__name__: model.objects.count() for model in models}


def test_refused_actions_raise_permission_denied_and_write_nothing(
    service, coordinator, practitioner, other_practitioner, other_coordinator, manager
):
    set_details(practitioner, service, coordinator, capacity=10)
    waiting = make_referral(service, coordinator)
    accepted = accepted_referral(service, coordinator)
    allocated = allocated_referral(service, coordinator, practitioner)
    attempts = [
        lambda: referral_actions.triage_referral(referral=waiting, decision="accept", by=other_coordinator),
        lambda: referral_actions.triage_referral(referral=waiting, decision="accept", by=manager),
        lambda: referral_actions.allocate_referral(referral=accepted, practitioner=practitioner, by=practitioner),
        lambda: referral_actions.withdraw_referral(referral=allocated, reason="Moved away.", by=other_practitioner),
        lambda: cycle_actions.add_helping_question(referral=allocated, text="To play more.", by=other_practitioner),
        lambda: cycle_actions.add_helping_question(referral=allocated, text="To play more.", by=coordinator),
    ]
    before = _rows()
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert _rows() == before
