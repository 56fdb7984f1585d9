from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse


class StaffMFARequiredMiddleware:
    """Staff reach the admin only once they have set up an authenticator app (TOTP).

    allauth then asks for the code at every login, so with this in place no staff session
    reaches the admin on a password alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.LEADIT_STAFF_MFA_REQUIRED
            and request.path.startswith(reverse("admin:index"))
            and request.user.is_authenticated
            and request.user.is_staff
            and not _has_totp(request.user)
        ):
            messages.warning(
                request,
                "Secretariat staff must set up an authenticator app before using the admin.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
