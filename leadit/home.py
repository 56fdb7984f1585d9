"""Sections that apps add to the home page. leadit imports no app: each app registers its
section in its ``AppConfig.ready()``; ``leadit.views.home`` renders them in ``order``."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class HomeSection:
    key: str
    template: str
    context: Callable[[HttpRequest], dict]
    order: int = 100


HOME_SECTIONS: dict[str, HomeSection] = {}


def register_home_section(
    *, key: str, template: str, context: Callable[[HttpRequest], dict], order: int = 100
) -> None:
    """Add (or replace) the home section ``key``: ``template`` rendered with
    ``context(request)``."""
    HOME_SECTIONS[key] = HomeSection(key=key, template=template, context=context, order=order)


def home_sections() -> list[HomeSection]:
    return sorted(HOME_SECTIONS.values(), key=lambda s: (s.order, s.key))
