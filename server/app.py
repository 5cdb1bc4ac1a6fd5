"""The FastAPI application: routes, error bodies, and a lifespan that starts the server context."""

import contextlib
from collections.abc import AsyncIterator
from importlib.metadata import version
from typing import Any

from fastapi import APIRouter, FastAPI

from server.api import (
    api_keys,
    app_connections,
    audit_events,
    authentication,
    files,
    flow_runs,
    flows,
    folders,
    health,
    live,
    members,
    pieces,
    projects,
    sample_data,
    store_entries,
    templates,
    test_runs,
    users,
    waitpoints,
    webhooks,
    worker_machines,
)
from server.api.errors import install_error_handlers
from server.context import ServerContext, open_context
from server.settings import Settings


def create_app(settings: Settings, *, context: ServerContext | None = None) -> FastAPI:
    """Builds the app.

    Its lifespan starts the database (embedded or external), migrations and the worker, unless the
    caller (the `piecework server` command) started them already and passes the `context`.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if context is not None:
            app.state.context = context
            yield
            return
        async with open_context(settings.with_secrets(), worker=settings.run_worker) as opened:
            app.state.context = opened
            yield

    app = FastAPI(
        title="Piecework",
        version=version("piecework"),
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    # Webhook calls are answered ahead of the routes below (see `webhooks`).
    app.add_middleware(webhooks.WebhookRoutes)
    described = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            webhooks.document(described())
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]
    api = APIRouter(prefix="/api/v1")
    # Routes are matched in order: the paths called most (the engine's waitpoints) first. No
    # path of theirs matches another router's, so the order changes nothing else.
    for module in (
        waitpoints,
        health,
        authentication,
        api_keys,
        projects,
        users,
        members,
        folders,
        flows,
        test_runs,
        flow_runs,
        pieces,
        app_connections,
        store_entries,
        files,
        audit_events,
        sample_data,
        templates,
        live,
        worker_machines,
    ):
        api.include_router(module.router)
    app.include_router(api)
    return app
