"""python -m portal.integration import PATH [--dry-run]

Imports a file set of the interchange format (docs/INTEGRATION.md) into the tenant named by
PORTAL_TENANT; exits 0 when imported (or valid, in a dry run), 1 when a record was rejected.
"""

import sys

from portal.integration.cli import main

sys.exit(main())
