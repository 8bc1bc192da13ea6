"""The API router that every app registers its viewsets into from `AppConfig.ready()`.

`commissioning` is the lowest app, so it cannot import the apps above it; they come to it.
"""

from django.urls import path
from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
_registered: set[str] = set()
_paths: dict[str, object] = {}


def register(prefix: str, viewset, basename: str | None = None) -> None:
    if prefix in _registered:
        return
    _registered.add(prefix)
    router.register(prefix, viewset, basename=basename)


def register_path(route: str, view, name: str) -> None:
    """An endpoint that is not a resource (a calculator, say) at `/api/v1/<route>`."""
    _paths.setdefault(name, path(route, view, name=name))


def extra_urls() -> list:
    return list(_paths.values())
