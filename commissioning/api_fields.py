"""Related fields whose choices are the records the requesting user may see.

Writing a reference to another CCG's record is refused as "does not exist", exactly as
reading it is: the choices come from `for_user(request.user)`, never from all rows.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class ScopedRelatedMixin:
    def __init__(self, model=None, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.model.objects.for_user(getattr(request, "user", None))


class ScopedSlugRelatedField(ScopedRelatedMixin, serializers.SlugRelatedField):
    pass


class ScopedPrimaryKeyRelatedField(ScopedRelatedMixin, serializers.PrimaryKeyRelatedField):
    pass


@extend_schema_field(
    {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "example": "14:00"}
)
class LocalTimeField(serializers.TimeField):
    """A clock time of day in UK local time, `14:00` or `14:00:00`, with no offset.

    OpenAPI's `format: time` is RFC 3339's full-time, which requires an offset; meetings are
    held at local times, so the schema says what the API reads and writes instead."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%H:%M", "%H:%M:%S"])
        kwargs.setdefault("format", "%H:%M:%S")
        super().__init__(**kwargs)
