from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from reform.org.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm, SignInForm

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Password reset emails go through the outbox like every other email.
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    # The project's forms, worded as an office would (reform/forms.py).
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # The sign-in page offers the language switch too, before anyone is signed in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("plan/", include("reform.plan.urls")),
    path("", include("reform.reports.urls")),
    path("", include("reform.dashboard.urls")),
    path("", include("reform.reminders.urls")),
    path("", include("reform.offices.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = _("Reform tracker administration")
admin.site.site_title = _("Reform tracker administration")
admin.site.index_title = _("Administration")

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
