"""What `manage.py generate_synthetic` makes for each synthetic CCG beside its measurements.

Per CCG: two localities and two partners; people on a governing body; a published strategic
plan (2015/16 to 2018/19) with sections, statements, priorities x commitments x actions (each
action with a progress update), success measures, locality focus, milestones, a closed
consultation with answered comments and the versions of its lifecycle; transformational
programmes with intentions, measures and linked commitments; a 2015/16 financial plan with
stated amounts and assumptions, a challenge, contracts with lines, a pooled budget, locality
budgets; QIPP programmes and schemes with twelve monthly figures; risks with reviews and
actions; a governing body (members, meetings with attendance, agenda items, resolutions and
actions) and an audit committee; NHS England assurance checkpoints.

Everything is clearly synthetic ("Synthetic ..." names, `illustrative` set where the model
has it) and written level by level for a group of CCGs with `bulk_create` (with
django-simple-history's `bulk_create_with_history` for tracked models, so the audit log has
rows to show). Sizes come from `Sizes`; values from one seeded generator.
"""

from .common import SYNTHETIC, YEAR, Sizes
from .content import ContentMaker, delete_content

__all__ = ["SYNTHETIC", "YEAR", "ContentMaker", "Sizes", "delete_content"]
