"""Root URLs. Each app's URLs are included by dotted string so lower apps import nothing above."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path(settings.ADMIN_URL, admin.site.urls),  # ADMIN_URL, default "admin/"
    path("api/v1/", include(("commissioning.api_urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI under the site's CSP: its script and styles are files (docs/adr/0013).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="commissioning/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("", include("commissioning.page_urls")),
    path("", include("plans.page_urls")),
    path("", include("priorities.page_urls")),
    path("", include("finance.page_urls")),
    path("", include("governance.page_urls")),
]

if settings.BENCH_FLOOR_VIEW:  # bench/http_load.py's framework floor; off by default
    from . import views

    urlpatterns.append(path("bench/floor/", views.bench_floor, name="bench-floor"))

handler404 = "commissioning.error_views.page_not_found"
handler500 = "commissioning.error_views.server_error"
