"""Public (citizen) pages of 行政备案, mounted at /filings/."""

from django.urls import path

from . import public_views

app_name = "filings_public"

urlpatterns = [
    path("", public_views.filing_items, name="items"),
    path("filed/", public_views.filed, name="filed"),
    path("resubmit/", public_views.resubmit, name="resubmit"),
    path("receipt/<str:ref>/", public_views.receipt_pdf, name="receipt"),
    path("<int:item_id>/", public_views.file, name="file"),
]
