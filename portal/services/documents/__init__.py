"""Documents both ways (issue 15): published documents, document asks, expiry reminders."""
