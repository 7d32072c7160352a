"""What an import reports without acting on it."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Finding:
    """A reconciliation warning or a record missing from a full file set: reported, nothing done."""

    record_type: str
    key: str
    message: str

    def as_text(self) -> str:
        return f"{self.record_type} {self.key}: {self.message}"
