"""Browser pages of the core domain."""

urlpatterns: list = []
