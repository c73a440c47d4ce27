"""What a family's record shows of its casework entered in error: every such record, struck through, with who,
when and why. One query says which kinds of record have any (usually none: the record page then makes no more),
then one query per kind that has."""

import functools

from django.db import connections
from django.db.models import IntegerField, Value

from core.entered_in_error import correctable_models

# Stands for the family's id while the probe's SQL is compiled; no referral has a negative id.
_FAMILY = -7_000_001


@functools.cache
def _probe_sql(models: tuple, alias: str) -> tuple[str, tuple]:
    """The probe's SQL for these kinds of record, compiled once per process: it is the same statement for every
    family but for the family's id, and compiling its dozen arms cost every record page over a millisecond."""
    probes = [
        model.objects.entered_in_error()
        .filter(**{f"{model.error_family_path}_id": _FAMILY})
        .order_by()
        .annotate(vig_kind=Value(index, output_field=IntegerField()))
        .values_list("vig_kind", flat=True)
        for index, model in enumerate(models)
    ]
    union = probes[0].union(*probes[1:]) if len(probes) > 1 else probes[0]
    sql, params = union.query.get_compiler(using=alias).as_sql()
    return sql, tuple(params)


def _kinds_with_any(referral, models: list) -> list:
    """The models among `models` with at least one record of this family entered in error, in one query."""
    if not models:
        return []
    alias = referral._state.db or "default"
    sql, params = _probe_sql(tuple(models), alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, [referral.pk if value == _FAMILY else value for value in params])
        found = {row[0] for row in cursor.fetchall()}
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
