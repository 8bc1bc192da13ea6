"""/api/v1/: the router every app registered into, plus the token endpoint."""

from django.urls import path

from .api_registry import extra_urls, router
from .api_tokens import ObtainTokenView

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    *extra_urls(),
    *router.urls,
]
