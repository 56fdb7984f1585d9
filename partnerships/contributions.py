"""What partnerships plugs into the portal's registries and signals. Each helper module
that exists is registered here, so ``apps.py`` stays one call."""

from importlib import import_module

# Modules that register themselves with a ``register()`` function when imported here:
# the page-cache signals, the home page's numbers, the newsletter section, the factsheet's
# answer to a lost render job. (Its workplan
# metrics are registered by workplan/metrics.py: workplan is a higher layer, it imports us.)
CONTRIBUTING_MODULES = ["signals", "home", "newsletter", "factsheet"]


def register() -> None:
    for name in CONTRIBUTING_MODULES:
        try:
            module = import_module(f"partnerships.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"partnerships.{name}":
                raise
            continue
        module.register()
