"""A tab whose backend died keeps its state on another backend (issue 13).

Reflex 0.10's Redis token manager records, for each tab's token, which backend process holds its
websocket, for an hour (redis_token_expiration), and treats a token recorded for another process
as a second tab: it hands the browser a new token, so the tab starts over with an empty state.
When a backend is killed its records stay, and every tab it served loses its state on the backend
it reconnects to (seen in tests/deploy: the login's code step fell back to the password step).

Here each process holds a subscription in Redis to a channel named after itself, for as long as
it lives (a killed process's connection closes, and its subscription with it); a token recorded
for a process that no one subscribes for any more is an orphan: its record is dropped at once
and the tab keeps its token, and with it its state. A live process's tokens are still guarded
as Reflex guards them (a copied tab gets a new token).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle

from reflex.utils.token_manager import RedisTokenManager, TokenManager

logger = logging.getLogger(__name__)


def presence_channel(instance_id: str) -> str:
    return f"portal_token_manager_present_{instance_id}"


class FailoverTokenManager(RedisTokenManager):
    _presence: asyncio.Task | None = None

    async def _ensure_presence(self) -> None:
        """Subscribe to this process's channel (and keep listening) before it owns any token."""
        if self._presence is not None and not self._presence.done():
            return
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(presence_channel(self.instance_id))

        async def listen() -> None:
            try:
                async for _ in pubsub.listen():
                    pass  # nothing is ever sent: the subscription itself is the sign of life
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

        self._presence = asyncio.create_task(listen(), name="portal-token-presence")

    async def _is_present(self, instance_id: str) -> bool:
        counts = await self.redis.pubsub_numsub(presence_channel(instance_id))
        return any(int(count) > 0 for _, count in counts)

    async def _drop_orphan(self, token: str) -> None:
        """Forget the record of `token` when the process it names is gone."""
        raw = await self.redis.get(self._get_redis_key(token))
        if not raw:
            return
        record = pickle.loads(raw)
        if record.instance_id == self.instance_id or await self._is_present(record.instance_id):
            return
        await self.redis.delete(self._get_redis_key(token))
        logger.info("websocket taken over from a backend process that is gone")

    async def link_token_to_sid(self, token: str, sid: str) -> str | None:
        try:
            await self._ensure_presence()
            await self._drop_orphan(token)
        except Exception as error:  # Redis trouble: Reflex's own behaviour, which logs it
            logger.warning("token failover check failed (%s)", type(error).__name__)
        return await super().link_token_to_sid(token, sid)

    async def close(self) -> None:
        if self._presence is not None:
            self._presence.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._presence
            self._presence = None
        await super().close()


_reflex_create = TokenManager.create


def _create() -> TokenManager:
    chosen = _reflex_create()
    if isinstance(chosen, RedisTokenManager) and not isinstance(chosen, FailoverTokenManager):
        return FailoverTokenManager(chosen.redis)
    return chosen


def install() -> None:
    """Make Reflex create the failover token manager (call before rx.App is built)."""
    TokenManager.create = staticmethod(_create)  # pyright: ignore[reportAttributeAccessIssue]
