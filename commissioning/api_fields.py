"""Related fields whose choices are the records the requesting user may see.

Writing a reference to another CCG's record is refused as "does not exist", exactly as
reading it is: the choices come from `for_user(request.user)`, never from all rows.
"""

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
