"""What a family's record shows of its casework entered in error: every such record, struck through, with who,
when and why. One query per kind of record, whatever the family's history."""

from core.entered_in_error import correctable_models


def entered_in_error_of(referral, *models) -> list:
    """The family's records entered in error (of `models`, or of every kind that belongs to one family), oldest
    marking first."""
    chosen = models or [m for m in correctable_models().values() if m.error_family_path]
    records = []
    for model in chosen:
        records.extend(
            model.objects.entered_in_error()
            .filter(**{model.error_family_path: referral})
            .select_related("entered_in_error_by")
        )
    return sorted(records, key=lambda r: r.entered_in_error_at)
