"""A service admin sets the service's letterhead, return address, sign-off and each kind's wording, with a preview
of the wording filled with sample values (only {placeholders}; nothing in it is run)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from accounts.models import Service
from accounts.permissions import Perm, check_permission, shares_a_service
from core import languages as language_list
from web.pages import form_action_page

from .. import actions, languages, wording
from ..forms import LetterSettingsForm, LetterTemplateForm, LetterTranslationForm, TranslationLanguageForm
from ..models import LetterTranslation
from ..states import LetterKind


def load_service(request: HttpRequest, slug: str) -> Service:
    service = get_object_or_404(Service, slug=slug)
    if not shares_a_service(request.user, service.pk):
        raise Http404
    check_permission(request.user, Perm.LETTER_TEMPLATE_MANAGE, obj=actions.settings_for(service))
    return service


def letter_settings(request: HttpRequest, service: str) -> HttpResponse:
    service = load_service(request, service)
    current = actions.settings_for(service)
    names = ("letterhead", "phone", "email", "address_block", "sign_off", "confidential_marking")
    initial = {f: getattr(current, f) for f in names}
    return form_action_page(
        request,
        form=LetterSettingsForm(request.POST or None, initial=initial),
        template="letters/settings.html",
        context={"service": service, "kinds": LetterKind.choices, **translations_context(service)},
        perform=lambda data: actions.save_letter_settings(service=service, by=request.user, request=request, **data),
        success_message="Letter settings saved.",
        success_url=reverse("letters:settings", kwargs={"service": service.slug}),
    )


def letter_template(request: HttpRequest, service: str, kind: str) -> HttpResponse:
    service = load_service(request, service)
    if kind not in LetterKind.values:
        raise Http404
    current = actions.template_for(service, kind)
    initial = {"opening": current.opening, "closing": current.closing, "signposting": current.signposting}
    form = LetterTemplateForm(request.POST or None, initial=initial, kind=kind)
    source = form.data if form.is_bound else initial
    preview = [(label, wording.fill(source.get(key, ""), wording.SAMPLE_VALUES)) for key, label in form_fields(form)]
    return form_action_page(
        request,
        form=form,
        template="letters/template_edit.html",
        context={"service": service, "kind": LetterKind(kind), "preview": preview},
        perform=lambda data: actions.save_letter_template(
            service=service, kind=kind, by=request.user, request=request, **data
        ),
        success_message="Wording saved.",
        success_url=reverse("letters:template", kwargs={"service": service.slug, "kind": kind}),
    )


def form_fields(form) -> list[tuple[str, str]]:
    return [(name, field.label) for name, field in form.fields.items()]


def translations_context(service) -> dict:
    """The family letter's wording in other languages, for the settings page: what there is, and what to add."""
    found = LetterTranslation.objects.filter(service=service, kind=LetterKind.FAMILY)
    named = [(t, getattr(language_list.get(t.language), "label", t.language)) for t in found]
    return {"translations": named, "language_form": TranslationLanguageForm(choices=_translatable_choices())}


def _translatable_choices() -> list[tuple[str, str]]:
    return [(language.code, language.label) for language in languages.translatable_languages()]


def translation_start(request: HttpRequest, service: str) -> HttpResponse:
    """The settings page's "Add a language" form (GET): on to that language's wording page."""
    service = load_service(request, service)
    form = TranslationLanguageForm(request.GET, choices=_translatable_choices())
    if not form.is_valid():
        raise Http404
    return redirect("letters:translation", service=service.slug, language=form.cleaned_data["language"])


def letter_translation(request: HttpRequest, service: str, language: str) -> HttpResponse:
    """The family's letter in one language: each English paragraph and heading beside its translation, a preview
    with sample details in the text's own direction, and who checked it."""
    service = load_service(request, service)
    chosen = language_list.get(language)
    if chosen is None or chosen not in languages.translatable_languages():
        raise Http404
    current = actions.translation_for(service, chosen.code)
    initial = {"opening": current.opening, "closing": current.closing, "checked_by": current.checked_by}
    initial |= {"checked_on": current.checked_on, "in_use": current.in_use if current.pk else True}
    initial |= {f"heading_{key}": text for key, text in (current.headings or {}).items()}
    sections = languages.headed_sections(LetterKind.FAMILY)
    english = languages.english_wording(service, LetterKind.FAMILY)
    form = LetterTranslationForm(
        request.POST or None, initial=initial, language=chosen, english=english, headed_sections=sections
    )
    source = form.data if form.is_bound else initial
    parts = [("opening", "Opening"), *((f"heading_{key}", label) for key, label in sections), ("closing", "Closing")]
    preview = [(label, wording.fill(str(source.get(name) or ""), wording.SAMPLE_VALUES)) for name, label in parts]
    return form_action_page(
        request,
        form=form,
        template="letters/translation_edit.html",
        context={"service": service, "language": chosen, "preview": preview, "saved": current.pk is not None},
        perform=lambda _: actions.save_letter_translation(
            service=service, language=chosen.code, by=request.user, request=request, **form.action_data()
        ),
        success_message=f"The family's letter in {chosen.name} saved.",
        success_url=reverse("letters:settings", kwargs={"service": service.slug}),
    )
