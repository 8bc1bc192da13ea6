"""Browser pages of plans: a CCG's plans at /ccgs/<ods>/plans/, each plan at /plans/<id>/.

The consultation and milestone pages live in their own modules (views_consultation,
views_milestones) and are added below.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("plans.page_urls_plans")),
    path("", include("plans.page_urls_consultation")),
    path("", include("plans.page_urls_packs")),
]
