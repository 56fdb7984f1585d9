from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

# Where a staff user was going when they were sent to set up an authenticator app; the
# recovery codes page offers the way on ("Continue to …") once the app is set up.
AFTER_MFA_SETUP_SESSION_KEY = "leadit_after_mfa_setup"


def staff_needs_mfa_setup(user) -> bool:
    """Whether this user is staff and must set up an authenticator app before going on.

    allauth asks for the code at every login once one is set up, so with this check in
    front of every staff page no staff session gets there on a password alone.
    """
    if not (settings.LEADIT_STAFF_MFA_REQUIRED and user.is_authenticated and user.is_staff):
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def redirect_to_mfa_setup(request):
    """Send a staff user to set up an authenticator app, remembering where they were going
    (a page they asked for with GET, on this site) so that they get there afterwards."""
    target = request.get_full_path()
    if request.method == "GET" and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[AFTER_MFA_SETUP_SESSION_KEY] = target
    messages.warning(
        request, "Secretariat staff must set up an authenticator app before continuing."
    )
    return redirect("mfa_activate_totp")


def after_mfa_setup_url(request) -> str | None:
    """Where a staff user who has just set up their authenticator app was going, if
    anywhere (kept in the session until they get there)."""
    session = getattr(request, "session", None)
    if session is None or AFTER_MFA_SETUP_SESSION_KEY not in session:
        return None
    return session[AFTER_MFA_SETUP_SESSION_KEY]


class StaffMFARequiredMiddleware:
    """The admin's half of the rule; ``leadit.access.staff`` applies it to our staff pages.

    It also keeps the way on through the setup: ``request.leadit_after_mfa_setup`` is the
    page the user was going to, once their app is set up (the account pages show it as a
    "Continue" link), and it is forgotten when they get there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.leadit_after_mfa_setup = None
        if request.path.startswith(reverse("admin:index")) and staff_needs_mfa_setup(request.user):
            return redirect_to_mfa_setup(request)
        pending = after_mfa_setup_url(request)
        if pending and request.user.is_authenticated:
            if request.get_full_path() == pending or not request.user.is_staff:
                del request.session[AFTER_MFA_SETUP_SESSION_KEY]
            elif not staff_needs_mfa_setup(request.user):
                request.leadit_after_mfa_setup = pending
        return self.get_response(request)
