from django.urls import path

from . import views

app_name = "offices"

# Where an office runs its jurisdiction; <jurisdiction_id> pages list, the others act on one
# object (its jurisdiction is read from it). views/* check every request against the scope.
urlpatterns = [
    path("manage/", views.index, name="index"),
    path("manage/<int:jurisdiction_id>/", views.home, name="home"),
    path("manage/<int:jurisdiction_id>/below/new/", views.jurisdiction_create, name="below_new"),
    path(
        "manage/<int:jurisdiction_id>/office-people/new/",
        views.office_person_add,
        name="office_person_new",
    ),
]

# Units, their names and contact people.
urlpatterns += [
    path("manage/<int:jurisdiction_id>/units/", views.unit_list, name="units"),
    path("manage/<int:jurisdiction_id>/units/new/", views.unit_create, name="unit_new"),
    path("manage/units/<int:unit_id>/", views.unit_detail, name="unit"),
    path("manage/units/<int:unit_id>/rename/", views.unit_rename, name="unit_rename"),
    path("manage/units/<int:unit_id>/deactivate/", views.unit_deactivate, name="unit_deactivate"),
    path("manage/units/<int:unit_id>/reactivate/", views.unit_reactivate, name="unit_reactivate"),
    path("manage/units/<int:unit_id>/contacts/", views.contact_add, name="contact_add"),
    path("manage/contacts/<int:contact_id>/remove/", views.contact_remove, name="contact_remove"),
]

# People, their roles, the password-setting email, and the bulk import.
urlpatterns += [
    path("manage/<int:jurisdiction_id>/people/", views.people_list, name="people"),
    path("manage/<int:jurisdiction_id>/people/new/", views.person_create, name="person_new"),
    path("manage/<int:jurisdiction_id>/people/import/", views.import_upload, name="import"),
    path(
        "manage/<int:jurisdiction_id>/people/import/confirm/",
        views.import_confirm,
        name="import_confirm",
    ),
    path(
        "manage/<int:jurisdiction_id>/people/import/template.xlsx",
        views.import_template,
        name="import_template",
    ),
    path("manage/<int:jurisdiction_id>/people/<int:user_id>/", views.person_detail, name="person"),
    path(
        "manage/<int:jurisdiction_id>/people/<int:user_id>/roles/",
        views.membership_add,
        name="membership_add",
    ),
    path(
        "manage/<int:jurisdiction_id>/people/<int:user_id>/roles/<int:membership_id>/end/",
        views.membership_end,
        name="membership_end",
    ),
    path(
        "manage/<int:jurisdiction_id>/people/<int:user_id>/deactivate/",
        views.person_deactivate,
        name="person_deactivate",
    ),
    path(
        "manage/<int:jurisdiction_id>/people/<int:user_id>/reactivate/",
        views.person_reactivate,
        name="person_reactivate",
    ),
    path(
        "manage/<int:jurisdiction_id>/people/<int:user_id>/password-email/",
        views.person_password_email,
        name="password_email",
    ),
]

# Assignments and local tasks.
urlpatterns += [
    path("manage/<int:jurisdiction_id>/assignments/", views.assignment_list, name="assignments"),
    path(
        "manage/<int:jurisdiction_id>/assignments/new/",
        views.assignment_create,
        name="assignment_new",
    ),
    path("manage/<int:jurisdiction_id>/assignments/copy/", views.pattern_copy, name="pattern_copy"),
    path("manage/assignments/<int:assignment_id>/", views.assignment_edit, name="assignment"),
    path(
        "manage/assignments/<int:assignment_id>/close/",
        views.assignment_close,
        name="assignment_close",
    ),
    path(
        "manage/assignments/<int:assignment_id>/reopen/",
        views.assignment_reopen,
        name="assignment_reopen",
    ),
    path(
        "manage/assignments/<int:assignment_id>/remove/",
        views.assignment_remove,
        name="assignment_remove",
    ),
    path("manage/<int:jurisdiction_id>/tasks/", views.local_task_list, name="tasks"),
    path("manage/<int:jurisdiction_id>/tasks/new/", views.local_task_create, name="task_new"),
    path("manage/tasks/<int:task_id>/", views.local_task_edit, name="task"),
]

# The province's one list of reporting periods (the provincial office only).
urlpatterns += [
    path("manage/periods/", views.period_list, name="periods"),
    path("manage/periods/extend/", views.period_extend, name="period_extend"),
    path("manage/periods/<int:period_id>/", views.period_edit, name="period"),
    path("manage/periods/<int:period_id>/close/", views.period_close, name="period_close"),
    path("manage/periods/<int:period_id>/reopen/", views.period_reopen, name="period_reopen"),
]
