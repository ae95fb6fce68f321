"""Staff pages of 审管联动, mounted at /staff/licences/."""

from django.urls import path

from . import views

app_name = "licences"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("acknowledge/", views.acknowledge, name="acknowledge"),
    path("registry/", views.registry, name="registry"),
    path("registry/<int:pk>/", views.licence, name="licence"),
    path("reports/", views.reports, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<str:number>/", views.report, name="report"),
    path("obligations/", views.obligations, name="obligations"),
    path("warnings/", views.warnings, name="warnings"),
    path("letters/", views.letters, name="letters"),
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("settings/", views.settings_page, name="settings"),
]
