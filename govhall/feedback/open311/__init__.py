"""Open311 GeoReport v2 (issue 12 §3): the complaints of ``feedback.complaints`` seen
through the GeoReport v2 interface, under ``/open311/v2/``.

No models: a request posted here is a complaint like any other
(``complaints.services.create`` with channel ``open311``), and what is listed is read
through ``complaints`` models. ``formats.py`` renders GeoReport's JSON and XML,
``views.py`` holds the endpoints, ``docs/open311.md`` the mapping.
"""
