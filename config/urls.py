from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("plan/", include("reform.plan.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = _("Reform tracker administration")
admin.site.site_title = _("Reform tracker administration")
admin.site.index_title = _("Administration")
