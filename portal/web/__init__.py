"""The HTTP layer in front of the whole app (Reflex's routes, its websocket and portal/api.py):
security headers, the upload gate, the same-origin checks of the session routes."""
