"""Query filters the API's FilterSets share.

`IdFilter` is a record's integer id (`?plan=3`). django-filter's NumberFilter reads any
decimal, and a lookup on a foreign key column with a value beyond 64 bits overflows SQLite
(a 500); an id outside the range a row can have is refused as invalid input (400) instead,
and the schema says `integer` with its bounds.
"""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

ID_MIN, ID_MAX = 0, 2**63 - 1  # a BigAutoField's ids (0 matches nothing)


@extend_schema_field({"type": "integer", "minimum": ID_MIN, "maximum": ID_MAX})
class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)
