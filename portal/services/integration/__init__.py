"""What the portal shows of the integration with the core system: the import runs (the import
itself is portal/integration)."""
