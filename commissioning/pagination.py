from rest_framework import pagination

from commissioning.api_spreadsheets import spreadsheet_format


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pagination with a count and next/previous links on every list; a list
    asked for as a spreadsheet (`?format=csv`, `?format=xlsx`) is whole: every filtered row,
    no pages (a spreadsheet is not read page by page)."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        if spreadsheet_format(request) is not None:
            return None
        return super().paginate_queryset(queryset, request, view)
