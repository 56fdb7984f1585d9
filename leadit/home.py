"""What apps add to the home page. leadit imports no app: each app registers, in its
``AppConfig.ready()``,

* its **numbers** ("LeadIT in numbers": members, countries, roadmaps…) with
  :func:`register_home_numbers`: a function that returns :class:`HomeNumber` objects in a
  fixed number of queries, whatever the data size;
* its **sections** (the map, next events, latest briefs…) with :func:`register_home_section`;
* the models the home page shows, with :func:`home_depends_on`, so that a change to them
  makes the cached home page stale at once.

``leadit.views.home`` renders the numbers, then the sections, in ``order``.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest

from .cache import invalidate

# The page-cache namespace of the home page (and only of it).
HOME_CACHE_NAMESPACE = "home"
# A backstop for what no signal announces (bulk imports, an event that has just begun):
# the cached home page is rendered afresh at least this often.
HOME_CACHE_SECONDS = 15 * 60


@dataclass(frozen=True)
class HomeSection:
    key: str
    template: str
    context: Callable[[HttpRequest], dict]
    order: int = 100


@dataclass(frozen=True)
class HomeNumber:
    """One figure of "LeadIT in numbers": ``value`` with its ``label`` ("roadmaps"), a
    link to where it comes from and a short note (what is left out, e.g. demo records)."""

    value: int
    label: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class HomeNumbers:
    key: str
    compute: Callable[[], list[HomeNumber]]
    order: int = 100


HOME_SECTIONS: dict[str, HomeSection] = {}
HOME_NUMBERS: dict[str, HomeNumbers] = {}


def register_home_section(
    *, key: str, template: str, context: Callable[[HttpRequest], dict], order: int = 100
) -> None:
    """Add (or replace) the home section ``key``: ``template`` rendered with
    ``context(request)``."""
    HOME_SECTIONS[key] = HomeSection(key=key, template=template, context=context, order=order)


def home_sections() -> list[HomeSection]:
    return sorted(HOME_SECTIONS.values(), key=lambda s: (s.order, s.key))


def register_home_numbers(
    *, key: str, compute: Callable[[], list[HomeNumber]], order: int = 100
) -> None:
    """Add (or replace) the group of numbers ``key``: ``compute()`` gives them, in a fixed
    number of queries."""
    HOME_NUMBERS[key] = HomeNumbers(key=key, compute=compute, order=order)


def home_numbers() -> list[HomeNumber]:
    numbers: list[HomeNumber] = []
    for group in sorted(HOME_NUMBERS.values(), key=lambda g: (g.order, g.key)):
        numbers += group.compute()
    return numbers


def _home_data_changed(sender, **kwargs) -> None:
    invalidate(HOME_CACHE_NAMESPACE)
    # Again after the commit: a page rendered meanwhile saw the data before the change.
    transaction.on_commit(lambda: invalidate(HOME_CACHE_NAMESPACE))


def home_depends_on(models: Iterable[type[Model]]) -> None:
    """Make the cached home page stale whenever a row of ``models`` (or one of their list
    fields) is saved or deleted."""
    for model in models:
        label = model._meta.label_lower
        post_save.connect(_home_data_changed, sender=model, dispatch_uid=f"home-save-{label}")
        post_delete.connect(_home_data_changed, sender=model, dispatch_uid=f"home-del-{label}")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _home_data_changed,
                sender=through,
                dispatch_uid=f"home-m2m-{through._meta.label_lower}",
            )
