"""Links without arguments are reversed once per process; the answer still follows the
URLconf, the script prefix and the arguments."""

from django.template import engines
from django.test import override_settings
from django.urls import set_script_prefix

LINKS = (
    '{% url "members:index" %}|{% url "members:detail" slug=slug %}'
    '{% url "members:milestones" as milestones %}|{{ milestones }}'
    '{% url "no:such-page" as nothing %}|{{ nothing }}'
)


def _render(**context) -> str:
    return engines["django"].from_string(LINKS).render(context)


def test_links_without_arguments_follow_the_script_prefix():
    assert _render(slug="aurora") == "/members/|/members/aurora/|/members/milestones/|"
    set_script_prefix("/portal/")
    try:
        assert (
            _render(slug="nova")
            == "/portal/members/|/portal/members/nova/|/portal/members/milestones/|"
        )
    finally:
        set_script_prefix("/")


def test_links_follow_the_urlconf():
    assert _render(slug="aurora") == "/members/|/members/aurora/|/members/milestones/|"

    with override_settings(ROOT_URLCONF="tests.support.urls_mounted"):
        assert _render(slug="aurora") == "/network/|/network/aurora/|/network/milestones/|"

    assert _render(slug="aurora") == "/members/|/members/aurora/|/members/milestones/|"
