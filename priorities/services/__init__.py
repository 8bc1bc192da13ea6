"""Every write to priorities, commitments, actions, delivery and programmes goes through here:
pages, the API and the demo loader share one path and one set of rules (the plan's
lifecycle, the revision check, the history record)."""

from .content import (
    add_action,
    add_commitment,
    add_locality_focus,
    add_priority,
    add_success_measure,
    delete_item,
    move_item,
    update_item,
)
from .delivery import record_progress
from .programmes import (
    add_intention,
    add_programme_measure,
    create_programme,
    delete_programme_measure,
    link_commitment,
    unlink_commitment,
    update_programme,
    update_programme_measure,
)

__all__ = [
    "add_action",
    "add_commitment",
    "add_intention",
    "add_locality_focus",
    "add_priority",
    "add_programme_measure",
    "add_success_measure",
    "create_programme",
    "delete_item",
    "delete_programme_measure",
    "link_commitment",
    "move_item",
    "record_progress",
    "unlink_commitment",
    "update_item",
    "update_programme",
    "update_programme_measure",
]
