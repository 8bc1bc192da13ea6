"""Consultation and milestone pages of a plan."""

from django.urls import path

from . import views_consultation as consultation
from . import views_milestones as milestones

urlpatterns = [
    path("plans/<int:pk>/consultation/", consultation.consultation, name="plan-consultation"),
    path(
        "plans/<int:pk>/consultation/open/",
        consultation.consultation_open,
        name="plan-consultation-open",
    ),
    path(
        "plans/<int:pk>/consultation/comments/new/",
        consultation.comment_create,
        name="plan-comment-create",
    ),
    path(
        "plans/<int:pk>/consultation/comments/<int:comment_id>/respond/",
        consultation.comment_respond,
        name="plan-comment-respond",
    ),
    path(
        "plans/<int:pk>/consultation.csv",
        consultation.consultation_csv,
        name="plan-consultation-csv",
    ),
    path("plans/<int:pk>/milestones/", milestones.milestones, name="plan-milestones"),
    path(
        "plans/<int:pk>/milestones/new/",
        milestones.milestone_create,
        name="plan-milestone-create",
    ),
    path(
        "plans/<int:pk>/milestones/<int:milestone_id>/edit/",
        milestones.milestone_edit,
        name="plan-milestone-edit",
    ),
    path(
        "plans/<int:pk>/milestones/<int:milestone_id>/done/",
        milestones.milestone_done,
        name="plan-milestone-done",
    ),
    path(
        "plans/<int:pk>/milestones/<int:milestone_id>/delete/",
        milestones.milestone_delete,
        name="plan-milestone-delete",
    ),
]
