"""Requests handed back to the core system (docs/INTEGRATION.md §8). Services-level: no Reflex import.

- events.py: every change of a request writes one numbered event in the change's transaction;
- feed.py: the feed of those events with the requests they touched, the consumers' acknowledgements,
  and the attachments' bytes;
- status.py: status changes (and a message) sent by the core system, as a desk answer;
- webhooks.py: the same events pushed to the tenant's endpoints, signed, retried with backoff;
- document.py: a request as the core system reads it (plain JSON data).
The HTTP routes under /api/v1/requests call feed.feed, feed.acknowledge, status.apply_status and
feed.attachment; `python -m portal.integration.outbound webhooks ...` manages the endpoints.
"""
