"""Staff pages, mounted at /staff/filings/."""

from django.urls import path

from . import views

app_name = "filings"

urlpatterns = [
    path("", views.register, name="register"),
    path("window/", views.window, name="window"),
    path("<str:ref>/", views.detail, name="detail"),
    path("<str:ref>/receipt/", views.receipt_pdf, name="receipt"),
]
