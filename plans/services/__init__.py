"""Every write to a plan goes through here: pages, the API, the demo loader and commands
share one path and one set of rules (lifecycle, concurrency check, history record)."""

from .authoring import (
    add_section,
    add_statement,
    create_plan,
    delete_section,
    delete_statement,
    move_section,
    update_plan,
    update_section,
    update_statement,
)
from .consultation import add_comment, open_consultation, respond_to_comment
from .lifecycle import start_refresh, transition
from .milestones import add_milestone, delete_milestone, update_milestone

__all__ = [
    "add_comment",
    "add_milestone",
    "add_section",
    "add_statement",
    "create_plan",
    "delete_milestone",
    "delete_section",
    "delete_statement",
    "move_section",
    "open_consultation",
    "respond_to_comment",
    "start_refresh",
    "transition",
    "update_milestone",
    "update_plan",
    "update_section",
    "update_statement",
]
