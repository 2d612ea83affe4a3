"""The FastAPI application: routers mounted, protocol middleware on, errors rendered once."""

from __future__ import annotations

import gc
import logging
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text

from opencom import __version__
from opencom.admins.routes import router as admins_router
from opencom.control.routes import apply_seed, router as control_router
from opencom.control.inspection import router as control_inspection_router
from opencom.control.journal import Journal
from opencom.contacts.routes import router as contacts_router
from opencom.companies.routes import router as companies_router
from opencom.core import handlers, jobs
from opencom.core.db import Database, LoopReaders
from opencom.core.hot import HotPath
from opencom.contacts import hot as contacts_hot
from opencom.core.protocol import ProtocolMiddleware, RateLimiter
from opencom.core.responses import JSONResponse, respond
from opencom.core.settings import Settings, get_settings
from opencom.core.startup import prepare_database
from opencom.core.statistics import StatisticsKeeper
from opencom.teams.routes import router as teams_router
from opencom.subscription_types.routes import router as subscription_types_router
from opencom.data_attributes.routes import router as data_attributes_router
from opencom.data_events.routes import router as data_events_router
from opencom.visitors.routes import router as visitors_router
from opencom.tags.routes import router as tags_router
from opencom.segments.routes import router as segments_router
from opencom.notes.routes import router as notes_router
from opencom.conversations.routes import router as conversations_router
from opencom.messages.routes import router as messages_router
from opencom.switch.routes import router as switch_router
from opencom.articles.routes import router as articles_router
from opencom.help_center.routes import router as help_center_router
from opencom.tickets.routes import router as tickets_router
from opencom.ticket_types.routes import router as ticket_types_router
from opencom.news.routes import router as news_router
from opencom.data_export.routes import router as data_export_router
from opencom.webhooks import delivery as webhook_delivery
from opencom.webhooks.routes import router as webhooks_router

log = logging.getLogger("opencom")

ROUTERS = [control_router, control_inspection_router, admins_router, teams_router, contacts_router, companies_router, tags_router, segments_router, notes_router, subscription_types_router, data_attributes_router, data_events_router, visitors_router, news_router, ticket_types_router, tickets_router, articles_router, help_center_router, conversations_router, messages_router, switch_router, data_export_router, webhooks_router]


class Opencom(FastAPI):
    """The application; a request on a hot route (core.hot) is answered before FastAPI's stack."""

    hot: HotPath | None = None

    async def __call__(self, scope, receive, send) -> None:
        if self.hot is None or not await self.hot.handle(scope, receive, send):
            await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None, *, prepare: bool = True) -> FastAPI:
    settings = settings or get_settings()
    db = Database(settings.database_url)
    journal = Journal(db, enabled=settings.journal, max_entries=settings.journal_max)  # OPENCOM_JOURNAL
    # SQLite: reads done on the event loop itself (tokens, hot routes) use its own connection.
    readers = LoopReaders(db) if db.is_sqlite else None

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        apply_seed(settings)  # OPENCOM_SEED: before the bootstrap, so its ids are reproducible too
        if prepare:
            prepare_database(db, settings)
        worker = jobs.start_worker(db, settings)  # OPENCOM_JOBS_ENABLED
        statistics = StatisticsKeeper(db).start()  # SQLite planner statistics (search plans)
        deliverer = webhook_delivery.start(db, settings)  # OPENCOM_WEBHOOK_WORKERS
        journal.start()
        # What startup allocated (modules, models, compiled statements) lives as long as the
        # process: out of the collector's sight, a full collection no longer walks it — those
        # walks were the longest pauses under load.
        gc.collect()
        gc.freeze()
        yield
        if readers is not None:
            readers.close()
        journal.stop()  # writes what is still buffered
        webhook_delivery.stop(deliverer)
        jobs.stop_worker(worker)
        statistics.stop()
        db.dispose()

    app = Opencom(
        title="Opencom",
        version=__version__,
        lifespan=lifespan,
        default_response_class=JSONResponse,
        telemetry=_telemetry(),
        docs_url="/_opencom/docs",
        redoc_url=None,
        openapi_url="/_opencom/openapi.json",
    )
    app.state.db = db
    app.state.settings = settings
    app.state.journal = journal
    handlers.install(app)
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return respond({"status": "ok"})

    limiter = RateLimiter(db, settings.rate_limit) if settings.rate_limit > 0 else None
    app.add_middleware(ProtocolMiddleware, db=db, rate_limiter=limiter, journal=journal, readers=readers)
    if settings.hot_reads:
        protocol = ProtocolMiddleware(None, db=db, rate_limiter=limiter, journal=journal, readers=readers)
        app.hot = HotPath(protocol, contacts_hot.routes(db.engine.dialect))
    return app


# Set by `opencom serve --workers N`, which prepares the database once before starting them.
PREPARED_ENV = "OPENCOM_SERVE_PREPARED"


def _telemetry() -> dict | None:
    """FastAPI's native OpenTelemetry, only when the environment configures OpenTelemetry
    (some OTEL_* variable): otherwise every request asks the global providers, which read
    os.environ, to learn that there are none (~5% of a GET's CPU)."""
    if any(name.startswith("OTEL_") for name in os.environ):
        return None
    return {"tracing": False, "metrics": False, "logs": False}


def create_app_from_env() -> FastAPI:
    """The factory uvicorn's workers import (`opencom serve --workers N`)."""
    return create_app(prepare=os.environ.get(PREPARED_ENV) != "1")
