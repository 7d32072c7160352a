"""Invoices, credit notes and payments: issuing, the screens' queries and exports, FatturaPA, PDFs and
publication."""
