"""NHS England assurance pages of a CCG (included from governance/page_urls.py)."""

from django.urls import path

from . import views_assurance as views

BASE = "ccgs/<str:ods>/assurance/"
CHECKPOINT = BASE + "<int:pk>/"

# A checkpoint's parts: (URL segment, name in route names, the services' name of the part).
PART_ROUTES = (
    ("scorecard", "scorecard", "scorecard"),
    ("findings", "finding", "findings"),
    ("actions", "action", "actions"),
)


def _part_patterns():
    patterns = []
    for segment, name, part in PART_ROUTES:
        options = {"part": part}
        item = f"{CHECKPOINT}{segment}/<int:item_id>/"
        patterns += [
            path(f"{CHECKPOINT}{segment}/new/", views.part_new, options,
                 name=f"assurance-{name}-new"),
            path(f"{item}edit/", views.part_edit, options, name=f"assurance-{name}-edit"),
            path(f"{item}delete/", views.part_delete, options, name=f"assurance-{name}-delete"),
        ]  # fmt: skip
    return patterns


urlpatterns = [
    path(BASE, views.ccg_assurance, name="ccg-assurance"),
    path(f"{BASE}new/", views.checkpoint_create, name="assurance-checkpoint-create"),
    path(CHECKPOINT, views.checkpoint_detail, name="assurance-checkpoint"),
    path(f"{CHECKPOINT}edit/", views.checkpoint_edit, name="assurance-checkpoint-edit"),
    path(f"{CHECKPOINT}delete/", views.checkpoint_delete, name="assurance-checkpoint-delete"),
    *_part_patterns(),
]
