"""Demo logins for the embedded default. Passwords are random per installation and kept
in ``var/demo-logins.txt`` (never in the repository), so re-running ``seed_demo`` prints
the same logins without resetting anyone's password."""

import json
import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

# One file per database, so trying the portal on SQLite and on PostgreSQL side by side
# does not mix their passwords.
DEMO_LOGINS_FILE = settings.VAR_DIR / (
    "demo-logins.json"
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    else f"demo-logins-{settings.DATABASES['default']['NAME']}.json"
)


def _stored_passwords() -> dict[str, str]:
    try:
        return json.loads(DEMO_LOGINS_FILE.read_text())
    except (FileNotFoundError, ValueError):
        return {}


def demo_user_ensure(*, email: str, first_name: str, last_name: str, is_staff: bool = False):
    """Create (or find) a demo user with a verified e-mail; returns (user, password)."""
    User = get_user_model()
    passwords = _stored_passwords()
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            username=email,
            defaults={
                "email": email,
                "first_name": first_name,
                "last_name": last_name,
                "is_staff": is_staff,
                "is_superuser": is_staff,
            },
        )
        password = passwords.get(email)
        if created or not password or not user.check_password(password):
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    passwords[email] = password
    DEMO_LOGINS_FILE.parent.mkdir(parents=True, exist_ok=True)
    DEMO_LOGINS_FILE.write_text(json.dumps(passwords, indent=2))
    DEMO_LOGINS_FILE.chmod(0o600)
    return user, password


def seed_demo() -> list:
    """The foundation's part of the demo: the secretariat staff login."""
    return [
        demo_user_ensure(
            email="staff@leadit.example",
            first_name="Demo",
            last_name="Secretariat",
            is_staff=True,
        )
    ]
