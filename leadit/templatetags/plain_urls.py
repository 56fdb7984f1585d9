"""``{% url %}`` for every template (a builtin, in TEMPLATES' options): a link with no
arguments, such as the layout's navigation, is reversed once per process instead of on
every render.

Reversing costs tens of microseconds (resolver, script prefix, language lookups), and the
layout alone has a dozen links: a fifth of an uncached public page's time went there.
Without arguments, the answer depends only on the URLconf, the script prefix and the
current application namespace, which are the cache's key. Anything else (arguments, a
name held in a variable) is Django's own tag, unchanged."""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

_REVERSED: dict[tuple, str] = {}


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _REVERSED.clear()


class PlainURLNode(URLNode):
    """Django's ``URLNode`` for a literal name without arguments (``as`` allowed), with
    its answer kept per URLconf, script prefix and current application."""

    def render(self, context):
        request = context.get("request")
        current_app = getattr(request, "current_app", None) or getattr(
            getattr(request, "resolver_match", None), "namespace", None
        )
        view_name = self.view_name.var
        key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), view_name, current_app)
        url = _REVERSED.get(key)
        if url is None:
            try:
                url = _REVERSED[key] = reverse(view_name, current_app=current_app)
            except NoReverseMatch:
                if self.asvar is None:
                    raise
                url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    literal_name = not node.view_name.filters and not isinstance(
        node.view_name.var, template.Variable
    )
    if node.args or node.kwargs or not literal_name:
        return node
    return PlainURLNode(node.view_name, [], {}, node.asvar)
