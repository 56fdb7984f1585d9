"""Markdown → safe HTML, the one way the portal shows text written by people.

Markdown is rendered first, then the HTML is cleaned by nh3 (Ammonia) with an allow-list
of tags, attributes and URL schemes: raw HTML, scripts, event handlers, style and
``javascript:``/``data:`` links do not survive, whatever the Markdown produced.
"""

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

MARKDOWN_EXTENSIONS = [
    "abbr",
    "def_list",
    "fenced_code",
    "footnotes",
    "tables",
    "sane_lists",
    "smarty",
]
# Alignment as an attribute: the cleaner strips every style attribute.
MARKDOWN_EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}}

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr",
    "th", "td", "dl", "dt", "dd", "abbr", "sup", "sub", "div", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"align", "scope"},
    "td": {"align"},
    "ol": {"start"},
    # Footnotes link by id; only the footnote extension's own ids are kept (_keep_attribute).
    "sup": {"id"},
    "li": {"id"},
}
ALLOWED_CLASSES = {"div": {"footnote"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # Arbitrary ids would let text shadow names the page relies on (DOM clobbering), and
    # protocol-relative images would load from other sites (tracking pixels).
    if attribute == "id" and not value.startswith(("fn:", "fnref:")):
        return None
    if attribute == "src" and value.startswith("//"):
        return None
    return value


def render_markdown(text: str | None) -> SafeString:
    if not text:
        return mark_safe("")
    # Headings in member text start at h2: h1 is the page's own title.
    html = md.markdown(
        text,
        extensions=MARKDOWN_EXTENSIONS,
        extension_configs=MARKDOWN_EXTENSION_CONFIGS,
        output_format="html",
    )
    html = html.replace("<h1", "<h2").replace("</h1>", "</h2>")
    cleaned = clean_html(html)
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above


def clean_html(html: str, *, attribute_filter=_keep_attribute) -> str:
    """``html`` cut down to the portal's allow-list (tags, attributes, classes, link
    schemes; comments dropped, links ``rel="noopener noreferrer nofollow"``).
    ``attribute_filter`` may narrow it further (the e-mail's: images from the portal only)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=attribute_filter,
        strip_comments=True,
    )
