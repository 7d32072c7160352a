"""Background work: durable jobs (tasks.py, procrastinate on PostgreSQL), the worker command
(`python -m portal.jobs worker`), what the app runs itself (embedded.py) and commands for cron or
by hand (billing.py, mail.py)."""
