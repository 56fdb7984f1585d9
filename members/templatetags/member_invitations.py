from django import template

from leadit.accounts import AccountAdapter, usable_invitation

register = template.Library()


@register.simple_tag(takes_context=True)
def invitation_in_session(context) -> dict | None:
    """The usable invitation of any registered kind (a member's editor, a partnership's
    focal point) that opened sign-up in this session: its address and what it is for."""
    request = context.get("request")
    key = request.session.get(AccountAdapter.INVITATION_SESSION_KEY) if request else None
    found = usable_invitation(key)
    if found is None:
        return None
    kind, invitation = found
    return {"email": invitation.email, "purpose": kind.purpose(invitation) if kind.purpose else ""}
