"""Self-service forms: each module of this package defines one FORM; `registry()` collects them.

Adding a form is adding a module here (or one named in PORTAL_EXTRA_FORMS, a comma-separated
list of importable modules that define FORM): no page or state code. Its texts are catalogue keys
(form.<key>.title, field.…); a form outside this package brings its entries in FORM.messages.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil

from portal import i18n
from portal.services.requests.form_engine import FormDefinition

# The order of the Home page's self-service panel (the manual's).
ORDER = ("iban_change", "address_change", "other", "early_termination", "machine_ticket")


@functools.cache
def registry() -> dict[str, FormDefinition]:
    modules = [f"portal.forms.{info.name}" for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]
    modules += [name.strip() for name in os.environ.get("PORTAL_EXTRA_FORMS", "").split(",") if name.strip()]
    forms = {}
    for name in modules:
        form = getattr(importlib.import_module(name), "FORM", None)
        if isinstance(form, FormDefinition):
            if form.key in forms:
                raise ValueError(f"two forms use the key {form.key!r}")
            for lang, messages in form.messages.items():
                i18n.add_messages(lang, dict(messages))
            forms[form.key] = form
    return dict(sorted(forms.items(), key=lambda item: ORDER.index(item[0]) if item[0] in ORDER else len(ORDER)))


def get(key: str) -> FormDefinition | None:
    return registry().get(key)
