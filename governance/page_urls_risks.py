"""Risk register and assurance framework pages, under the CCG they belong to."""

from django.urls import path

from . import views_risks as views
from . import views_risks_forms as forms

RISK = "ccgs/<str:ods>/risks/<int:pk>"

urlpatterns = [
    path("ccgs/<str:ods>/risks/", views.ccg_risks, name="ccg-risks"),
    path("ccgs/<str:ods>/risks/heat-map/", views.ccg_risk_heat_map, name="ccg-risk-heat-map"),
    path(
        "ccgs/<str:ods>/risks/assurance-framework/",
        views.ccg_risk_framework,
        name="ccg-risk-framework",
    ),
    path("ccgs/<str:ods>/risks/escalated/", views.ccg_risks_escalated, name="ccg-risks-escalated"),
    path(
        "ccgs/<str:ods>/risks/overdue-reviews/", views.ccg_risks_overdue, name="ccg-risks-overdue"
    ),
    path("ccgs/<str:ods>/risks/new/", forms.risk_create, name="risk-create"),
    path(f"{RISK}/", views.risk_detail, name="risk-detail"),
    path(f"{RISK}/edit/", forms.risk_edit, name="risk-edit"),
    path(f"{RISK}/review/", forms.risk_review, name="risk-review"),
    path(f"{RISK}/close/", forms.risk_close, name="risk-close"),
    path(f"{RISK}/reopen/", forms.risk_reopen, name="risk-reopen"),
    path(f"{RISK}/actions/new/", forms.risk_action_new, name="risk-action-new"),
    path(
        f"{RISK}/actions/<int:action_id>/complete/",
        forms.risk_action_complete,
        name="risk-action-complete",
    ),
]
