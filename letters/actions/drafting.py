"""Drafting and editing letters: free-text sections prefilled from the record, frozen in the letter's content."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import AccessAction
from accounts.permissions import Perm, requires
from core.refusals import ActionRefused
from core.text import LONG_TEXT_MAX_LENGTH, check_text
from referrals.actions import lock_referral
from referrals.history import record_change
from referrals.models import Concern, Referral, TriageDecisionKind
from referrals.nhs_number import display as nhs_display
from referrals.states import ReferralStatus

from .. import languages, whereabouts, wording
from ..models import RECIPIENT_ADDRESS_MAX_LENGTH, RECIPIENT_NAME_MAX_LENGTH, Letter, LetterSettings, LetterTemplate
from ..states import LetterKind, LetterStatus
from .common import check_current, locked


def _settings_of(service) -> dict:
    """The service's letterhead, contact details, team line and marking (its own, or defaults from the service)."""
    found = LetterSettings.objects.filter(service=service).first()
    return {
        "letterhead": (found.letterhead if found else "") or f"{service.name}\n{service.organisation}",
        "address_block": found.address_block if found else "",
        "contact": contact_of(found),
        "sign_off": (found.sign_off if found else "") or service.letter_sign_off or service.name,
        "marking": (found.confidential_marking if found else "") or "OFFICIAL-SENSITIVE: PERSONAL",
    }


def contact_of(found: LetterSettings | None) -> dict:
    """How to reach the service, as every letter prints it where it says "contact us"."""
    if found is None:
        return {"phone": "", "email": "", "address": ""}
    return {"phone": found.phone, "email": found.email, "address": found.address_block}


def _wording_of(service, kind: str) -> dict:
    found = LetterTemplate.objects.filter(service=service, kind=kind).first()
    defaults = wording.DEFAULT_WORDING.get(kind, {})
    return {
        key: (getattr(found, key, "") if found else "") or defaults.get(key, "")
        for key in ("opening", "closing", "signposting")
    }


def _lines(*parts: str) -> str:
    return "\n".join(part.strip() for part in parts if part and part.strip())


def _recipient(referral: Referral, kind: str, parents) -> tuple[str, str]:
    """Who the letter goes to and their postal address: the parents at home; the health visitor by name, team and
    address (never only a phone number); the referrer by name, role and organisation."""
    if kind == LetterKind.FAMILY:
        first = parents[0] if parents else None
        address = _lines(first.address, first.postcode) if first else ""
        # Comma-separated: subject access finds a parent's letters by the names in this line (governance).
        return ", ".join(p.name for p in parents) or "The family", address
    if kind == LetterKind.HANDOVER:
        address = _lines(referral.named_health_visitor_team, referral.named_health_visitor_address)
        return referral.named_health_visitor or "The named health visitor", address
    return referral.referrer_name, _lines(referral.referrer_role, referral.referrer_organisation)


def _salutation(referral: Referral, kind: str, parents) -> str:
    """ "Dear …" by name, so the letter closes "Yours sincerely"; parents by their first names (warmer, read aloud).
    A service's wording that opens "Dear …" itself (the family's default does) is printed instead."""
    if kind == LetterKind.FAMILY:
        names = [p.name.split()[0] for p in parents if p.name.split()]
        return f"Dear {' and '.join(names)}" if names else "Dear parent or carer"
    if kind == LetterKind.HANDOVER:
        return f"Dear {referral.named_health_visitor}" if referral.named_health_visitor else "Dear colleague"
    return f"Dear {referral.referrer_name}" if referral.referrer_name else "Dear colleague"


def _day(value) -> str:
    return value.strftime("%-d %B %Y") if value else ""


def _child(referral: Referral) -> dict:
    if referral.child_unborn:
        born = f"not born yet (due {_day(referral.expected_delivery_date)})"
    else:
        born = _day(referral.child_date_of_birth) or "not known"
    return {
        "name": referral.child_display_name,
        "date_of_birth": born,
        "nhs_number": nhs_display(referral.child_nhs_number) if referral.child_nhs_number else NOT_KNOWN,
    }


NOT_KNOWN = "not known"


def _patient(referral: Referral, kind: str, parents) -> dict:
    """PRSB demographics: the child's and every parent's name, date of birth and NHS number ("not known" when the
    record has none, so a reader never wonders whether it was left out), printed on every page. The family's
    address only where it may go: a professional's letter about a family with a confidential address is built
    without it (`letters.whereabouts`), so nothing later has to take it out."""
    address = ""
    if parents and not whereabouts.withholds_address(referral, kind):
        address = f"{parents[0].address} {parents[0].postcode}".strip()
    child = _child(referral)
    return {
        "child_name": child["name"],
        "date_of_birth": child["date_of_birth"],
        "nhs_number": child["nhs_number"],
        "gp_practice": referral.gp_practice,
        "parents": [p.name for p in parents],
        "people": [
            {"role": "Child", **child},
            *(
                {
                    "role": (p.relationship or "Parent or carer").capitalize(),
                    "name": p.name,
                    "date_of_birth": _day(p.date_of_birth) or NOT_KNOWN,
                    "nhs_number": nhs_display(p.nhs_number) if p.nhs_number else NOT_KNOWN,
                }
                for p in parents
            ),
        ],
        "address": address,
    }


def _decline_reason(referral: Referral) -> str:
    declines = [d for d in referral.triage_decisions.all() if d.decision == TriageDecisionKind.DECLINE]
    return declines[-1].reason if declines else referral.closed_reason


def _reason_for_referral(referral: Referral) -> str:
    """The referral's reason as the referrer gave it: what worried them and the change hoped for."""
    concerns = ", ".join(str(dict(Concern.choices).get(c, c)).lower() for c in referral.concerns or [])
    return _lines(
        f"Referred for: {concerns}." if concerns else "",
        referral.reason_details,
        f"Hoped-for change: {referral.hoped_for_change}" if referral.hoped_for_change else "",
    )


def _risks(referral: Referral) -> str:
    """Risks and safeguarding exactly as recorded on the family's record, never summarised."""
    return _lines(
        f"Safeguarding status: {referral.get_safeguarding_status_display()}.",
        f"Risks to staff visiting the home: {referral.risks_to_staff}" if referral.risks_to_staff else "",
    )


def _author(by) -> dict:
    return {"name": by.get_full_name() or by.get_username(), "role": getattr(by, "job_title", "") or ""}


def initial_content(referral: Referral, kind: str, by) -> dict:
    """The letter's frozen content: the service's wording, letterhead and contact details, the family's details,
    prefilled sections, who signs it, and no copies (a discharge adds only those the family agreed to)."""
    service = referral.service
    parents = list(referral.parents.all())
    texts = _wording_of(service, kind)
    sections = {"opening": texts["opening"], "closing": texts["closing"]}
    if kind == LetterKind.DECLINE:
        sections |= {"reason": _decline_reason(referral), "signposting": texts["signposting"]}
    if kind in (LetterKind.REFERRER, LetterKind.HANDOVER):
        sections |= {
            "reason": _reason_for_referral(referral),
            "summary": "",
            "plan": "",
            "information_given": "",
        }
    if kind == LetterKind.HANDOVER:
        sections["risks"] = _risks(referral)
    if kind == LetterKind.FAMILY:
        sections |= {"helping_questions": referral.hoped_for_change, "did_well": "", "ideas": ""}
    author = _author(by)
    content = {
        **_settings_of(service),
        "service_name": service.name,
        "salutation": _salutation(referral, kind, parents),
        "patient": _patient(referral, kind, parents),
        "referrer": {
            "name": referral.referrer_name,
            "role": referral.referrer_role,
            "organisation": referral.referrer_organisation,
        },
        "author": author,
        "values": {
            "child_name": referral.child_display_name,
            "parent_names": " and ".join(p.name for p in parents) or "the family",
            "referrer_name": referral.referrer_name,
            "service_name": service.name,
            "author_name": author["name"],
        },
        "sections": sections,
        "copies": [],
        "actions": [],
        "scales": [],
        "goals": [],
    }
    return languages.apply(content, languages.choose(referral, kind))


def _check_recipient(name: str, address: str) -> None:
    """The recipient as prefilled or typed: too long is refused by name, never cut to fit."""
    check_text(name, field="recipient_name", label="To", max_length=RECIPIENT_NAME_MAX_LENGTH, multiline=False)
    check_text(address, field="recipient_address", label="Address", max_length=RECIPIENT_ADDRESS_MAX_LENGTH)


@transaction.atomic
@requires(Perm.LETTER_WRITE, on="referral")
def draft_letter(
    *,
    referral: Referral,
    kind: str,
    by,
    request=None,
    content: dict | None = None,
    recipient_name: str | None = None,
) -> Letter:
    """Start a letter about this family, its free-text sections prefilled from the record.

    A decline letter needs a declined referral. Discharge passes `content` overrides (requested actions, scales,
    copies) and the health visitor it named. One current letter of each kind per family: edit that one instead.
    """
    referral = lock_referral(referral, details=True)
    if kind not in LetterKind.values:
        raise ValidationError({"kind": "Choose a kind of letter"})
    if kind == LetterKind.DECLINE and referral.status != ReferralStatus.DECLINED:
        raise ActionRefused("A decline letter can be written only once the referral is declined.")
    if Letter.objects.current().filter(referral=referral, kind=kind).exists():
        raise ActionRefused("This family already has this letter: open it to edit it.")
    prefilled_name, recipient_address = _recipient(referral, kind, list(referral.parents.all()))
    recipient_name = (recipient_name or "").strip() or prefilled_name
    _check_recipient(recipient_name, recipient_address)
    letter = Letter(
        referral=referral,
        kind=kind,
        recipient_name=recipient_name,
        recipient_address=recipient_address,
        content={**initial_content(referral, kind, by), **(content or {})},
        created_by=by,
    )
    letter.content_hash = letter.compute_hash()
    letter.save()
    letter.authors.add(by)
    record_change(
        referral=referral,
        by=by,
        kind="letter_drafted",
        summary=f"{letter.get_kind_display()} drafted{languages.drafted_in(letter.content)}",
        changes=languages.history_changes(letter.content),
        request=request,
        obj=letter,
        access=AccessAction.CREATE,
        detail={"letter_kind": kind},
    )
    return letter


def _check_sections(kind: str, sections: dict) -> dict:
    known = dict(wording.SECTIONS[kind])
    cleaned = {}
    for key, text in sections.items():
        if key not in known:
            raise ValidationError({key: "This letter has no such section"})
        text = (text or "").strip()
        check_text(text, field=key, label=known[key], max_length=LONG_TEXT_MAX_LENGTH)
        cleaned[key] = text
    return cleaned


@transaction.atomic
@requires(Perm.LETTER_WRITE, on="letter")
def edit_letter(
    *, letter: Letter, sections: dict, recipient_name: str, recipient_address: str, by, request=None
) -> Letter:
    """Change a letter's sections or recipient. A draft changes in place; an approved letter gets a new draft
    version, and the old one is kept (with its content hash) as superseded.

    A professional's letter about a family with a confidential address is refused, beside the field, if what was
    written gives their address away (`letters.whereabouts`), and is saved without the address fields.
    """
    letter = locked(letter)
    check_current(letter)
    if not recipient_name.strip():
        raise ValidationError({"recipient_name": "Enter who the letter is to"})
    _check_recipient(recipient_name, recipient_address)
    cleaned = _check_sections(letter.kind, sections)
    content = {**letter.content, "sections": {**letter.content.get("sections", {}), **cleaned}}
    referral = letter.referral
    if not any((content.get("contact") or {}).values()):
        # Drafted before the service set how to reach it: take the contact details it has now.
        content["contact"] = contact_of(LetterSettings.objects.filter(service=referral.service_id).first())
    found = whereabouts.findings(
        referral=referral,
        kind=letter.kind,
        sections=content["sections"],
        recipient_name=recipient_name,
        recipient_address=recipient_address,
    )
    if found:
        raise ValidationError(found)
    if whereabouts.withholds_address(referral, letter.kind):
        content = whereabouts.without_address(content)
    if letter.status == LetterStatus.DRAFT:
        target = letter
        summary = f"{letter.get_kind_display()} edited"
    else:
        now = timezone.now()
        letter.superseded_at = now
        letter.save(update_fields=["superseded_at"])
        target = Letter(
            referral=letter.referral,
            kind=letter.kind,
            version=letter.version + 1,
            created_by=by,
        )
        content.pop("date", None)
        summary = f"{letter.get_kind_display()} changed after approval: version {target.version} drafted"
    target.recipient_name, target.recipient_address = recipient_name.strip(), recipient_address.strip()
    target.content = content
    target.content_hash = target.compute_hash()
    target.save()
    if target is not letter:
        letter.superseded_by = target
        letter.save(update_fields=["superseded_by"])
        target.authors.add(*letter.authors.all())
    target.authors.add(by)
    record_change(
        referral=letter.referral,
        by=by,
        kind="letter_edited",
        summary=summary,
        request=request,
        obj=target,
        detail={"letter_kind": letter.kind, "version": target.version},
    )
    return target


@transaction.atomic
@requires(Perm.LETTER_COORDINATE, on="letter")
def confirm_bereaved_family_letter(*, letter: Letter, by, request=None) -> Letter:
    """A coordinator confirms that this letter may go to or about a family marked bereaved (who and when kept)."""
    letter = locked(letter)
    check_current(letter)
    if not letter.referral.bereavement:
        raise ActionRefused("This family is not marked bereaved: no confirmation is needed.")
    if letter.bereavement_confirmed_at:
        raise ActionRefused("This letter was confirmed already.")
    letter.bereavement_confirmed_by, letter.bereavement_confirmed_at = by, timezone.now()
    letter.save(update_fields=["bereavement_confirmed_by", "bereavement_confirmed_at"])
    record_change(
        referral=letter.referral,
        by=by,
        kind="letter_bereavement_confirmed",
        summary=f"{letter.get_kind_display()} confirmed for a bereaved family",
        request=request,
        obj=letter,
    )
    return letter
