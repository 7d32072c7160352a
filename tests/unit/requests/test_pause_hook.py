"""The durability tests' pause hook is inert unless a test turns it on, and never outside demo mode."""

from __future__ import annotations

import dataclasses

import pytest

from portal.services.requests import pause


def _arm(monkeypatch, tmp_path, *, demo: bool, hooks: str = "1", point: str = "after_files"):
    marker = tmp_path / "paused"
    monkeypatch.setattr(pause, "settings", dataclasses.replace(pause.settings, demo_mode=demo))
    monkeypatch.setenv("PORTAL_TEST_HOOKS", hooks)
    monkeypatch.setenv("PORTAL_TEST_PAUSE_AT", point)
    monkeypatch.setenv("PORTAL_TEST_PAUSE_FILE", str(marker))
    return marker


def test_the_hook_never_pauses_outside_demo_mode(monkeypatch, tmp_path):
    marker = _arm(monkeypatch, tmp_path, demo=False)
    pause.pause_at("after_files")  # returns: a production process never stops here
    assert not marker.exists()


def test_the_hook_needs_the_test_flag_and_its_own_point(monkeypatch, tmp_path):
    marker = _arm(monkeypatch, tmp_path, demo=True, hooks="")
    pause.pause_at("after_files")
    marker = _arm(monkeypatch, tmp_path, demo=True, point="after_commit")
    pause.pause_at("after_files")
    assert not marker.exists()


def test_an_armed_hook_stops_at_its_point(monkeypatch, tmp_path):
    marker = _arm(monkeypatch, tmp_path, demo=True)

    class Stopped(Exception):
        pass

    def stop(_seconds):
        raise Stopped  # where the real hook would wait for the test's SIGKILL

    monkeypatch.setattr(pause.time, "sleep", stop)
    with pytest.raises(Stopped):
        pause.pause_at("after_files")
    assert marker.read_text() == "after_files"
