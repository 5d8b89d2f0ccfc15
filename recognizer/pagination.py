from rest_framework.pagination import PageNumberPagination


class DrawingPagination(PageNumberPagination):
    """`?page=N`, `?page_size=N` (at most 200): staff review pages through thousands of drawings."""

    page_size_query_param = "page_size"
    max_page_size = 200
