"""A service admin sets the service's letterhead, return address, sign-off and each kind's wording, with a preview
of the wording filled with sample values (only {placeholders}; nothing in it is run)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from accounts.models import Service
from accounts.permissions import Perm, check_permission, shares_a_service
from web.pages import form_action_page

from .. import actions, wording
from ..forms import LetterSettingsForm, LetterTemplateForm
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
        context={"service": service, "kinds": LetterKind.choices},
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
