"""Staff pages of 人员管理, mounted at /staff/people/."""

from django.urls import path

from . import views

app_name = "staff"

urlpatterns = [
    path("", views.roster, name="roster"),
    path("sign/", views.sign, name="sign"),
    path("attendance/", views.attendance, name="attendance"),
    path("attendance/import/", views.attendance_import, name="attendance_import"),
    path("leave/", views.leave, name="leave"),
    path("leave/<int:pk>/decide/", views.leave_decide, name="leave_decide"),
    path("leave/<int:pk>/cancel/", views.leave_cancel, name="leave_cancel"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("moves/", views.moves, name="moves"),
    path("moves/<int:pk>/decide/", views.move_decide, name="move_decide"),
    path("returns/", views.returns, name="returns"),
    path("returns/<int:pk>/replace/", views.return_replace, name="return_replace"),
    path("training/", views.trainings, name="trainings"),
    path("training/<int:pk>/", views.training, name="training"),
    path("appraisals/", views.appraisals, name="appraisals"),
    path("appraisals/staff/<int:staff_pk>/", views.appraisal_start, name="appraisal_start"),
    path("appraisals/<int:pk>/", views.appraisal, name="appraisal"),
    path("appraisals/<int:pk>/pdf/", views.appraisal_pdf, name="appraisal_pdf"),
]
