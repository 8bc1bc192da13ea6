"""`POST /api/v1/auth/token/ {username, password}` -> `{"token": ...}` for scripts."""

from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .api_errors import error_body
from .models import ApiToken
from .security import LOCKOUT_CODE, lockout_message, retry_after_seconds
from .throttling import AnonymousRateThrottle


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        required=False, max_length=100, help_text="A name to recognise the token by."
    )
    read_only = serializers.BooleanField(required=False, default=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    name = serializers.CharField()
    read_only = serializers.BooleanField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class TokenThrottle(AnonymousRateThrottle):
    """Password guessing through the token endpoint, per address (setting API_RATE_AUTH)."""

    scope = "auth"


class ObtainTokenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            201: TokenResponseSerializer,
            401: ErrorSerializer,
        },
        summary="Create an API token with a username and password",
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # The request goes to authenticate(): django-axes counts failures per username and
        # address, and refuses a locked-out pair even with the right password.
        user = authenticate(request, username=data["username"], password=data["password"])
        if getattr(request, "axes_locked_out", False):
            response = Response(
                error_body(lockout_message(), LOCKOUT_CODE),
                status=settings.AXES_HTTP_RESPONSE_CODE,
            )
            response["Retry-After"] = str(retry_after_seconds())
            return response
        if user is None or not user.is_active:
            return Response(
                error_body("Unable to sign in with those credentials.", "not-authenticated"),
                status=status.HTTP_401_UNAUTHORIZED,
            )
        name = data.get("name") or "Created with POST /api/v1/auth/token/"
        token, key = ApiToken.issue(user, name=name, read_only=data["read_only"])
        return Response(
            {"token": key, "name": token.name, "read_only": token.read_only},
            status=status.HTTP_201_CREATED,
        )
