"""`ctx.store` backed by the database: what a run's piece steps keep between runs."""

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pieces.framework.store import StoreScope, check_key, encode_value
from server.services.store_entries import read_value, remove_value, scoped_key, write_value


class DatabaseStore:
    """The framework's Store for one flow of one project; each call is one short transaction.

    FLOW keys are private to the flow, PROJECT keys shared by the project's flows; both are the
    project's store entries (`GET /api/v1/store-entries` reads them). Keys and values are checked
    against the framework's limits (128 characters, 512 KB of JSON) with StoreError.
    """

    def __init__(
        self, *, sessions: Callable[[], AsyncSession], project_id: str, flow_id: str
    ) -> None:
        self._sessions = sessions
        self._project_id = project_id
        self._flow_id = flow_id

    async def get(self, key: str, *, scope: StoreScope = StoreScope.FLOW) -> Any:
        async with self._sessions() as session:
            return await _get(session, self._project_id, self._key(key, scope))

    async def put(self, key: str, value: Any, *, scope: StoreScope = StoreScope.FLOW) -> Any:
        stored, encoded = self._key(key, scope), encode_value(value)
        async with self._sessions() as session:
            await write_value(
                session, project_id=self._project_id, key=stored, value=json.loads(encoded)
            )
            await session.commit()
        return value

    async def delete(self, key: str, *, scope: StoreScope = StoreScope.FLOW) -> None:
        async with self._sessions() as session:
            await remove_value(session, project_id=self._project_id, key=self._key(key, scope))
            await session.commit()

    def _key(self, key: str, scope: StoreScope) -> str:
        return scoped_key(check_key(key), scope=StoreScope(scope), flow_id=self._flow_id)


class TransactionStore:
    """The same store, written in the caller's transaction (the caller commits): what a poll
    keeps (its dedupe state) is committed with the runs it creates, or rolled back with them."""

    def __init__(self, *, session: AsyncSession, project_id: str, flow_id: str) -> None:
        self._session = session
        self._project_id = project_id
        self._flow_id = flow_id

    async def get(self, key: str, *, scope: StoreScope = StoreScope.FLOW) -> Any:
        return await _get(self._session, self._project_id, self._key(key, scope))

    async def put(self, key: str, value: Any, *, scope: StoreScope = StoreScope.FLOW) -> Any:
        stored, encoded = self._key(key, scope), encode_value(value)
        await write_value(
            self._session, project_id=self._project_id, key=stored, value=json.loads(encoded)
        )
        return value

    async def delete(self, key: str, *, scope: StoreScope = StoreScope.FLOW) -> None:
        await remove_value(self._session, project_id=self._project_id, key=self._key(key, scope))

    def _key(self, key: str, scope: StoreScope) -> str:
        return scoped_key(check_key(key), scope=StoreScope(scope), flow_id=self._flow_id)


async def _get(session: AsyncSession, project_id: str, key: str) -> Any:
    row = await read_value(session, project_id=project_id, key=key)
    return None if row is None else row.value
