"""Plan pages: a CCG's plans, each plan's tabs (overview, sections, versions, history), the
forms that change it, lifecycle moves, the annual refresh, versions and the diff."""

from django.urls import path

from . import views, views_content, views_history, views_versions

urlpatterns = [
    path("ccgs/<str:ods>/plans/", views.ccg_plans, name="ccg-plans"),
    path("ccgs/<str:ods>/plans/new/", views.plan_create, name="plan-create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/move/<str:to>/", views.plan_move, name="plan-move"),
    path("plans/<int:pk>/refresh/", views.plan_refresh, name="plan-refresh"),
    # Sections and statements
    path("plans/<int:pk>/sections/", views_content.plan_sections, name="plan-sections"),
    path("plans/<int:pk>/sections/new/", views_content.section_new, name="plan-section-new"),
    path(
        "plans/<int:pk>/sections/<int:section_id>/edit/",
        views_content.section_edit,
        name="plan-section-edit",
    ),
    path(
        "plans/<int:pk>/sections/<int:section_id>/delete/",
        views_content.section_delete,
        name="plan-section-delete",
    ),
    path(
        "plans/<int:pk>/sections/<int:section_id>/move/",
        views_content.section_move,
        name="plan-section-move",
    ),
    path("plans/<int:pk>/statements/new/", views_content.statement_new, name="plan-statement-new"),
    path(
        "plans/<int:pk>/statements/<int:statement_id>/edit/",
        views_content.statement_edit,
        name="plan-statement-edit",
    ),
    path(
        "plans/<int:pk>/statements/<int:statement_id>/delete/",
        views_content.statement_delete,
        name="plan-statement-delete",
    ),
    # Versions, the diff and the history
    path("plans/<int:pk>/versions/", views_versions.plan_versions, name="plan-versions"),
    path("plans/<int:pk>/versions/<int:number>/", views_versions.plan_version, name="plan-version"),
    path("plans/<int:pk>/diff/", views_versions.plan_diff, name="plan-diff"),
    path("plans/<int:pk>/history/", views_history.plan_history, name="plan-history"),
]
