from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from ..conf import app_settings


class RecordCursorPagination(CursorPagination):
    """
    Cursor pages in a stable order, without counting the table on every page.

    ``page_size`` above the maximum gets the maximum, and the response says so.
    """

    page_size_query_param = "page_size"
    ordering = ("-updated_at", "-id")

    def get_page_size(self, request):
        self.capped = False
        asked = request.query_params.get(self.page_size_query_param)
        if asked is None:
            return app_settings.API_PAGE_SIZE
        try:
            size = int(asked)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({"page_size": [_("Give a whole number from 1.")]})
        if size > app_settings.API_MAX_PAGE_SIZE:
            self.capped = True
            return app_settings.API_MAX_PAGE_SIZE
        return size

    def get_ordering(self, request, queryset, view):
        """The order the filters chose (``ordering=``), else the view's default; id breaks ties."""
        chosen = tuple(queryset.query.order_by) or getattr(view, "ordering", None) or self.ordering
        if not any(field.lstrip("-") == "id" for field in chosen):
            chosen = (*chosen, "-id" if chosen[0].startswith("-") else "id")
        return chosen

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, DjangoValidationError):
            # A cursor that was tampered with or that no longer fits the order.
            raise NotFound(_("This page cursor is not valid: start from the first page.")) from None

    def get_paginated_response(self, data):
        body = {
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "page_size": self.page_size,
        }
        if self.capped:
            body["notice"] = _("page_size is capped at %(max)s.") % {
                "max": app_settings.API_MAX_PAGE_SIZE
            }
        body["results"] = data
        return Response(body)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "page_size": {"type": "integer"},
                "notice": {"type": "string"},
                "results": schema,
            },
        }
