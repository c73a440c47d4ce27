"""Example wording of the family's letter in other languages, for the demo and the tests.

A real service must have its own wording checked by a qualified translator before it is used (the action asks who
checked it). This Urdu wording follows the English default's paragraphs, with the same placeholders.
"""

from letters.states import LetterKind

# The English wording the example was translated from (a service's own English wording may differ: then the
# translation must be redone, and `letters.languages` keeps letters in English until it is).
ENGLISH_FAMILY_WORDING = {
    "opening": "Dear {parent_names}, thank you for working with us on Video Interaction Guidance with {child_name}.",
    "closing": (
        "It has been a pleasure to work with you. We wish you and {child_name} all the best. If you have any "
        "questions, please contact us: our address and phone number are at the top of this letter."
    ),
}

URDU_FAMILY_WORDING = {
    "kind": LetterKind.FAMILY,
    "language": "ur",
    "opening": (
        "محترم {parent_names}، {child_name} کے ساتھ ویڈیو انٹرایکشن گائیڈنس پر ہمارے ساتھ کام کرنے کا بہت شکریہ۔"
    ),
    "closing": (
        "آپ کے ساتھ کام کرنا ہمارے لیے خوشی کی بات تھی۔ ہم آپ کے اور {child_name} کے لیے نیک خواہشات رکھتے ہیں۔ "
        "اگر آپ کا کوئی سوال ہو تو براہِ کرم ہم سے رابطہ کریں: ہمارا پتہ اور فون نمبر اس خط کے اوپر درج ہیں۔"
    ),
    "headings": {
        "helping_questions": "آپ کے مددگار سوالات",
        "did_well": "آپ نے کیا اچھا کیا",
        "ideas": "آئندہ کے لیے خیالات",
    },
}
# Headings of sections added to the family's letter after this example was written ("more information").
URDU_OTHER_HEADING = "مزید معلومات"


def urdu_family_wording(section_keys) -> dict:
    """The Urdu example with a heading for each of these sections."""
    headings = URDU_FAMILY_WORDING["headings"]
    return {**URDU_FAMILY_WORDING, "headings": {key: headings.get(key, URDU_OTHER_HEADING) for key in section_keys}}


def load_demo_letter_translations() -> int:
    """Give every seed service the example Urdu wording of the family's letter (demo only, marked as unchecked), so
    a service lead can see an Urdu letter: set a parent's language for letters to Urdu and draft their letter.
    Loading again changes nothing (no history, no access-log rows). Returns how many services have it."""
    from django.utils import timezone

    from accounts.models import Role, Service
    from letters import actions, languages
    from letters.models import LetterTranslation

    keys = [key for key, _ in languages.headed_sections(LetterKind.FAMILY)]
    wording = {k: v for k, v in urdu_family_wording(keys).items() if k not in ("kind", "language")}
    loaded = 0
    for service in Service.objects.filter(memberships__role=Role.SERVICE_ADMIN).distinct():
        loaded += 1
        if LetterTranslation.objects.filter(service=service, kind=LetterKind.FAMILY, language="ur").exists():
            continue
        admin = service.memberships.filter(role=Role.SERVICE_ADMIN).order_by("pk").first().user
        actions.save_letter_translation(
            service=service,
            language="ur",
            checked_by="Demo only: not checked by a qualified translator",
            checked_on=timezone.localdate(),
            by=admin,
            **wording,
        )
    return loaded
