"""The customer's own data (GDPR art. 15 and 20, issue 15): the copy of it and the access log."""
