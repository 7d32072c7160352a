"""The compiled schema checks (fast_check.py) never pass a record the JSON Schema validator would
reject, and do pass the well-formed records, so the validator only words the rejections."""

from __future__ import annotations

from typing import Any

import pytest

from portal.integration import fast_check
from portal.integration import format as fmt
from tests.unit.integration.conftest import file_set_copy

# Values of every JSON kind and of the format's value types, well-formed or nearly so.
ODD_VALUES: list[Any] = [
    "",
    " ",
    "x",
    "0",
    "01",
    "-0",
    "-1",
    "12.5",
    "12.50",
    "12.505",
    "1234567890123.00",
    "0.042500",
    "0.0425001",
    "-999.5",
    "1000.5",
    "12.50\n",
    "2024-02-29",
    "2023-02-29",
    "2024-13-01",
    "2024-1-01",
    "2024-01-01\n",
    "２０２４-01-01",
    "company",
    "person",
    "Company",
    "instalment",
    "bank_transfer",
    "invoice",
    "credit_note",
    "admin",
    "it",
    "2024/000123",
    "2024 000123",
    "C100",
    "a.pdf",
    ".pdf",
    "x" * 20,
    "x" * 21,
    "x" * 121,
    0,
    1,
    -1,
    3,
    1.0,
    1.5,
    True,
    False,
    None,
    [],
    {},
    ["C100"],
]


def _validator_finds_nothing(name: str, values: dict[str, Any]) -> bool:
    return next(iter(fmt.validator_of(name).iter_errors(values)), None) is None


@pytest.mark.parametrize("name", [record_type.name for record_type in fmt.RECORD_TYPES])
def test_a_record_passes_only_if_the_validator_finds_nothing(name: str) -> None:
    samples = file_set_copy()[name]
    assert samples
    for sample in samples:
        assert fast_check.passes(name, sample)  # the fast path is taken by good records
        assert _validator_finds_nothing(name, sample)
    sample = samples[0]
    tried = passed = 0
    for field in fmt.fields_of(name):
        for value in ODD_VALUES:
            changed = {**sample, field: value}
            tried += 1
            if fast_check.passes(name, changed):
                passed += 1
                assert _validator_finds_nothing(name, changed), (field, value)
        without = {key: value for key, value in sample.items() if key != field}
        if fast_check.passes(name, without):
            assert _validator_finds_nothing(name, without), field
    assert fast_check.passes(name, sample | {"extra": "x"}) is False
    assert 0 < passed < tried


def test_the_values_the_validator_refuses_are_refused() -> None:
    line = file_set_copy()["schedule_line"][0]
    for field, value in [
        ("due_date", "2023-02-29"),
        ("due_date", "2024-01-01\n"),
        ("amount", "12.505"),
        ("position", True),
        ("position", 0),
        ("kind", "Instalment"),
        ("contract_number", "x" * 21),
    ]:
        assert fast_check.passes("schedule_line", {**line, field: value}) is False
        assert not _validator_finds_nothing("schedule_line", {**line, field: value})
