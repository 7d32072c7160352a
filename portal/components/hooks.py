"""React hooks that components add to the page (`add_hooks`), written as JavaScript."""

from __future__ import annotations

import reflex as rx


def use_effect(code: str, *reads: rx.Var) -> rx.Var:
    """A `useEffect(...)` statement; `reads` are the state vars the code names, so their values
    (and their imports) reach the page."""
    return rx.Var(
        code,
        _var_data=rx.vars.VarData.merge(
            *(var._get_all_var_data() for var in reads), rx.vars.VarData(imports={"react": ["useEffect"]})
        ),
    )
