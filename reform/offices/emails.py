"""The office pages' one email: a link to set the password of a new (or forgetful) account.

The link is Django's password-reset link (``default_token_generator`` and the user's id), so
the existing /accounts/reset/… page sets the password; the token stops working once the
password is set or the person signs in, and after PASSWORD_RESET_TIMEOUT.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from reform.outbox.emails import enqueue_email, site_link


def set_password_link(user) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return site_link("password_reset_confirm", uidb64=uidb64, token=token)


def send_set_password(user, *, new_account: bool):
    """Written to the outbox in the caller's transaction; sent once it commits."""
    return enqueue_email(
        "set_password",
        to=[user.email],
        context={
            "user": user,
            "name": user.get_full_name() or user.username,
            "link": set_password_link(user),
            "new_account": new_account,
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
        kind="set_password",
    )
