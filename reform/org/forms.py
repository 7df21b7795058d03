from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.db import transaction
from django.template import loader

from reform.outbox.services import enqueue


class PasswordResetForm(DjangoPasswordResetForm):
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
