"""Requests to the service desk: tickets, the self-service form engine, attachments and the bell."""
