"""The family's outcomes page, completing a measure with the parent, one measure, and correcting it."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction
from accounts.permissions import Perm
from notices.models import Notice, NoticeKind
from notices.reads import distinct_actions
from notices.rules import is_recipient
from outcomes.reads import family_outcomes
from outcomes.rules import may_record_outcome
from referrals.loading import referral_for_page
from referrals.models import Referral
from referrals.reads.entered_in_error import entered_in_error_of
from web.pages import form_action_page, load_visible

from .. import actions
from ..charts import line_chart
from ..forms import MeasureForm
from ..models import Measure, MeasureConfig, RiskResponse
from ..wording import wording_for

load_referral = referral_for_page


def load_measure(request: HttpRequest, pk: int, perm: Perm) -> Measure:
    return load_visible(Measure.objects.visible_to(request.user).with_details(), request, pk, perm)


def family(request: HttpRequest, pk: int) -> HttpResponse:
    """Each measure's scores by time point with bands, change from baseline and reliable change; the helping
    questions' ratings start → end; a chart beside each table."""
    referral = load_referral(request, pk, Perm.REFERRAL_VIEW)
    data = family_outcomes(referral)
    for section in data["sections"]:
        for scale in section["scales"]:
            scale.chart = line_chart([(p["label"], p["value"]) for p in scale.points], scale.low, scale.high)
    goal_chart_points = []
    for goal in data["goals"]:
        goal["chart"] = line_chart([("Start", goal["start"]), ("End", goal["end"])], 0, 10)
        goal_chart_points.append(goal)
    log_access(action=AccessAction.VIEW, request=request, obj=referral, detail={"page": "outcomes"})
    can_record = may_record_outcome(request.user, referral)
    context = {**data, "entered_in_error": entered_in_error_of(referral, Measure), "can_record": can_record}
    return render(request, "outcomes/family.html", {"referral": referral, **context})


def _instrument_config(referral: Referral, code: str) -> MeasureConfig:
    config = MeasureConfig.objects.filter(service_id=referral.service_id, instrument=code).first()
    if config is None or not config.definition.recorded_here:
        raise Http404
    return config


def _save_page(request, *, referral, form, template, context, perform) -> HttpResponse:
    """Validate, call one action once, go to the saved measure (where a risk warning shows); refusals by the form."""
    return form_action_page(
        request,
        form=form,
        template=template,
        context={**context, "referral": referral},
        perform=perform,
        success_message=lambda measure: _saved_message(request, measure),
        success_url=lambda measure: reverse("outcomes:measure", kwargs={"pk": measure.pk}),
    )


def _saved_message(request, measure: Measure) -> str:
    """A risk answer is a warning to act now; anything else says what was saved."""
    if measure.risk_flagged:
        messages.warning(
            request,
            "Risk answer recorded: act on it now. Your notice stays open until you record the action taken.",
        )
        return ""
    if not measure.is_scored:
        return f"{measure.definition} kept as not scored. {measure.not_scored_text}."
    return f"{measure.definition} saved."


def record(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Complete a measure with the parent: one item per row, the date and the time point."""
    referral = load_referral(request, pk, Perm.OUTCOME_RECORD)
    config = _instrument_config(referral, code)
    instrument = config.definition
    wording = wording_for(instrument, referral.service_id)
    form = MeasureForm(
        request.POST or None,
        instrument=instrument,
        wording=wording,
        config=config,
        initial={"completed_on": timezone.localdate()},
    )
    return _save_page(
        request,
        referral=referral,
        form=form,
        template="outcomes/record.html",
        context={"instrument": instrument, "wording": wording, "config": config},
        perform=lambda data: actions.record_measure(
            referral=referral,
            instrument=code,
            time_point=data["time_point"],
            completed_on=data["completed_on"],
            backdated_reason=data.get("backdated_reason", ""),
            answers=form.answers(),
            by=request.user,
            request=request,
            **form.completion(),
        ),
    )


def risk_notices(measure_ids) -> list[Notice]:
    return list(
        Notice.objects.filter(
            kind=NoticeKind.RISK_ANSWER, object_type="outcomes.measure", object_id__in=[str(i) for i in measure_ids]
        )
        .select_related("recipient", "acknowledged_by")
        .order_by("created_at", "pk")
    )


def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One completed measure: answers, scores, any risk answer and what was done about it, and its corrections."""
    measure = load_measure(request, pk, Perm.REFERRAL_VIEW)
    instrument = measure.definition
    wording = wording_for(instrument, measure.referral.service_id)
    versions = list(
        Measure.objects.filter(referral_id=measure.referral_id, instrument=measure.instrument)
        .select_related("recorded_by")
        .order_by("recorded_at", "pk")
    )
    chain = _chain(measure, versions)
    notices = risk_notices([measure.pk])
    answers = []
    for item in instrument.items:
        value = measure.answers.get(item.key)
        if item.kind == "text":
            shown, item_score = value or "Not answered", None
        else:
            shown = wording.option_labels(item)[value] if value is not None else "Not answered"
            response = (measure.risk_responses or {}).get(item.key)
            if response:
                shown = f"{shown} ({RiskResponse(response).label[:1].lower()}{RiskResponse(response).label[1:]})"
            item_score = measure.result.get("item_scores", {}).get(item.key)
        answers.append({"item": item, "text": wording.item_text(item.number), "answer": shown, "score": item_score})
    log_access(action=AccessAction.VIEW, request=request, obj=measure)
    return render(
        request,
        "outcomes/measure.html",
        {
            "measure": measure,
            "referral": measure.referral,
            "instrument": instrument,
            "wording": wording,
            "answers": answers,
            "chain": chain,
            "notices": notices,
            "open_notices": [n for n in notices if n.is_open],
            "my_open_notice": next((n for n in notices if n.is_open and is_recipient(request.user, n)), None),
            "acted_on": distinct_actions(notices),
            "escalated_at": min((n.escalated_at for n in notices if n.escalated_at), default=None),
            "can_correct": measure.is_current and may_record_outcome(request.user, measure.referral),
        },
    )


def _chain(measure: Measure, versions: list[Measure]) -> list[Measure]:
    """Every version of this measure, first to last (original, then each correction)."""
    by_pk = {v.pk: v for v in versions}
    corrected_by = {v.corrects_id: v for v in versions if v.corrects_id}
    first = measure
    while first.corrects_id and first.corrects_id in by_pk:
        first = by_pk[first.corrects_id]
    chain = [by_pk.get(first.pk, first)]
    while chain[-1].pk in corrected_by:
        chain.append(corrected_by[chain[-1].pk])
    return chain


def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a completed measure with a reason; the original answers and score stay."""
    measure = load_measure(request, pk, Perm.OUTCOME_RECORD)
    referral = measure.referral
    config = _instrument_config(referral, measure.instrument)
    wording = wording_for(config.definition, referral.service_id)
    form = MeasureForm(
        request.POST or None,
        instrument=config.definition,
        wording=wording,
        config=config,
        correction=True,
        initial=MeasureForm.initial_from(measure),
    )
    return _save_page(
        request,
        referral=referral,
        form=form,
        template="outcomes/correct.html",
        context={"instrument": config.definition, "wording": wording, "measure": measure},
        perform=lambda data: actions.correct_measure(
            measure=measure,
            answers=form.answers(),
            completed_on=data["completed_on"],
            backdated_reason=data.get("backdated_reason", ""),
            time_point=data["time_point"],
            reason=data["reason"],
            by=request.user,
            request=request,
            **form.completion(),
        ),
    )


def outcomes_url(referral: Referral) -> str:
    return reverse("outcomes:family", kwargs={"pk": referral.pk})
