"""Governance pages: the governing body dashboard and its drill-down to each standard."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("ccgs/<str:ods>/dashboard/", views.ccg_dashboard, name="ccg-dashboard"),
    path(
        "ccgs/<str:ods>/dashboard/standards/<slug:code>/",
        views.ccg_standard,
        name="ccg-standard",
    ),
    path("", include("governance.page_urls_meetings")),
    path("", include("governance.page_urls_risks")),
    path("", include("governance.page_urls_assurance")),
    path("", include("governance.page_urls_audit")),
]
