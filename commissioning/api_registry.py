"""The API router that every app registers its viewsets into from `AppConfig.ready()`.

`commissioning` is the lowest app, so it cannot import the apps above it; they come to it.
"""

from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
_registered: set[str] = set()


def register(prefix: str, viewset, basename: str | None = None) -> None:
    if prefix in _registered:
        return
    _registered.add(prefix)
    router.register(prefix, viewset, basename=basename)
