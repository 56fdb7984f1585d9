"""What every app's e-mail jobs share: who "the secretariat" is, and which sending errors
are worth a retry."""

import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model

# A refused connection or a temporary SMTP failure passes; a bad address does not.
TRANSIENT_MAIL_ERRORS = (
    ConnectionError,
    TimeoutError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
)


def secretariat_addresses() -> list[str]:
    """The secretariat's shared address if configured, else every active staff user."""
    return settings.ADMIN_NOTIFICATION_EMAILS or sorted(
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
