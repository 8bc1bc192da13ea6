"""Delivery tracker, progress update and programme pages."""

from django.urls import path

from . import views_delivery as delivery
from . import views_programmes as programmes

urlpatterns = [
    # A plan's delivery tracker and the progress of its actions and commitments
    path("plans/<int:pk>/delivery/", delivery.plan_delivery, name="plan-delivery"),
    path(
        "plans/<int:pk>/delivery/actions/<int:action_id>/",
        delivery.action_progress,
        name="plan-action-progress",
    ),
    path(
        "plans/<int:pk>/delivery/commitments/<int:commitment_id>/",
        delivery.commitment_progress,
        name="plan-commitment-progress",
    ),
    # Transformational programmes
    path("ccgs/<str:ods>/programmes/", programmes.ccg_programmes, name="ccg-programmes"),
    path("ccgs/<str:ods>/programmes/new/", programmes.programme_create, name="programme-create"),
    path("programmes/<int:pk>/", programmes.programme_detail, name="programme-detail"),
    path("programmes/<int:pk>/edit/", programmes.programme_edit, name="programme-edit"),
    path(
        "programmes/<int:pk>/measures/new/",
        programmes.measure_create,
        name="programme-measure-create",
    ),
    path(
        "programmes/<int:pk>/measures/<int:measure_id>/edit/",
        programmes.measure_edit,
        name="programme-measure-edit",
    ),
    path(
        "programmes/<int:pk>/measures/<int:measure_id>/delete/",
        programmes.measure_delete,
        name="programme-measure-delete",
    ),
    path(
        "programmes/<int:pk>/commitments/link/",
        programmes.commitment_link,
        name="programme-commitment-link",
    ),
    path(
        "programmes/<int:pk>/commitments/<int:commitment_id>/unlink/",
        programmes.commitment_unlink,
        name="programme-commitment-unlink",
    ),
    path(
        "programmes/<int:pk>/intentions/new/",
        programmes.intention_create,
        name="programme-intention-create",
    ),
]
