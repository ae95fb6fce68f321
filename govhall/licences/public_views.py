"""Public pages of the licence registry (being built: issue 14)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("建设中")


query = results = results_export = _todo
