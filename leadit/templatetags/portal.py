from django import template
from django.utils.html import format_html, format_html_join

from leadit.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None):
    """``{{ member.description|markdown }}``: Markdown rendered and sanitised."""
    return render_markdown(text)


@register.simple_tag
def column_heads(*labels: str):
    """``{% column_heads "Roadmap" "Scope" %}``: a table's head row, one ``<th scope="col">``
    a column, so that every table of the portal names its columns the same accessible way."""
    cells = format_html_join("", '<th scope="col">{}</th>', ((label,) for label in labels))
    return format_html("<thead><tr>{}</tr></thead>", cells)
