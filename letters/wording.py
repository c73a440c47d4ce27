"""Each kind of letter's editable sections, the default wording, and the safe `{placeholder}` substitution.

A service's wording (LetterTemplate) is plain text with `{placeholders}` from PLACEHOLDERS, nothing else: no
template tags, no attribute access, no format specs, so a service admin's text can reach no data but the values
given here, and the result is escaped like any other text when it is put into the letter's HTML.
"""

import re

from django.core.exceptions import ValidationError

from .states import LetterKind

PLACEHOLDERS = {
    "child_name": "the child's name",
    "parent_names": "the parents' or carers' names",
    "referrer_name": "the referrer's name",
    "service_name": "the service's name",
    "author_name": "the name of the person writing the letter",
}
SAMPLE_VALUES = {
    "child_name": "Baby Example",
    "parent_names": "Jane Example",
    "referrer_name": "Helen Visitor",
    "service_name": "Example VIG service",
    "author_name": "Sam Practitioner",
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

# (key, label) of each kind's free-text sections, in the order the edit page shows them. The printed order, with
# the tables between them, is `BODY` (PRSB headings for the professionals' letters).
SECTIONS: dict[str, list[tuple[str, str]]] = {
    LetterKind.DECLINE: [
        ("opening", "Opening"),
        ("reason", "Why we cannot offer VIG"),
        ("signposting", "Other support that may help"),
        ("closing", "Closing"),
    ],
    LetterKind.FAMILY: [
        ("opening", "Opening"),
        ("helping_questions", "Your helping questions"),
        ("did_well", "What you did well"),
        ("ideas", "Ideas for the future"),
        ("closing", "Closing"),
    ],
    LetterKind.REFERRER: [
        ("opening", "Opening"),
        ("reason", "Reason for referral"),
        ("summary", "What we did"),
        ("plan", "Plan"),
        ("information_given", "Information and advice given"),
        ("closing", "Closing"),
    ],
    LetterKind.HANDOVER: [
        ("opening", "Opening"),
        ("reason", "Reason for referral"),
        ("summary", "What was done"),
        ("risks", "Risks and safeguarding"),
        ("plan", "Plan"),
        ("information_given", "Information and advice given"),
        ("closing", "Closing"),
    ],
}

# The printed letter's body, in order: section keys, and "actions" / "outcomes" for the tables. The handover puts
# the actions first, so a health visitor finds on the first page what to do and by when.
BODY: dict[str, list[str]] = {
    LetterKind.DECLINE: ["reason", "signposting"],
    LetterKind.FAMILY: ["helping_questions", "did_well", "ideas"],
    LetterKind.REFERRER: ["reason", "summary", "outcomes", "plan", "actions", "information_given"],
    LetterKind.HANDOVER: ["actions", "reason", "summary", "outcomes", "risks", "plan", "information_given"],
}
TABLE_HEADINGS = {
    (LetterKind.HANDOVER, "actions"): "What we ask you to do",
    (LetterKind.REFERRER, "actions"): "Actions agreed",
    (LetterKind.HANDOVER, "outcomes"): "Outcomes",
    (LetterKind.REFERRER, "outcomes"): "Outcomes",
}

# Plain English for the family (short sentences, "you", no jargon, warm, readable aloud); a professional register
# for the others. The letter adds "Dear …" and "Yours sincerely" itself.
DEFAULT_WORDING: dict[str, dict[str, str]] = {
    LetterKind.DECLINE: {
        "opening": (
            "Thank you for referring {parent_names} and {child_name} to {service_name}. We have looked carefully "
            "at the referral. We are not able to offer Video Interaction Guidance at this time."
        ),
        "signposting": (
            "Your local health visiting team, the family's GP and the local Family Hub can suggest other support."
        ),
        "closing": "Please contact us if anything changes, or if you would like to talk about this decision.",
    },
    LetterKind.FAMILY: {
        # The English the shipped Urdu example was translated from (tooling/letter_translations.py): change both.
        "opening": "Dear {parent_names}, thank you for working with us on Video Interaction Guidance "
        "with {child_name}.",
        "closing": (
            "It has been a pleasure to work with you. We wish you and {child_name} all the best. If you have any "
            "questions, please contact us: our address and phone number are at the top of this letter."
        ),
    },
    LetterKind.REFERRER: {
        "opening": (
            "Thank you for referring {parent_names} and {child_name} to {service_name}. This letter tells you how "
            "the work went and what happens next."
        ),
        "closing": "Please contact us if you have any questions.",
    },
    LetterKind.HANDOVER: {
        "opening": (
            "{parent_names} and {child_name} have finished Video Interaction Guidance with {service_name}. This "
            "letter hands their care back to you. The actions we ask of you come first."
        ),
        "closing": "Please contact us if you have any questions.",
    },
}


def unknown_placeholders(text: str) -> list[str]:
    return [name for name in _PLACEHOLDER.findall(text or "") if name not in PLACEHOLDERS]


def check_wording(text: str, *, field: str) -> None:
    """Refuse wording with a placeholder we do not fill (a typo would print braces in a letter)."""
    unknown = unknown_placeholders(text)
    if unknown:
        names = ", ".join("{" + name + "}" for name in unknown)
        known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        raise ValidationError({field: f"Unknown placeholder {names}. You can use {known}."})


def fill(text: str, values: dict[str, str]) -> str:
    """Replace each known {placeholder} with its value; nothing else in the text is interpreted."""
    return _PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), text or "")
