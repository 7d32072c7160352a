"""The page a stale offset falls back to."""

from portal.services.common.paging import clamp_offset


def test_offsets_stay_on_a_page_that_exists():
    assert clamp_offset(50, 120, 25) == 50
    assert clamp_offset(125, 120, 25) == 100  # past the end: the last page
    assert clamp_offset(100, 100, 25) == 75
    assert clamp_offset(-25, 120, 25) == 0
    assert clamp_offset(25, 0, 25) == 0  # nothing left: the first page
