from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse


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
    messages.warning(
        request, "Secretariat staff must set up an authenticator app before continuing."
    )
    return redirect("mfa_activate_totp")


class StaffMFARequiredMiddleware:
    """The admin's half of the rule; ``leadit.access.staff`` applies it to our staff pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(reverse("admin:index")) and staff_needs_mfa_setup(request.user):
            return redirect_to_mfa_setup(request)
        return self.get_response(request)
