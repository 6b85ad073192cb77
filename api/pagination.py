"""Cursor pagination on the primary key: a page starts after the last id of the previous one,
so rows inserted meanwhile (higher ids) come at the end and nothing is skipped or repeated."""

from rest_framework.pagination import CursorPagination

MAX_PAGE_SIZE = 100


class IdCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_cursor_message = "Curseur invalide."
