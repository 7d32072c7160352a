"""Integration with the leasing company's core system: the interchange format (docs/INTEGRATION.md),
its readers, and the import service. Services-level: no Reflex import."""
