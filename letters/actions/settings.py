"""A service's letter settings and wording, set by its service admin (ADR 0008: letters own their wording)."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction
from accounts.permissions import InService, Perm, requires
from core.text import check_text, check_text_fields

from .. import languages, wording
from ..models import LetterSettings, LetterTemplate, LetterTranslation
from ..states import LetterKind


def settings_for(service) -> LetterSettings:
    """The service's settings as they stand, or unsaved defaults (the sign-off from `Service.letter_sign_off`)."""
    found = LetterSettings.objects.filter(service=service).first()
    return found or LetterSettings(
        service=service, letterhead=f"{service.name}\n{service.organisation}", sign_off=service.letter_sign_off
    )


_PHONE = re.compile(r"^\+?[0-9 ()-]+(?: (?:ext\.?|extension) [0-9]+)?$")


def check_contact(*, phone: str, email: str) -> None:
    """A phone number a person can dial and an email address that can receive mail: a letter prints both for
    families and health visitors to use, so a typo would leave them with no way to reach the service."""
    errors = {}
    digits = sum(ch.isdigit() for ch in phone)
    if phone and (not _PHONE.match(phone) or not 10 <= digits <= 16):
        errors["phone"] = "Enter a phone number like 01632 960123 or +44 1632 960123"
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Enter an email address like vig.team@nhs.net"
    if errors:
        raise ValidationError(errors)


def template_for(service, kind: str) -> LetterTemplate:
    found = LetterTemplate.objects.filter(service=service, kind=kind).first()
    if found:
        return found
    defaults = wording.DEFAULT_WORDING.get(kind, {})
    return LetterTemplate(
        service=service, kind=kind, **{k: defaults.get(k, "") for k in ("opening", "closing", "signposting")}
    )


def _whole_service(kwargs: dict) -> InService:
    """A service's letter settings and wording belong to the whole service: checked on the service, not a site."""
    return InService(kwargs["service"].pk)


@transaction.atomic
@requires(Perm.LETTER_TEMPLATE_MANAGE, on=_whole_service)
def save_letter_settings(
    *,
    service,
    letterhead: str,
    address_block: str,
    sign_off: str,
    confidential_marking: str,
    by,
    request=None,
    phone: str = "",
    email: str = "",
) -> LetterSettings:
    """Set the letterhead, contact details (phone, email, postal address), team line and marking that new letters
    of this service copy. At least one way to reach the service is required: letters say how to contact it."""
    phone, email = " ".join(phone.split()), email.strip()
    check_contact(phone=phone, email=email)
    if not (phone or email or address_block.strip()):
        raise ValidationError({"phone": "Enter a phone number, an email address or a postal address for letters"})
    found = settings_for(service)
    found.letterhead, found.address_block = letterhead.strip(), address_block.strip()
    found.phone, found.email = phone, email
    found.sign_off, found.confidential_marking = sign_off.strip(), confidential_marking.strip() or "OFFICIAL-SENSITIVE"
    check_text_fields(found)
    found.save()
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=found)
    return found


@transaction.atomic
@requires(Perm.LETTER_TEMPLATE_MANAGE, on=_whole_service)
def save_letter_template(
    *, service, kind: str, opening: str, closing: str, signposting: str = "", by, request=None
) -> LetterTemplate:
    """Set one kind's wording. Only known {placeholders}: anything else is refused, never interpreted."""
    template = template_for(service, LetterKind(kind))
    for field, text in (("opening", opening), ("closing", closing), ("signposting", signposting)):
        wording.check_wording(text, field=field)
    template.opening, template.closing, template.signposting = opening.strip(), closing.strip(), signposting.strip()
    template.updated_by = by
    check_text_fields(template)
    template.save()
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=template)
    return template


def translation_for(service, language: str, kind: str = LetterKind.FAMILY) -> LetterTranslation:
    """The service's wording of this letter in this language, or a new unsaved one to fill in."""
    found = LetterTranslation.objects.filter(service=service, kind=kind, language=language).first()
    return found or LetterTranslation(service=service, kind=kind, language=language)


@transaction.atomic
@requires(Perm.LETTER_TEMPLATE_MANAGE, on=_whole_service)
def save_letter_translation(
    *,
    service,
    language: str,
    opening: str,
    closing: str,
    headings: dict,
    checked_by: str,
    checked_on,
    in_use: bool = True,
    kind: str = LetterKind.FAMILY,
    by,
    request=None,
) -> LetterTranslation:
    """Add or change the service's wording of the family's letter in a language (`letters.languages`).

    Refused, naming the field, unless it has the English wording's paragraphs with exactly its placeholders, a
    heading for every section, only characters the letters can print, text in the language's script, and the name
    of the qualified translator who checked it: so a translation cannot break a letter, drop the child's name or a
    contact the English gives, or be used unchecked. Taking it out of use sends this language's letters back to
    English; nothing is deleted.
    """
    cleaned = languages.clean_translation(
        service=service, kind=kind, language=language, opening=opening, closing=closing, headings=headings
    )
    checked_by = (checked_by or "").strip()
    if not checked_by:
        raise ValidationError({"checked_by": "Enter who checked the translation (a qualified translator)"})
    check_text(checked_by, field="checked_by", label="Checked by", max_length=200, multiline=False)
    if checked_on is None or checked_on > timezone.localdate():
        raise ValidationError({"checked_on": "Enter the date the translation was checked: today or in the past"})
    translation = translation_for(service, cleaned["language"], kind)
    translation.opening, translation.closing = cleaned["opening"], cleaned["closing"]
    translation.headings = cleaned["headings"]
    translation.checked_by, translation.checked_on, translation.in_use = checked_by, checked_on, bool(in_use)
    translation.updated_by = by
    check_text_fields(translation)
    translation.save()
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=translation)
    return translation
