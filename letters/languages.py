"""The family's letter in the family's language: which wording a letter is drafted with, the checks a service's
translated wording must pass, and the writing direction of each block of the PDF.

A service adds its own wording of the family's letter in a language (`LetterTranslation`: the opening, the
closing and the section headings). When a family letter is drafted, parent 1's language for letters
(`Parent.letter_language`, an ISO 639 code) picks it if the service has it, in use and in step with the English
wording; otherwise the letter is in English and says why in its history. What a practitioner writes for one
family is printed as written, each paragraph in its own direction, so an English paragraph in an Urdu letter
reads left to right and an Urdu one right to left.
"""

import functools
import unicodedata
from dataclasses import dataclass, field

from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError

from core import languages
from core.languages import Language
from core.text import LONG_TEXT_MAX_LENGTH, check_text

from . import wording
from .models import LetterTemplate, LetterTranslation
from .states import LetterKind

TRANSLATABLE_KINDS = (LetterKind.FAMILY,)
TEXT_FIELDS = ("opening", "closing")
HEADING_MAX_LENGTH = 200
# The letters' font for Arabic script (Urdu, Arabic, Farsi, Dari, Pashto, Sorani), OFL 1.1 (static/letters/fonts).
ARABIC_FONT = "letters/fonts/NotoNaskhArabic-Regular.ttf"
# Scripts the system font (DejaVu Sans) prints; Arabic script is printed with ARABIC_FONT.
SYSTEM_FONT_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")
_PLACEHOLDER = wording._PLACEHOLDER  # the {name} pattern the wording is filled by


def headed_sections(kind: str) -> list[tuple[str, str]]:
    """(key, English heading) of the sections that print a heading: the ones a translation gives headings for."""
    return [(key, label) for key, label in wording.SECTIONS[kind] if key not in TEXT_FIELDS]


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text or ""))


def english_wording(service, kind: str) -> dict[str, str]:
    """The service's English opening and closing (its own, or the defaults): what a translation must match."""
    found = LetterTemplate.objects.filter(service=service, kind=kind).first()
    defaults = wording.DEFAULT_WORDING.get(kind, {})
    return {key: (getattr(found, key, "") if found else "") or defaults.get(key, "") for key in TEXT_FIELDS}


def translatable_languages() -> list[Language]:
    """Languages a service may add wording in: not English, and a script the letters have a font for."""
    return [language for language in languages.LANGUAGES if language.code != languages.ENGLISH and language.printable]


# --- the checks a translation passes before it is saved ------------------------------------------------------------


@functools.cache
def arabic_font_characters() -> frozenset[int]:
    """The code points the shipped Arabic-script font has glyphs for (read once per process)."""
    from fontTools.ttLib import TTFont

    font = TTFont(finders.find(ARABIC_FONT), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def script_of(char: str) -> str:
    """ "ARABIC", "LATIN", … for a letter or mark; "" for digits, spaces and punctuation (every font has them)."""
    category = unicodedata.category(char)
    if not category.startswith(("L", "M")):
        return "SYMBOL" if category == "So" else ""
    return unicodedata.name(char, "UNKNOWN").split(" ")[0]


def unprintable(text: str) -> list[str]:
    """Characters the letters have no font for (they would print as empty boxes), each once, in order."""
    found = []
    for char in _PLACEHOLDER.sub("", text or ""):
        script = script_of(char)
        printable = not script or script in SYSTEM_FONT_SCRIPTS
        printable = printable or (script == "ARABIC" and ord(char) in arabic_font_characters())
        if not printable and char not in found:
            found.append(char)
    return found


def reads_as(text: str, language: Language) -> bool:
    """Most of the letters are in the language's script (names and "NHS" in Latin letters may be mixed in). A
    Latin-script language cannot be told from English this way: the translator's check is the control there."""
    scripts = [script_of(char) for char in _PLACEHOLDER.sub("", text or "")]
    letters = [script for script in scripts if script and script != "SYMBOL"]
    if not letters:
        return True
    return sum(script == language.script.upper() for script in letters) * 2 > len(letters)


def _check_block(text: str, *, field: str, label: str, language: Language, max_length: int, multiline: bool) -> None:
    check_text(text, field=field, label=label, max_length=max_length, multiline=multiline)
    missing = unprintable(text)
    if missing:
        shown = " ".join(missing[:8])
        raise ValidationError({field: f"{label}: the letters have no font for {shown}, so it would print as boxes"})
    if not reads_as(text, language):
        raise ValidationError(
            {
                field: f"{label} does not read as {language.name}: most of its letters are not in {language.script} "
                "script. Check this is the translation for this language"
            }
        )


def _check_paragraph(text: str, english: str, *, field: str, label: str, language: Language) -> None:
    """A paragraph the English wording has must be translated, with exactly its placeholders: a translation may not
    drop the child's name, or a contact the English closing gives, nor print one it does not fill."""
    if english.strip() and not text:
        raise ValidationError({field: f"Enter the {label.lower()} in {language.name}: the English letter has one"})
    if not english.strip() and text:
        raise ValidationError({field: f"The English letter has no {label.lower()}: leave it empty"})
    _check_block(text, field=field, label=label, language=language, max_length=LONG_TEXT_MAX_LENGTH, multiline=True)
    wording.check_wording(text, field=field)
    if set("{}") & set(_PLACEHOLDER.sub("", text)):
        raise ValidationError({field: f"{label}: use braces only around a placeholder, as in {{child_name}}"})
    wanted, used = placeholders(english), placeholders(text)
    if wanted != used:
        missing = ", ".join("{" + name + "}" for name in sorted(wanted - used))
        extra = ", ".join("{" + name + "}" for name in sorted(used - wanted))
        said = "; ".join(filter(None, [missing and f"add {missing}", extra and f"take out {extra}"]))
        raise ValidationError({field: f"{label} must use the same placeholders as the English wording: {said}"})


def clean_translation(*, service, kind: str, language: str, opening: str, closing: str, headings: dict) -> dict:
    """Check a service's translated wording; every problem is a ValidationError keyed by its form field
    (`language`, `opening`, `closing`, `heading_<section>`). Returns the cleaned values."""
    if kind not in TRANSLATABLE_KINDS:
        raise ValidationError({"kind": "Only the family's letter can have wording in other languages"})
    chosen = languages.get(language)
    if chosen is None or chosen.code == languages.ENGLISH:
        raise ValidationError({"language": "Choose a language from the list"})
    if not chosen.printable:
        raise ValidationError(
            {"language": f"Letters cannot be printed in {chosen.name} yet: no font for {chosen.script} script"}
        )
    english = english_wording(service, kind)
    cleaned = {"language": chosen.code, "opening": (opening or "").strip(), "closing": (closing or "").strip()}
    errors = {}
    for key in TEXT_FIELDS:
        try:
            _check_paragraph(cleaned[key], english[key], field=key, label=key.title(), language=chosen)
        except ValidationError as error:
            errors.update(error.message_dict)
    cleaned["headings"] = {}
    known = dict(headed_sections(kind))
    for key in set(headings or {}) - set(known):
        errors[f"heading_{key}"] = ["This letter has no such section"]
    for key, english_label in known.items():
        text = str((headings or {}).get(key) or "").strip()
        label = f"Heading \u201c{english_label}\u201d"
        try:
            if not text:
                raise ValidationError(
                    {f"heading_{key}": f"Enter the heading \u201c{english_label}\u201d in {chosen.name}"}
                )
            _check_block(
                text,
                field=f"heading_{key}",
                label=label,
                language=chosen,
                max_length=HEADING_MAX_LENGTH,
                multiline=False,
            )
        except ValidationError as error:
            errors.update(error.message_dict)
        cleaned["headings"][key] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- which wording a family's letter is drafted with ---------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The wording a letter is drafted with, and why (its history and its content keep this)."""

    family_language: Language | None
    translation: LetterTranslation | None = None
    reason: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def language(self) -> Language:
        return languages.BY_CODE[self.translation.language] if self.translation else languages.BY_CODE["en"]

    def summary(self) -> str:
        """ "in Urdu (the service's Urdu wording, checked by …)" or "in English: the service has no Urdu wording"."""
        if self.translation:
            checked = f"checked by {self.translation.checked_by} on {self.translation.checked_on:%-d %B %Y}"
            said = f"in {self.language.name} (the service's {self.language.name} wording, {checked})"
        else:
            said = "in English" + (f": {self.reason}" if self.reason else "")
        return "; ".join([said, *self.notes])

    def as_content(self) -> dict:
        return {
            "code": self.language.code,
            "name": self.language.name,
            "dir": self.language.direction,
            "family_language": self.family_language.code if self.family_language else "",
            "wording": "translation" if self.translation else "english",
            "translation": self.translation.pk if self.translation else None,
            "checked_by": self.translation.checked_by if self.translation else "",
            "reason": self.reason,
            "summary": self.summary(),
        }


def out_of_step(translation: LetterTranslation, english: dict[str, str]) -> str:
    """Why a saved translation no longer fits the service's English wording ("" if it does)."""
    for key in TEXT_FIELDS:
        mine = getattr(translation, key)
        if bool(english[key].strip()) != bool(mine.strip()) or placeholders(english[key]) != placeholders(mine):
            return f"its {key} no longer matches the English {key} (changed since); a service admin must update it"
    return ""


def choose(referral, kind: str) -> Choice:
    """Parent 1's language for letters → the service's wording in it, if in use and in step; else English, with
    the reason. Other parents who read another language are named, so staff can arrange what they need."""
    if kind not in TRANSLATABLE_KINDS:
        return Choice(family_language=None)
    parents = list(referral.parents.all())
    first = parents[0] if parents else None
    notes = tuple(
        f"parent {n}'s language for letters is {p.get_letter_language_display() or 'not recorded'}: this letter "
        "follows parent 1's"
        for n, p in enumerate(parents[1:], start=2)
        if first and p.letter_language != first.letter_language
    )
    family = languages.get(first.letter_language) if first else None
    if family is None:
        return Choice(family_language=None, reason="the family's language for letters is not recorded", notes=notes)
    if family.code == languages.ENGLISH:
        return Choice(family_language=family, notes=notes)
    found = LetterTranslation.objects.filter(service=referral.service, kind=kind, language=family.code).first()
    if found is None:
        reason = f"the family's language for letters is {family.name} and the service has no {family.name} wording"
    elif not found.in_use:
        reason = f"the service's {family.name} wording is out of use"
    else:
        step = out_of_step(found, english_wording(referral.service, kind))
        reason = f"the service's {family.name} wording is out of step: {step}" if step else ""
    if reason:
        return Choice(family_language=family, reason=reason, notes=notes)
    return Choice(family_language=family, translation=found, notes=notes)


def apply(content: dict, choice: Choice) -> dict:
    """The drafted content with the chosen wording: the translated opening, closing and headings, and the choice."""
    if choice.family_language is None and not choice.reason:
        return content  # a letter to a professional: English, nothing to say
    content = {**content, "language": choice.as_content()}
    if choice.translation:
        sections = {**content.get("sections", {})}
        sections["opening"], sections["closing"] = choice.translation.opening, choice.translation.closing
        content["sections"] = sections
        content["labels"] = dict(choice.translation.headings)
    return content


def language_changed(letter) -> str:
    """A family letter drafted for one language while parent 1's language for letters is now another: what to tell
    the person about to approve or send it ("" when nothing changed, or for a professional's letter)."""
    used = letter.content.get("language") or {}
    if letter.kind not in TRANSLATABLE_KINDS or not used or not letter.is_current:
        return ""
    first = letter.referral.parents.order_by("order", "pk").first()
    now = languages.get(first.letter_language) if first else None
    if now is None or now.code == used.get("family_language"):
        return ""
    return (
        f"The family's language for letters is now {now.name}, but this letter was drafted in {used.get('name')}. "
        "Check it before it is approved or sent: change the wording, or arrange an interpreter."
    )


def drafted_in(content: dict) -> str:
    """The end of the history's summary line: " in Urdu", " in English", or "" for a professional's letter."""
    used = content.get("language") or {}
    return f" in {used['name']}" if used.get("name") else ""


def history_changes(content: dict) -> dict:
    """The family's history keeps which wording was used and why: {"language": [None, "in Urdu (…)"]}."""
    said = (content.get("language") or {}).get("summary", "")
    return {"language": [None, said]} if said else {}


# --- each block's direction in the PDF ----------------------------------------------------------------------------


def direction(text: str) -> str:
    """ "rtl" or "ltr" from the first letter with a strong direction (as dir="auto" does), "" if there is none."""
    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return ""


def block(key: str, label: str, text: str, content: dict) -> dict:
    """One section of the letter as the PDF template shows it: its heading (translated where the letter's wording
    is) and text, each with the `dir` and `lang` a reader and WeasyPrint need."""
    used = content.get("language") or {}
    translated = used.get("wording") == "translation"
    heading = (content.get("labels") or {}).get(key) if translated else ""
    lang = used.get("code", "") if translated else ""
    return {
        "key": key,
        "label": heading or label,
        "label_dir": direction(heading) if heading else "",
        "label_lang": lang if heading else "",
        "text": text,
        "dir": direction(text) if translated or direction(text) == "rtl" else "",
        "lang": lang if key in TEXT_FIELDS else "",
    }
