"""What a family's record shows of its casework entered in error: every such record, struck through, with who,
when and why. One query says which kinds of record have any (usually none: the record page then makes no more),
then one query per kind that has."""

from django.db.models import IntegerField, Value

from core.entered_in_error import correctable_models


def _kinds_with_any(referral, models: list) -> list:
    """The models among `models` with at least one record of this family entered in error, in one query."""
    probes = [
        model.objects.entered_in_error()
        .filter(**{model.error_family_path: referral})
        .order_by()
        .annotate(vig_kind=Value(index, output_field=IntegerField()))
        .values_list("vig_kind", flat=True)
        for index, model in enumerate(models)
    ]
    if not probes:
        return []
    found = set(probes[0].union(*probes[1:])) if len(probes) > 1 else set(probes[0])
    return [model for index, model in enumerate(models) if index in found]


def entered_in_error_of(referral, *models) -> list:
    """The family's records entered in error (of `models`, or of every kind that belongs to one family), oldest
    marking first."""
    chosen = list(models) or [m for m in correctable_models().values() if m.error_family_path]
    records = []
    for model in _kinds_with_any(referral, chosen):
        records.extend(
            model.objects.entered_in_error()
            .filter(**{model.error_family_path: referral})
            .select_related("entered_in_error_by")
        )
    return sorted(records, key=lambda r: r.entered_in_error_at)
