"""API permissions. Row visibility is decided by `for_user`; these decide the verbs."""

from rest_framework import permissions

from .models import ApiToken


def token_is_read_only(request) -> bool:
    return isinstance(request.auth, ApiToken) and request.auth.read_only


class ReadWithinScopeWriteStaff(permissions.BasePermission):
    """Signed-in users read what `for_user` gives them; only staff write (reference data)."""

    message = "Only staff may change organisation records."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if token_is_read_only(request):
            self.message = "This API token is read-only."
            return False
        return bool(user.is_staff)
