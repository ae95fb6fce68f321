"""Open311 GeoReport v2, mounted at /open311/v2/ (format by suffix: .json or .xml)."""

from django.urls import re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[\w-]{1,40})" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<number>[\w-]{1,40})" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<value>[\w:.-]{1,200})" + FMT, views.token, name="token"),
]
