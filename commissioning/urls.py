"""Root URLs. Each app's URLs are included by dotted string so lower apps import nothing above."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("commissioning.api_urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("commissioning.page_urls")),
    path("", include("plans.page_urls")),
    path("", include("priorities.page_urls")),
    path("", include("finance.page_urls")),
    path("", include("governance.page_urls")),
]

handler404 = "commissioning.error_views.page_not_found"
handler500 = "commissioning.error_views.server_error"
