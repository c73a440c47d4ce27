"""Model instances into their table by PostgreSQL's COPY, for the scale seeder's casework (`tooling.scale_work`).

`bulk_create` turns every value into a query parameter through the field (`get_db_prep_save`) and builds an INSERT
of thousands of placeholders: at a million families, that compiling was a third of the seeder's time. Here each
column gets one converter chosen by its field's type, the rows go out as CSV and PostgreSQL parses them itself.
The instances are the same ones `bulk_create` would have taken (ids already given by `scale_work.Ids`); fields
that Django fills on save (`auto_now`) are filled the same way. Anything else (SQLite) uses `bulk_create`.
`tests/tooling/test_scale_matches_actions.py` compares the rows written with those the actions write.
"""

import csv
import io
import json
from datetime import date, datetime

from django.db import connection
from django.db.models import BooleanField, FileField, JSONField

NULL = r"\N"  # COPY's NULL marker here: an empty field stays an empty string


def _text(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _bool(value) -> str:
    return NULL if value is None else ("t" if value else "f")


def _file(value) -> str:
    if isinstance(value, str):
        return value
    return getattr(value, "name", None) or ""


def _converter(field):
    """How one field's Python value becomes COPY text."""
    if isinstance(field, BooleanField):
        return _bool
    if isinstance(field, JSONField):
        encoder = field.encoder
        return lambda value: NULL if value is None else json.dumps(value, cls=encoder)
    if isinstance(field, FileField):
        return _file
    return _text


def copy_instances(model, rows: list) -> None:
    """Insert `rows` (instances of `model`) with COPY on PostgreSQL, `bulk_create` elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=2000)
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and rows[0].pk is None)]
    filled = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for row in rows:
        for field in filled:
            field.pre_save(row, add=True)
    columns = [(f.attname, _converter(f)) for f in fields]
    buffer = io.StringIO()
    write = csv.writer(buffer, lineterminator="\n").writerow
    for row in rows:
        values = row.__dict__
        write([convert(values[name]) for name, convert in columns])
    buffer.seek(0)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')", buffer)
