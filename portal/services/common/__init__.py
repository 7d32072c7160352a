"""Pieces every domain uses: the clock, audit log, mail, branding, downloads, spreadsheet and PDF writers."""
