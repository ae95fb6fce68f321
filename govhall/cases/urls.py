"""Staff pages of this app (mounted under /staff/cases/)."""

from django.urls import path

from . import fee_views, views

app_name = "cases"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("desk/", views.desk, name="desk"),
    path("desk/<int:item_id>/", views.desk_apply, name="desk_apply"),
    path("desk/bundle/<int:bundle_id>/", views.desk_bundle, name="desk_bundle"),
    path("bundles/", views.bundle_list, name="bundle_list"),
    path("bundles/new/", views.bundle_edit, name="bundle_new"),
    path("bundles/<int:pk>/", views.bundle_edit, name="bundle_edit"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/bundle-notice/", views.bundle_notice, name="bundle_notice"),
    path("<str:number>/act/<str:action>/", views.act, name="act"),
    path("<str:number>/fees/", fee_views.record, name="fee_record"),
    path("<str:number>/fees/<int:fee_id>/cancel/", fee_views.cancel, name="fee_cancel"),
    path("<str:number>/documents/<str:doc>/", views.notice, name="notice"),
    path("<str:number>/documents/<str:doc>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("<str:number>/archive/", views.archive_view, name="archive"),
    path("<str:number>/archive.zip", views.archive_zip, name="archive_zip"),
]
