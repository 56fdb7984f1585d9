"""What the technology admin pages share with the partnerships admin (history, import and
export, the demo column, read-only rows) and the rules its forms state in plain words."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from partnerships.admin.common import (
    HTTPS_URLS,
    ImportExportAdmin,
    PortalAdmin,
    ReadOnlyInline,
    demo_column,
    usd_text,
)

from ..resources import CONSTRAINTS_TOLD, budget_set, rule_errors

__all__ = [
    "HTTPS_URLS",
    "ImportExportAdmin",
    "PortalAdmin",
    "ProjectForm",
    "ReadOnlyInline",
    "RulesForm",
    "demo_column",
    "usd_text",
]


def _names_a_told_constraint(error: ValidationError) -> bool:
    return any(f"“{name}”" in message for message in error.messages for name in CONSTRAINTS_TOLD)


class RulesForm(forms.ModelForm):
    """A form whose record's rules are told in words by field (``rule_errors``) instead of
    the database's "Constraint “…” is violated"; nothing is saved while one is broken."""

    def _post_clean(self):
        super()._post_clean()
        told = rule_errors(self.instance, already=set(self._errors))
        if not told:
            return
        self._update_errors(ValidationError(told))
        general = self._errors.get(NON_FIELD_ERRORS)
        if general is None:
            return
        kept = [error for error in general.as_data() if not _names_a_told_constraint(error)]
        if kept:
            self._errors[NON_FIELD_ERRORS] = self.error_class(kept, error_class="nonfield")
        else:
            del self._errors[NON_FIELD_ERRORS]


class ProjectForm(RulesForm):
    """A co-development project: its budget's currency checked and converted to US dollars
    at today's rate, as the partnerships admin does for its amounts."""

    def _post_clean(self):
        super()._post_clean()
        try:
            budget_set(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)
