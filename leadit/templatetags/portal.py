from django import template

from leadit.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None):
    """``{{ member.description|markdown }}``: Markdown rendered and sanitised."""
    return render_markdown(text)
