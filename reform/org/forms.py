"""Django's sign-in and password forms, with the tracker's messages (reform.forms)."""

from django.contrib.auth import forms as auth_forms
from django.db import transaction
from django.template import loader

from reform.forms import TrackerMessages
from reform.outbox.services import enqueue


class SignInForm(TrackerMessages, auth_forms.AuthenticationForm):
    """The sign-in form: "请填写用户名。" rather than Django's "这个字段是必填项。"."""


class PasswordChangeForm(TrackerMessages, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(TrackerMessages, auth_forms.SetPasswordForm):
    """The new password, set through the emailed link."""


class PasswordResetForm(TrackerMessages, auth_forms.PasswordResetForm):
    """Django's form, with the email written to the outbox like every other email of the
    application (retried while the mail server is down, visible to the administrator)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else ""
        )
        with transaction.atomic():
            enqueue(
                kind="password_reset",
                to=[to_email],
                subject=subject,
                body_text=body,
                body_html=html,
            )
