from django import template

from leadit.accounts import AccountAdapter

from ..services import invitation_find

register = template.Library()


@register.simple_tag(takes_context=True)
def invitation_in_session(context):
    """The usable invitation that opened sign-up in this session, or None."""
    request = context.get("request")
    key = request.session.get(AccountAdapter.INVITATION_SESSION_KEY) if request else None
    invitation = invitation_find(key=key) if key else None
    return invitation if invitation and invitation.is_usable else None
