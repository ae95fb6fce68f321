"""Paging of every list endpoint: ``?limit=&offset=`` (LimitOffset).

DRF's own class silently falls back to the default on ``limit=abc``; here a bad
value is a 400 ``invalid_filter`` like any other parameter, and ``limit`` is capped
so one request cannot ask for the whole 10,000-item catalogue at once.
"""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination

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
