from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("unit/", views.my_unit, name="my_unit"),
    path("units/<int:unit_id>/", views.unit_page, name="unit"),
    path("units/<int:unit_id>/measures/", views.measures, name="measures"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("reports/<int:report_id>/send/", views.report_send, name="send"),
    path("reports/<int:report_id>/sign-off/", views.report_sign_off, name="sign_off"),
    path("reports/<int:report_id>/withdraw/", views.report_withdraw, name="withdraw"),
    path("reports/<int:report_id>/send-back/", views.report_send_back, name="send_back"),
    path("reports/<int:report_id>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("evidence/<int:evidence_id>/remove/", views.evidence_remove, name="evidence_remove"),
]

# The timetable and roadmap: add, edit (and cancel back to the row), mark done.
urlpatterns += [
    path(
        "units/<int:unit_id>/measures/add/<int:assignment_id>/",
        views.measure_create,
        name="measure_create",
    ),
    path("units/<int:unit_id>/measures/<int:measure_id>/", views.measure_edit, name="measure_edit"),
    path(
        "units/<int:unit_id>/measures/<int:measure_id>/row/", views.measure_row, name="measure_row"
    ),
    path(
        "units/<int:unit_id>/measures/<int:measure_id>/complete/",
        views.measure_complete,
        name="measure_complete",
    ),
]

# The office's side: review, closing finished tasks, urging notices (views/review.py).
urlpatterns += [
    path("review/", views.review_queue, name="review"),
    path("reports/<int:report_id>/accept/", views.review_accept, name="accept"),
    path("reports/<int:report_id>/return/", views.review_return, name="return"),
    path("assignments/<int:assignment_id>/close/", views.assignment_close_view, name="close"),
    path("assignments/<int:assignment_id>/reopen/", views.assignment_reopen_view, name="reopen"),
    path("urging/", views.urging_list, name="urging"),
    path("urging/new/", views.urging_new, name="urging_new"),
    path("notices/<int:notice_id>/", views.urging_notice, name="notice"),
]
