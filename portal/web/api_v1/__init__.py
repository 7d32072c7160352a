"""The integration's HTTP API under /api/v1/ (docs/INTEGRATION.md §7): authenticated by API keys
(portal/integration/keys.py), over the same import service as the command, described by the OpenAPI
document it serves. Its routes are mounted beside the portal's others (portal/api.py)."""
