"""Published and test-run versions are parsed once per process; drafts are read every time."""

from pathlib import Path

from sqlalchemy import select, update

from server.db.models import FlowRow, FlowVersionRow
from server.services.frozen_versions import flow_version
from tests.engine.builders import code, flow
from tests.server.conftest import sign_up
from tests.server.helpers import publish, sample, server_without_worker


async def test_a_published_version_is_read_once_and_a_draft_every_time(
    tmp_path: Path, database_url: str
) -> None:
    async with server_without_worker(tmp_path, database_url) as (api, context):
        flow_id = await publish(api, await sign_up(api), sample())
        async with context.sessions() as session:
            flow = await session.get(FlowRow, flow_id)
            assert flow is not None
            assert flow.published_version_id is not None
            published_id = flow.published_version_id
            draft_id = await session.scalar(
                select(FlowVersionRow.id).where(
                    FlowVersionRow.flow_id == flow_id, FlowVersionRow.state == "DRAFT"
                )
            )
            assert draft_id is not None
            published = await flow_version(session, published_id)
            draft = await flow_version(session, draft_id)
        assert published is not None
        assert draft is not None
        assert (published.state, draft.state) == ("LOCKED", "DRAFT")

        # Both definitions change in the database (a draft is edited; a published version never
        # is, which is what makes keeping it parsed right).
        renamed = {**sample(), "displayName": "Renamed"}
        async with context.sessions() as session:
            await session.execute(update(FlowVersionRow).values(definition=renamed))
            await session.commit()
        async with context.sessions() as session:
            again = await flow_version(session, published_id)
            edited = await flow_version(session, draft_id)
        assert again is published  # kept: no query, no parsing
        assert edited is not None
        assert edited.flow.display_name == "Renamed"
        assert published.flow.display_name != "Renamed"


async def test_a_version_knows_whether_its_runs_need_connection_values(
    tmp_path: Path, database_url: str
) -> None:
    async with server_without_worker(tmp_path, database_url) as (api, context):
        owner = await sign_up(api)
        reads = flow(
            code("step_1", "export const code = async (i) => i", pg="{{connections['pg']}}")
        )
        flow_ids = [
            await publish(api, owner, document)
            for document in (sample(), reads.model_dump(mode="json"))
        ]
        async with context.sessions() as session:
            kept = []
            for flow_id in flow_ids:
                row = await session.get(FlowRow, flow_id)
                assert row is not None
                assert row.published_version_id is not None
                kept.append(await flow_version(session, row.published_version_id))
    assert [version.uses_connections for version in kept if version] == [False, True]
