"""Authorization is declared, not remembered (DESIGN.md §6).

Every URL of the portal is one of four access classes. Our own views are wrapped in
``urls.py`` with one of the decorators below, which both enforce the class and record it
on the view; third-party URLs (admin, allauth) are declared in ``THIRD_PARTY_ACCESS``.
``tests/test_authorization.py`` walks the whole resolver and fails on any URL that has
no class, then requests each one as anonymous, as another member's user and as staff.
"""

import logging
from enum import StrEnum
from fnmatch import fnmatchcase
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404

from leadit.middleware import redirect_to_mfa_setup, staff_needs_mfa_setup

# Every refused access to an object (another member's page, update, registration; an
# event or a document the user may not see) is logged here, with the user and the path.
access_logger = logging.getLogger("leadit.access")


def log_refused(request, what: str, identifier=None, *, action: str = "edit") -> None:
    """Log that ``request.user`` was refused ``what`` (``identifier``: its slug or id); the
    caller then answers 404. Call it only when the object exists, so that the log shows
    probing of real objects, not typos."""
    user_id = request.user.pk if request.user.is_authenticated else None
    match = getattr(request, "resolver_match", None)
    access_logger.warning(
        "Refused %s: user %s may not %s it (%s %s)",
        what if identifier is None else f"{what} {identifier}",
        user_id if user_id is not None else "anonymous",
        action,
        request.method,
        request.path,
        extra={
            "user_id": user_id,
            "slug": match.kwargs.get("slug") if match else None,
            "path": request.path,
            "method": request.method,
            "refused": what,
        },
    )


def permitted_or_404(
    request, permitted: QuerySet, *, what: str, identifier=None, action="edit", **lookup
):
    """The object ``lookup`` finds among those ``request.user`` may reach (``permitted``:
    the model's ``editable_by(user)`` / ``visible_to(user)`` queryset), else 404. A refusal
    of an object that exists (outside ``permitted``) is logged with ``log_refused``."""
    try:
        return permitted.get(**lookup)
    except permitted.model.DoesNotExist:
        if permitted.model._default_manager.filter(**lookup).exists():
            log_refused(request, what, identifier, action=action)
        raise Http404(f"No {what} here.") from None


class Access(StrEnum):
    PUBLIC = "public"
    AUTHENTICATED = "authenticated"
    # Logged in, and an editor of the object named in the URL (or staff). The view finds
    # that object through its model's ``editable_by(user)`` queryset, so any other user
    # gets a 404; the decorator only adds the login requirement.
    MEMBER_OF_OBJECT = "member-of-object"
    STAFF = "staff"


def _declare(view, access: Access):
    view.access = access
    return view


def public(view):
    return _declare(view, Access.PUBLIC)


def _login_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def authenticated(view):
    return _declare(_login_required(view), Access.AUTHENTICATED)


def member_of_object(view):
    return _declare(_login_required(view), Access.MEMBER_OF_OBJECT)


def staff(view):
    """Anonymous visitors are sent to log in; signed-in non-staff users get a 404, so the
    page's existence is not revealed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff or not request.user.is_active:
            log_refused(request, "staff page", action="open")
            raise Http404
        if staff_needs_mfa_setup(request.user):
            return redirect_to_mfa_setup(request)
        return view(request, *args, **kwargs)

    return _declare(_login_required(wrapper), Access.STAFF)


# URL names (with namespace) of views we do not write ourselves; first match wins.
THIRD_PARTY_ACCESS: list[tuple[str, Access]] = [
    ("admin:logout", Access.PUBLIC),
    ("admin:*", Access.STAFF),
    ("account_login", Access.PUBLIC),
    ("account_signup", Access.PUBLIC),
    ("account_confirm_email", Access.PUBLIC),
    ("account_email_verification_sent", Access.PUBLIC),
    ("account_inactive", Access.PUBLIC),
    ("account_reset_password*", Access.PUBLIC),
    ("account_login_code_confirm", Access.PUBLIC),
    ("account_reauthenticate", Access.AUTHENTICATED),
    ("account_logout", Access.PUBLIC),
    ("account_*", Access.AUTHENTICATED),
    ("mfa_authenticate", Access.PUBLIC),
    ("mfa_*", Access.AUTHENTICATED),
]


def access_of(url_name: str | None, callback) -> Access | None:
    """The declared access class of a resolved URL, or None when nothing declares it."""
    declared = getattr(callback, "access", None) or getattr(
        getattr(callback, "view_class", None), "access", None
    )
    if declared:
        return Access(declared)
    if url_name:
        for pattern, access in THIRD_PARTY_ACCESS:
            if fnmatchcase(url_name, pattern):
                return access
    return None
