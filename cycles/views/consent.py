"""Consent pages: the family's consents, recording one, one consent in full, withdrawing, and the signed form.

Each loads the family (or consent) from what the user may see (a logged 404 otherwise), checks the permission on
the family (a logged 403), and calls one action. The signed form leaves only through `signed_form`, which checks
access, writes the download to the access log and sends the file as an attachment that browsers may not sniff.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import Perm, check_permission, has_permission
from cycles.reads.consents import (
    consents_visible_to,
    consents_with_decisions,
    decisions_for,
    missing_filming_consent,
    summarise,
)
from cycles.rules import may_record_casework
from referrals.loading import referral_for_page
from referrals.models import Referral
from web.pages import form_action_page, load_visible

from .. import actions
from ..forms.consent import ConsentForm, WithdrawConsentForm
from ..models import ConsentItem
from ..uploads import download_signed_form


def load_family(request: HttpRequest, pk: int, perm: Perm = Perm.REFERRAL_VIEW) -> Referral:
    return referral_for_page(request, pk, perm)


def load_consent(request: HttpRequest, consent_id: int, perm: Perm = Perm.REFERRAL_VIEW):
    """The consent if its family is one the user may see (a logged 404 otherwise), then `perm` on the family."""
    consent = load_visible(consents_visible_to(request.user), request, consent_id)
    consent.referral = Referral.objects.with_record_details().get(pk=consent.referral_id)
    check_permission(request.user, perm, obj=consent.referral)
    return consent


def consent_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Every consent of the family, newest first, with who currently agrees to each item."""
    referral = load_family(request, pk)
    consents = list(consents_with_decisions(referral))
    decisions = list(decisions_for(referral))
    today = timezone.localdate()
    summary = summarise(decisions, today)
    log_list(request=request, object_type="cycles.consent", ids=[c.pk for c in consents], detail={"referral": pk})
    context = {
        "referral": referral,
        "consents": consents,
        "summary": [(ConsentItem(item).label, names) for item, names in summary.items()],
        "missing": missing_filming_consent(referral, decisions, today),
        "can_record": may_record_casework(request.user, referral),
    }
    return render(request, "cycles/consent_list.html", context)


def record_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a written consent: who, when, each item per person, the written agreement and the signed form."""
    referral = load_family(request, pk, Perm.CASEWORK_RECORD)
    form = ConsentForm(request.POST or None, request.FILES or None, referral=referral, today=timezone.localdate())
    return form_action_page(
        request,
        form=form,
        template="cycles/consent_form.html",
        context={"referral": referral},
        perform=lambda data: actions.record_consent(
            referral=referral, by=request.user, request=request, **form.action_data()
        ),
        success_message="Consent recorded.",
        success_url=reverse("cycles:consents", kwargs={"pk": referral.pk}),
    )


def consent_detail(request: HttpRequest, consent_id: int) -> HttpResponse:
    """One consent: who agreed to what, what was withdrawn (when, by whom, why), and the signed form."""
    referral = load_consent(request, consent_id).referral
    consent = consents_with_decisions(referral).get(pk=consent_id)
    log_access(action=AccessAction.VIEW, request=request, obj=consent)
    givers = [
        {"giver": giver, "decisions": {d.item: d for d in giver.decisions.all()}} for giver in consent.givers.all()
    ]
    rows = [{"label": item.label, "answers": [g["decisions"].get(item.value) for g in givers]} for item in ConsentItem]
    context = {
        "referral": referral,
        "consent": consent,
        "givers": givers,
        "rows": rows,
        "can_withdraw": may_record_casework(request.user, referral),
        "can_download": bool(consent.signed_form) and has_permission(request.user, Perm.REFERRAL_VIEW, obj=referral),
    }
    return render(request, "cycles/consent_detail.html", context)


def withdraw_consent(request: HttpRequest, consent_id: int) -> HttpResponse:
    """Withdraw consent wholly or for some items, for everyone or some people, from a date."""
    consent = load_consent(request, consent_id, Perm.CASEWORK_RECORD)
    form = WithdrawConsentForm(request.POST or None, consent=consent)
    return form_action_page(
        request,
        form=form,
        template="cycles/consent_withdraw.html",
        context={"referral": consent.referral, "consent": consent},
        perform=lambda data: actions.withdraw_consent(
            consent=consent, by=request.user, request=request, **form.action_data()
        ),
        success_message="Withdrawal of consent recorded.",
        success_url=reverse("cycles:consent_detail", kwargs={"consent_id": consent.pk}),
    )


def signed_form(request: HttpRequest, consent_id: int) -> HttpResponse:
    """The signed form as a download, to those who may see the family; each download is logged."""
    return download_signed_form(load_consent(request, consent_id), request=request)
