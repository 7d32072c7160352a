"""The operating guide and FAQ inside the portal, and the accessibility statement: Markdown files
the leasing company edits (docs/GUIDE.md), loaded, parsed and searched here. No Reflex import."""
