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
