"""API documentation pages served with the app's own static files (no CDN).

``drf_spectacular_sidecar`` ships Swagger UI and Redoc; the stock Redoc template
still links Google Fonts, which an intranet government hall cannot reach (and must
not leak visitors to), so Redoc is rendered from a template without them. Swagger
UI's online validator is switched off for the same reason.
"""

from __future__ import annotations

import json

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.http import HttpResponse
from django.template import engines
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

_REDOC_TEMPLATE = """{% extends "drf_spectacular/redoc.html" %}
{% block head %}
<title>{{ title|default:"Redoc" }}</title>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="{{ request.csp_nonce }}">body { margin: 0; padding: 0; }</style>
{% endblock head %}"""


class SwaggerView(SpectacularSwaggerView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # drf-spectacular relaxes this for OAuth2 login pop-ups; govhall has none
        # (issue 8 §2: the site-wide same-origin holds here too).
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        try:
            settings = json.loads(response.data["settings"] or "{}")
        except ValueError:  # a deployment gave SWAGGER_UI_SETTINGS as JavaScript
            return response
        settings["validatorUrl"] = None
        response.data["settings"] = json.dumps(settings)
        return response


class RedocView(SpectacularRedocView):
    # Redoc's bundled styled-components inserts <style> elements before it is handed
    # the nonce, so this one page allows inline styles (scripts stay nonce-only).
    @method_decorator(csp_replace({"style-src": [SELF, UNSAFE_INLINE]}))
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        data = super().get(request, *args, **kwargs).data
        template = engines["django"].from_string(_REDOC_TEMPLATE)
        return HttpResponse(template.render(data, request))
