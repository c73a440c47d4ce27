"""The letters a discharge drafts: to the family always; to the referrer and the named health visitor only if the
family agreed. Drafted through `letters.actions.draft_letter`, so the letters app's rules (one current letter of a
kind, confidential address, bereavement confirmation, approval) apply unchanged."""

from datetime import date

from letters import actions as letter_actions
from letters.models import Letter
from letters.states import LetterKind

from ..models import Discharge, in_force_actions
from ..reads import goal_scales, helping_questions, letter_scales


def _when(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%-d %B %Y")


def _questions_text(discharge: Discharge) -> str:
    lines = []
    for row in helping_questions(discharge.referral):
        rated = []
        if row["start"] is not None:
            rated.append(f"at the start you rated it {row['start']} out of 10")
        if row["end"] is not None:
            rated.append(f"at the end {row['end']} out of 10")
        lines.append(f"“{row['text']}”" + (f": {' and '.join(rated)}." if rated else "."))
    return "\n".join(lines) or discharge.referral.hoped_for_change


def _contents(discharge: Discharge, by) -> dict[str, dict]:
    referral = discharge.referral
    actions = [{**a, "by_when": _when(a["by_when"])} for a in in_force_actions(discharge.requested_actions)]
    scales = letter_scales(referral) + goal_scales(referral)
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
            contents[kind] = {"sections": sections, "scales": goal_scales(referral), "actions": []}
        else:
            plan = discharge.plan
            if discharge.reason_details:
                plan = f"{plan}\n{discharge.reason_details}".strip()
            sections |= {
                "summary": f"Discharged on {discharge.discharged_on:%-d %B %Y}: "
                f"{discharge.get_reason_display().lower()}.\n{discharge.summary}",
                "plan": plan,
            }
            contents[kind] = {"sections": sections, "scales": scales, "actions": actions}
    return contents


def draft_discharge_letters(*, discharge: Discharge, by, request=None) -> list[Letter]:
    """Draft the discharge's letters that do not exist yet (runs inside `discharge_family`'s transaction)."""
    existing = set(Letter.objects.current().filter(referral=discharge.referral).values_list("kind", flat=True))
    drafted = []
    for kind, content in _contents(discharge, by).items():
        if kind in existing:
            continue
        drafted.append(
            letter_actions.draft_letter(referral=discharge.referral, kind=kind, by=by, request=request, content=content)
        )
    return drafted
