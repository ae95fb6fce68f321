"""Paging of every list endpoint: ``?limit=&offset=`` (LimitOffset).

DRF's own class silently falls back to the default on ``limit=abc``; here a bad
value is a 400 ``invalid_filter`` like any other parameter, and ``limit`` is capped
so one request cannot ask for the whole 10,000-item catalogue at once.

:class:`BoundedCountPagination` (the case list) takes a page whose count is exact
only up to a bound: it adds ``count_is_estimate`` and ``count_label`` (共 N 条 /
超过 10000 条) to the body, and its ``next`` link comes from the page itself (one row
more was read), not from the count.
"""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from . import params


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200

    def get_limit(self, request):
        value = params.integer(request.query_params, self.limit_query_param, minimum=1)
        if value is None:
            return self.default_limit
        return min(value, self.max_limit)

    def get_offset(self, request):
        value = params.integer(request.query_params, self.offset_query_param, minimum=0)
        return value or 0


class BoundedCountPagination(Pagination):
    """:class:`Pagination` for a page that counted itself (``count``,
    ``count_is_estimate``, ``has_next``, ``count_label``; ``cases.selectors.CasePage``)."""

    def read(self, request) -> tuple[int, int]:
        """(offset, limit) of the request (400 ``invalid_filter`` on a bad value)."""
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        return self.offset, self.limit

    def page_response(self, page, results: list) -> Response:
        self.count = page.count
        next_link = None
        if page.has_next:
            url = self.request.build_absolute_uri()
            url = replace_query_param(url, self.limit_query_param, self.limit)
            next_link = replace_query_param(url, self.offset_query_param, self.offset + self.limit)
        return Response(
            {
                "count": page.count,
                "count_is_estimate": page.count_is_estimate,
                "count_label": page.count_label,
                "next": next_link,
                "previous": self.get_previous_link(),
                "results": results,
            }
        )

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        props = out["properties"]
        props["count"]["description"] = (
            "件数：不超过 10000 时为准确数；超过时 count_is_estimate 为 true，"
            "count 为估计数（至少 10001）"
        )
        props = {
            "count": props["count"],
            "count_is_estimate": {
                "type": "boolean",
                "description": "true：件数超过 10000，count 为估计数",
            },
            "count_label": {"type": "string", "example": "超过 10000 条"},
            **{k: v for k, v in props.items() if k != "count"},
        }
        out["properties"] = props
        out["required"] = ["count", "count_is_estimate", "count_label", "results"]
        return out
