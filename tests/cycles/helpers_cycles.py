"""Shared set-up for cycle tests: an allocated family, consent rows, helping questions, and cycles through the actions.

Everything goes through `cycles.actions`, except `withdraw`, which marks one decision withdrawn directly (to set up
the lapsed-consent cases without the withdrawal's own rules).
"""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cycles import actions
from cycles.models import ConsentDecision, ConsentItem
from tests.referrals.allocation_helpers import allocated_referral, set_details

RECEIVED_DAYS_AGO = 60


def today() -> date:
    return timezone.localdate()


def days_ago(days: int) -> date:
    return today() - timedelta(days=days)


def family(service, coordinator, practitioner, *, sibling_age: int | None = None, supervisor=None, **overrides):
    """An allocated family received 60 days ago; with `sibling_age`, an older child of that age today.

    A trainee needs their `supervisor`."""
    set_details(practitioner, service, coordinator, capacity=60, supervisor=supervisor)
    children = []
    if sibling_age is not None:
        dob = today() - relativedelta(years=sibling_age, days=1)
        children = [{"name": "Sam Sibling", "date_of_birth": dob, "consent_to_filming": "yes"}]
    return allocated_referral(
        service,
        coordinator,
        practitioner,
        date_received=days_ago(RECEIVED_DAYS_AGO),
        other_children=children,
        **overrides,
    )


def consent(
    referral, by, *, people=None, items=tuple(ConsentItem.values), given_on=None, refused=(), backdated_reason=""
):
    """A written consent given by `people` (default: every parent), agreeing to `items` except those `refused`
    (everything else is recorded as not agreed), through `actions.record_consent`."""
    people = list(referral.parents.all()) if people is None else people
    agreed = {item: item in items and item not in refused for item in ConsentItem.values}
    return actions.record_consent(
        referral=referral,
        given_on=given_on or days_ago(RECEIVED_DAYS_AGO - 1),
        givers=[
            {"parent" if who.__class__.__name__ == "Parent" else "other_child": who, "items": agreed} for who in people
        ],
        written_agreement_given=True,
        sharing_with="The family's health visitor" if agreed[ConsentItem.SHARING_CLIPS] else "",
        backdated_reason=backdated_reason,
        by=by,
    )


def withdraw(referral, who, item, *, on, by):
    """Withdraw `who`'s agreement to `item` from `on`."""
    return ConsentDecision.objects.filter(
        giver__consent__referral=referral,
        **({"giver__parent": who} if who.__class__.__name__ == "Parent" else {"giver__other_child": who}),
        item=item,
        agreed=True,
    ).update(withdrawn_on=on, withdrawn_by=by, withdrawal_reason="Changed their mind")


def helping_question(referral, by, text="What am I doing well to develop the bond with my baby?"):
    """The family's next helping question, through `actions.add_helping_question`."""
    return actions.add_helping_question(referral=referral, text=text, by=by)


def filming_kwargs(referral, **overrides) -> dict:
    data = {
        "filmed_on": days_ago(30),
        "activity": "play",
        "activity_details": "",
        "filmed_parents": list(referral.parents.all()),
        "filmed_children": [],
        "length_seconds": 420,
    }
    data.update(overrides)
    return data


def clip_kwargs(question, **overrides) -> dict:
    data = {
        "start_seconds": 30,
        "end_seconds": 38,
        "principles": [1, 3],
        "helping_question": question,
        "description": "Mum waits, baby looks up and smiles; mum smiles back.",
        "marked_for_training": False,
    }
    data.update(overrides)
    return data


def review_kwargs(filming, **overrides) -> dict:
    data = {
        "reviewed_on": filming.filmed_on + timedelta(days=7),
        "clips_watched": list(filming.clips.all()),
        "parent_reflections": "She is looking at me, waiting for me.",
        "parent_learning": "When I wait, she tells me what she wants.",
        "next_focus": "Waiting at bath time.",
    }
    data.update(overrides)
    return data


def run_cycle(referral, by, question, *, filmed_on, clips=2, review=True, reviewed_on=None):
    """One cycle through the actions: start, film, clips, and (unless told) its shared review."""
    cycle = actions.start_cycle(referral=referral, by=by, beyond_maximum_reason="More cycles agreed")
    filming = actions.record_filming(cycle=cycle, by=by, **filming_kwargs(referral, filmed_on=filmed_on))
    for n in range(clips):
        actions.add_clip(filming=filming, by=by, **clip_kwargs(question, start_seconds=10 * n, end_seconds=10 * n + 8))
    if review:
        when = {"reviewed_on": reviewed_on} if reviewed_on else {}
        actions.record_shared_review(cycle=cycle, by=by, **review_kwargs(filming, **when))
    return cycle
