"""python -m portal.seed [--size demo|large] [--if-empty] [--as-of YYYY-MM-DD]

Syncs the tenant row with tenants/<PORTAL_TENANT>.toml, then loads the demo data set (and, for
`large`, the fleet customer). With --if-empty nothing is loaded into a database that already
has customers, so `make run` can call it every time.
"""

import os
import sys

# Demo data never sends real mail: what the seed "sends" lands in the demo outbox.
os.environ["MAIL_BACKEND"] = "outbox"

from portal.seed.cli import main  # noqa: E402  (the portal's settings read MAIL_BACKEND when first imported)

sys.exit(main())
