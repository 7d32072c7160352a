"""Batch jobs run outside the web app (from cron, or by hand)."""
