"""Reclami: the customer's complaints and the desk's queue (issue 15)."""

from portal.pages.complaints import customer, desk

__all__ = ["customer", "desk"]
