"""What technology plugs into the portal's registries and signals. Each helper module that
exists is registered here, so ``apps.py`` stays one call. (Its workplan metrics are
registered by workplan/metrics.py: workplan is a higher layer, it imports us.)"""

from importlib import import_module

CONTRIBUTING_MODULES = ["signals", "home", "newsletter", "guideline_pdf"]


def register() -> None:
    for name in CONTRIBUTING_MODULES:
        try:
            module = import_module(f"technology.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"technology.{name}":
                raise
            continue
        module.register()
