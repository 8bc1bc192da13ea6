from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pagination with a count and next/previous links on every list."""

    page_size_query_param = "page_size"
    max_page_size = 500
