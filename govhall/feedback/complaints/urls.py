"""Staff pages, mounted at /staff/feedback/complaints/."""

from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("window/", views.window, name="window"),
    path("knowledge/", views.knowledge, name="knowledge"),
    path("knowledge/new/", views.knowledge_edit, name="knowledge_new"),
    path("knowledge/<int:pk>/", views.knowledge_edit, name="knowledge_edit"),
    path("knowledge/<int:pk>/publish/", views.knowledge_publish, name="knowledge_publish"),
    path("12345/", views.exchange_page, name="exchange"),
    path("12345/export/", views.exchange_export, name="exchange_export"),
    path("<str:number>/", views.detail, name="detail"),
]
