"""The audit log pages of a CCG: the log and its export."""

from django.urls import path

from . import views_audit as views

urlpatterns = [
    path("ccgs/<str:ods>/audit/", views.ccg_audit, name="ccg-audit"),
    path("ccgs/<str:ods>/audit/export.<str:fmt>", views.ccg_audit_export, name="ccg-audit-export"),
]
