"""Serializer fields shared by the apps' ``api.py`` (imports only DRF/spectacular)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


class LabeledChoiceField(serializers.ChoiceField):
    """A choice as ``{"value": "licensing", "label": "行政许可"}``.

    Clients filter and compare on the stable ``value`` and show the Chinese ``label``
    without keeping their own copy of every code table.
    """

    def __init__(self, choices, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(choices=choices, **kwargs)

    def to_representation(self, value):
        if value is None:
            return None
        return {"value": value, "label": str(self.choices.get(value, value))}


class LabeledChoiceFieldExtension(OpenApiSerializerFieldExtension):
    """Documents :class:`LabeledChoiceField` with the enum of its values."""

    target_class = LabeledChoiceField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = {
            "type": "object",
            "properties": {
                "value": {"type": "string", "enum": [str(v) for v in field.choices]},
                "label": {"type": "string", "description": "中文名称"},
            },
            "required": ["value", "label"],
        }
        if field.allow_null:
            schema["nullable"] = True
        return schema


# --------------------------------------------------------------------------- bounds
#
# Every value the API writes must fit its column: PostgreSQL with server-side binding
# silently wraps an integer that overflows a smallint (65541 → 5), and refuses a NUL
# character or a string longer than ``max_length`` with a database error (500). The
# request fields below take their bounds from the model field they are written to,
# so the check and the column cannot drift apart. The ranges are PostgreSQL's (the
# strictest database we run on; SQLite would store anything), read from Django's own
# table ``BaseDatabaseOperations.integer_field_ranges``.


def column_range(model, field_name: str) -> tuple[int, int]:
    """(min, max) an integer column of ``model`` holds; a foreign key is its target's
    primary key (BigAutoField: 1 … 2⁶³−1)."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    field = model._meta.get_field(field_name)
    if field.is_relation:
        field = field.target_field
    internal = field.get_internal_type()
    low, high = BaseDatabaseOperations.integer_field_ranges[internal]
    if internal.endswith("AutoField"):
        low = 1
    return low, high


def model_integer(model, field_name: str, *, min_value=None, max_value=None, **kwargs):
    """An ``IntegerField`` bounded by the column ``model.field_name`` (tighter bounds
    may be given, never wider ones)."""
    low, high = column_range(model, field_name)
    low = low if min_value is None else max(low, min_value)
    high = high if max_value is None else min(high, max_value)
    return serializers.IntegerField(min_value=low, max_value=high, **kwargs)


def model_char(model, field_name: str, *, max_length=None, **kwargs):
    """A ``CharField`` no longer than the column ``model.field_name`` (DRF's
    ``CharField`` already refuses NUL characters, which PostgreSQL cannot store)."""
    column = model._meta.get_field(field_name).max_length
    if column is not None:
        max_length = column if max_length is None else min(max_length, column)
    return serializers.CharField(max_length=max_length, **kwargs)
