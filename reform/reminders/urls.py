from django.urls import path

from . import views

app_name = "reminders"
urlpatterns = [
    path("reminders/", views.reminder_log, name="log"),
    path("reminders/retry/", views.reminder_retry, name="retry"),
]
