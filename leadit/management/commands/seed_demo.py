from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Load the LeadIT demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run on the production shape too (demo users get random passwords).",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        # The embedded default (no DATABASE_URL) and DEBUG are for trying the portal.
        if settings.HARDENED and not allow_production:
            raise CommandError(
                "DATABASE_URL is set and DEBUG is off: this looks like production. Demo data "
                "is for trying the portal; pass --allow-production if you really want it here."
            )
        # Each app seeds its own part from ``<app>/demo.py``, in INSTALLED_APPS order (the
        # lower layers first), so this command never imports a higher app by name.
        logins = []
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            if app_config.name.startswith("django.") or not find_spec(module_name):
                continue
            module = import_module(module_name)
            if hasattr(module, "seed_demo"):
                logins += module.seed_demo() or []

        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write("Demo logins (sign in at /accounts/login/):")
        # An app names a login's role when it is neither staff nor a member's editor.
        for user, password, *role in logins:
            role = role[0] if role else "secretariat staff" if user.is_staff else "member user"
            self.stdout.write(f"  {user.email} / {password}   ({role})")
