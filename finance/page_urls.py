"""Finance and QIPP pages, under the CCG they belong to."""

from django.urls import path

from . import views, views_qipp, views_qipp_forms

SCHEME = "ccgs/<str:ods>/qipp/<int:pk>"
IMPORT = "ccgs/<str:ods>/qipp/import"

urlpatterns = [
    path("ccgs/<str:ods>/finance/", views.ccg_finance, name="ccg-finance"),
    path("ccgs/<str:ods>/qipp/", views_qipp.ccg_qipp, name="ccg-qipp"),
    path("ccgs/<str:ods>/qipp/download.<str:fmt>", views_qipp.qipp_export, name="qipp-export"),
    path(f"{IMPORT}/", views_qipp_forms.qipp_import, name="qipp-import"),
    path(f"{IMPORT}/<int:pk>/", views_qipp_forms.qipp_import_detail, name="qipp-import-detail"),
    path(f"{IMPORT}/<int:pk>/apply/", views_qipp_forms.qipp_import_apply, name="qipp-import-apply"),
    path(f"{SCHEME}/", views_qipp.scheme_detail, name="qipp-scheme"),
    path(f"{SCHEME}/months/", views_qipp_forms.scheme_months, name="qipp-scheme-months"),
]
