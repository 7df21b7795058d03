from django.urls import path

from . import views

app_name = "plan"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
]
