"""Helpers shared by test suites (crafted clients of the running app)."""
