"""PDF pack pages: a plan's Documents tab, a build's status, its file, publishing."""

from django.urls import path

from . import views_packs

urlpatterns = [
    path("plans/<int:pk>/documents/", views_packs.plan_packs, name="plan-packs"),
    path("packs/new/", views_packs.pack_start, name="pack-start"),
    path("packs/<int:pk>/", views_packs.pack_detail, name="pack-detail"),
    path("packs/<int:pk>/file/", views_packs.pack_file, name="pack-file"),
    path("packs/<int:pk>/publish/", views_packs.pack_publish, name="pack-publish"),
]
