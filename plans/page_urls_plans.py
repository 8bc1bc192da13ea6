"""Plan pages (list, overview, sections, lifecycle, versions, diff, history): filled in below."""

urlpatterns = []
