"""Priorities pages: a plan's priorities tab (with the forms that change its priorities,
commitments, actions, success measures and locality focus), the plan on a page, and the
delivery pages (included from page_urls_delivery)."""

from django.urls import include, path

from . import views, views_editing

# (URL segment, kind, parent segment): items of each kind at plans/<pk>/<segment>/<id>/...,
# new ones at plans/<pk>/<segment>/new/ or under their parent.
KINDS = (
    ("priorities", "priority", None),
    ("commitments", "commitment", "priorities"),
    ("actions", "action", "commitments"),
    ("success-measures", "measure", None),
    ("locality-focus", "focus", None),
)


def _item_patterns():
    patterns = []
    for segment, kind, parent in KINDS:
        options = {"kind": kind}
        new = (
            f"plans/<int:pk>/{parent}/<int:parent_id>/{segment}/new/"
            if parent
            else f"plans/<int:pk>/{segment}/new/"
        )
        item = f"plans/<int:pk>/{segment}/<int:item_id>"
        patterns += [
            path(new, views_editing.item_new, options, name=f"plan-{kind}-new"),
            path(f"{item}/edit/", views_editing.item_edit, options, name=f"plan-{kind}-edit"),
            path(f"{item}/delete/", views_editing.item_delete, options, name=f"plan-{kind}-delete"),
            path(f"{item}/move/", views_editing.item_move, options, name=f"plan-{kind}-move"),
        ]
    return patterns


urlpatterns = [
    path("plans/<int:pk>/priorities/", views.plan_priorities, name="plan-priorities"),
    path("plans/<int:pk>/on-a-page/", views.plan_on_a_page, name="plan-on-a-page"),
    *_item_patterns(),
    path("", include("priorities.page_urls_delivery")),
]
