"""Committee and meeting pages, under the CCG they belong to."""

from django.urls import path

from . import views_committees as committees
from . import views_meetings as meetings

CCG = "ccgs/<str:ods>"
COMMITTEE = f"{CCG}/committees/<int:pk>"
MEETING = f"{CCG}/meetings/<int:pk>"
ITEM = f"{MEETING}/items/<int:item_id>"

urlpatterns = [
    path(f"{CCG}/committees/", committees.ccg_committees, name="ccg-committees"),
    path(f"{CCG}/committees/new/", committees.committee_create, name="committee-create"),
    path(f"{COMMITTEE}/", committees.committee_detail, name="committee-detail"),
    path(f"{COMMITTEE}/edit/", committees.committee_edit, name="committee-edit"),
    path(f"{COMMITTEE}/members/new/", committees.member_create, name="committee-member-create"),
    path(
        f"{COMMITTEE}/members/<int:member_id>/edit/",
        committees.member_edit,
        name="committee-member-edit",
    ),
    path(
        f"{COMMITTEE}/members/<int:member_id>/delete/",
        committees.member_delete,
        name="committee-member-delete",
    ),
    path(f"{COMMITTEE}/meetings/new/", meetings.meeting_create, name="meeting-create"),
    path(f"{MEETING}/", meetings.meeting_detail, name="meeting-detail"),
    path(f"{MEETING}/edit/", meetings.meeting_edit, name="meeting-edit"),
    path(f"{MEETING}/attendance/", meetings.meeting_attendance, name="meeting-attendance"),
    path(f"{MEETING}/items/new/", meetings.agenda_item_create, name="agenda-item-create"),
    path(f"{ITEM}/edit/", meetings.agenda_item_edit, name="agenda-item-edit"),
    path(f"{ITEM}/minutes/", meetings.agenda_item_minutes, name="agenda-item-minutes"),
    path(f"{ITEM}/paper/", meetings.agenda_item_paper, name="agenda-item-paper"),
    path(f"{ITEM}/resolutions/new/", meetings.resolution_create, name="resolution-create"),
    path(f"{MEETING}/actions/new/", meetings.meeting_action_create, name="meeting-action-create"),
    path(f"{CCG}/actions/", meetings.ccg_actions, name="ccg-actions"),
    path(f"{CCG}/actions/<int:pk>/edit/", meetings.meeting_action_edit, name="meeting-action-edit"),
]
