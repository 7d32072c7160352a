"""Benchmarks (make bench). Seeding here never sends real mail."""

import os

os.environ["MAIL_BACKEND"] = "outbox"
