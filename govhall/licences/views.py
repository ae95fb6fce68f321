"""Staff pages of 审管联动 (being built: issue 14)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("建设中")


inbox = acknowledge = registry = licence = reports = report_new = report = _todo
obligations = warnings = letters = letter_pdf = settings_page = _todo
