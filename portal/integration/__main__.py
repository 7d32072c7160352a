"""python -m portal.integration import PATH [--dry-run]
python -m portal.integration keys create NAME --scope records:write [--scope ...] | keys list | keys revoke NAME

Imports a file set of the interchange format (docs/INTEGRATION.md) into the tenant named by
PORTAL_TENANT; exits 0 when imported (or valid, in a dry run), 1 when a record was rejected.
Manages the keys of the HTTP API (/api/v1/) of that tenant; exits 1 when a key is refused.
"""

import sys

from portal.integration.cli import main

sys.exit(main())
