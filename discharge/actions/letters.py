"""The letters a discharge drafts: to the family always; to the referrer and the named health visitor only if the
family agreed. Drafted through `letters.actions.draft_letter`, so the letters app's rules (one current letter of a
kind, confidential address, bereavement confirmation, approval) apply unchanged.

Copies follow the same agreement: a professional's letter is copied only to the other professional the family
agreed may have a letter, never to anyone else (the GP included: the family is not asked about the GP)."""

from datetime import date

from letters import actions as letter_actions
from letters.models import Letter
from letters.states import LetterKind

from ..models import Discharge, in_force_actions
from ..reads import goal_scales, helping_questions, letter_scales


def _when(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%-d %B %Y")


def _questions_text(discharge: Discharge) -> str:
    """The family's helping questions in short sentences they can read aloud, with their own start and end scores."""
    lines = []
    for row in helping_questions(discharge.referral):
        line = f"You asked: “{row['text']}”"
        if row["start"] is not None:
            line += f"\nAt the start you gave it {row['start']} out of 10."
        if row["end"] is not None:
            line += f"\nAt the end you gave it {row['end']} out of 10."
        lines.append(line)
    return "\n\n".join(lines) or discharge.referral.hoped_for_change


def _copies(discharge: Discharge, kind: str) -> list[str]:
    """Who else gets a copy of this letter: only the other professional the family agreed may have a letter."""
    referral = discharge.referral
    referrer = ", ".join(filter(None, [referral.referrer_name, referral.referrer_organisation]))
    visitor = ", ".join(filter(None, [discharge.health_visitor, referral.named_health_visitor_team]))
    if referral.referrer_name == discharge.health_visitor:
        return []  # one person: they have their own letter
    if kind == LetterKind.HANDOVER and discharge.letter_to_referrer_agreed and referrer:
        return [f"{referrer} (referrer)"]
    if kind == LetterKind.REFERRER and discharge.letter_to_health_visitor_agreed and visitor:
        return [f"{visitor} (health visitor)"]
    return []


def _contents(discharge: Discharge, by) -> dict[str, dict]:
    referral = discharge.referral
    actions = [{**a, "by_when": _when(a["by_when"])} for a in in_force_actions(discharge.requested_actions)]
    scales, goals = letter_scales(referral), goal_scales(referral)
    kinds = {LetterKind.FAMILY: True}
    kinds[LetterKind.REFERRER] = discharge.letter_to_referrer_agreed
    kinds[LetterKind.HANDOVER] = discharge.letter_to_health_visitor_agreed
    contents = {}
    for kind, agreed in kinds.items():
        if not agreed:
            continue
        base = letter_actions.initial_content(referral, kind, by)
        sections = dict(base["sections"])
        if kind == LetterKind.FAMILY:
            sections |= {
                "helping_questions": _questions_text(discharge),
                "did_well": discharge.did_well,
                "ideas": discharge.ideas,
            }
            contents[kind] = {"sections": sections, "scales": [], "goals": [], "actions": [], "copies": []}
        else:
            plan = discharge.plan
            if discharge.reason_details:
                plan = f"{plan}\n{discharge.reason_details}".strip()
            sections |= {
                "summary": f"Discharged on {discharge.discharged_on:%-d %B %Y}: "
                f"{discharge.get_reason_display().lower()}.\n{discharge.summary}",
                "plan": plan,
            }
            contents[kind] = {
                "sections": sections,
                "scales": scales,
                "goals": goals,
                "actions": actions,
                "copies": _copies(discharge, kind),
            }
    return contents


def draft_discharge_letters(*, discharge: Discharge, by, request=None) -> list[Letter]:
    """Draft the discharge's letters that do not exist yet (runs inside `discharge_family`'s transaction)."""
    existing = set(Letter.objects.current().filter(referral=discharge.referral).values_list("kind", flat=True))
    drafted = []
    for kind, content in _contents(discharge, by).items():
        if kind in existing:
            continue
        drafted.append(
            letter_actions.draft_letter(
                referral=discharge.referral,
                kind=kind,
                by=by,
                request=request,
                content=content,
                recipient_name=discharge.health_visitor if kind == LetterKind.HANDOVER else None,
            )
        )
    return drafted
