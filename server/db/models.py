"""The tables of the first schema: users, projects, members, flows, flow versions and runs."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, new_id, utcnow

_ID = String(21)


class _Timestamps:
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class UserRow(_Timestamps, Base):
    """A person who signs in; `password_hash` is empty for the passwordless local user."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(Text, default="")
    platform_role: Mapped[str] = mapped_column(String(20), default="MEMBER")
    #: ACTIVE, or INACTIVE (deactivated by a platform admin: no sign-in, tokens refused).
    status: Mapped[str] = mapped_column(String(20), default="ACTIVE", server_default="ACTIVE")
    #: Raised to revoke every token issued before (deactivation, sign-out everywhere).
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ProjectRow(_Timestamps, Base):
    """A project: the scope of flows, runs and connections."""

    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    display_name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))


class ProjectMemberRow(_Timestamps, Base):
    """A user's role in a project."""

    __tablename__ = "project_members"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id", name="uq_project_members_project_user"),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))


class FlowRow(_Timestamps, Base):
    """A flow; its document lives in flow versions (one draft, any number of locked ones)."""

    __tablename__ = "flows"
    __table_args__ = (Index("ix_flows_project_created", "project_id", "created", "id"),)

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="DISABLED")
    published_version_id: Mapped[str | None] = mapped_column(_ID, default=None)
    folder_id: Mapped[str | None] = mapped_column(
        ForeignKey("folders.id", ondelete="SET NULL"), default=None, index=True
    )
    #: Why the trigger stopped (failed polls turned the flow off, on_disable failed); cleared on enable.
    trigger_error: Mapped[str | None] = mapped_column(Text, default=None)


class FlowVersionRow(_Timestamps, Base):
    """One version of a flow's document, in the format of engine.model.Flow.

    Documents, payloads and results are stored as `json`, not `jsonb`: jsonb reorders object keys,
    and the objects people write (a response body, headers) must come back in their order.
    """

    __tablename__ = "flow_versions"

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    flow_id: Mapped[str] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default="DRAFT")


class FlowRunRow(_Timestamps, Base):
    """A run of a flow version: its trigger payload, status and result (step records, response)."""

    __tablename__ = "flow_runs"
    __table_args__ = (
        Index("ix_flow_runs_project_created", "project_id", "created", "id"),
        # The few runs in flight, by project: the concurrency count and the sweeper read only
        # these. Queries name the status as a literal, not a parameter, so that every plan
        # (generic ones of prepared statements too) can use it.
        Index(
            "ix_flow_runs_active",
            "project_id",
            "status",
            postgresql_where=text("status IN ('QUEUED', 'RUNNING')"),
        ),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"), index=True)
    flow_version_id: Mapped[str] = mapped_column(ForeignKey("flow_versions.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(30), default="QUEUED")
    trigger_payload: Mapped[Any] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    started: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    #: The run log's state after its last checkpoint (engine RunLog without its entries).
    log_state: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: Grows by one each time the run starts RUNNING; an execution writes its checkpoints and
    #: its end only while the number is still its own (another worker took the run over).
    execution: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ApiKeyRow(_Timestamps, Base):
    """A platform API key; only its SHA-256 is stored, the key is shown once at creation."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    display_name: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    hashed_value: Mapped[str] = mapped_column(String(64), unique=True)
    truncated_value: Mapped[str] = mapped_column(String(8))
    last_used: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class SignInFailureRow(Base):
    """A failed sign-in, kept for the rate limit window (shared by every server of a team)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_email_created", "email", "created"),)

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserInvitationRow(_Timestamps, Base):
    """An invitation to join a project with a role; signing up with the email accepts it."""

    __tablename__ = "user_invitations"
    __table_args__ = (
        UniqueConstraint("email", "project_id", name="uq_user_invitations_email_project"),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), index=True)
    type: Mapped[str] = mapped_column(String(20), default="PROJECT")
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    project_role: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="PENDING")


class AppConnectionRow(_Timestamps, Base):
    """Credentials for a piece, in a project; `value` is encrypted and never leaves the server."""

    __tablename__ = "app_connections"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id", name="uq_app_connections_project_external"),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200))
    piece_name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="ACTIVE")
    encrypted_value: Mapped[str] = mapped_column(Text)


class FolderRow(_Timestamps, Base):
    """A folder of flows in a project."""

    __tablename__ = "folders"
    __table_args__ = (
        UniqueConstraint("project_id", "display_name", name="uq_folders_project_name"),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(200))


class TriggerSourceRow(_Timestamps, Base):
    """The trigger of an enabled flow, turned on (one row per flow): what fires it and when.

    SCHEDULE sources fire at `next_fire_at` (their cron in a time zone), POLLING ones are polled
    at `next_fire_at`, WEBHOOK and APP_WEBHOOK ones wait for requests.
    """

    __tablename__ = "trigger_sources"
    __table_args__ = (
        Index("ix_trigger_sources_strategy_next_fire_at", "strategy", "next_fire_at"),
    )

    flow_id: Mapped[str] = mapped_column(
        ForeignKey("flows.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    flow_version_id: Mapped[str] = mapped_column(ForeignKey("flow_versions.id", ondelete="CASCADE"))
    piece_name: Mapped[str] = mapped_column(String(200))
    piece_version: Mapped[str] = mapped_column(String(100))
    trigger_name: Mapped[str] = mapped_column(String(200))
    #: WEBHOOK, APP_WEBHOOK, POLLING or SCHEDULE.
    strategy: Mapped[str] = mapped_column(String(20))
    cron_expression: Mapped[str | None] = mapped_column(String(200), default=None)
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    #: The next schedule tick or poll; None for webhooks.
    next_fire_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    #: Polls that failed in a row (reset by a successful one).
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    #: The newest item the trigger produced (the builder's sample of the trigger's output).
    sample_data: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)


class StoreEntryRow(_Timestamps, Base):
    """A value pieces keep between runs (`ctx.store`), or a client put through the API.

    FLOW-scoped keys are stored as `flow_<flowId>/<key>` (as in Activepieces), PROJECT-scoped
    ones as they are.
    """

    __tablename__ = "store_entries"
    __table_args__ = (UniqueConstraint("project_id", "key", name="uq_store_entries_project_key"),)

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    value: Mapped[Any] = mapped_column(JSON)


class FileRow(_Timestamps, Base):
    """A file a step wrote (`ctx.files`) or a client uploaded, kept in the database."""

    __tablename__ = "files"

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    #: The run that wrote it; the file goes when the run is deleted (retention).
    run_id: Mapped[str | None] = mapped_column(
        ForeignKey("flow_runs.id", ondelete="CASCADE"), default=None, index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class SampleDataRow(_Timestamps, Base):
    """Sample input or output of a flow's step, shown in the builder's data panel."""

    __tablename__ = "sample_data"
    __table_args__ = (
        UniqueConstraint("flow_id", "step_name", "type", name="uq_sample_data_flow_step_type"),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    flow_id: Mapped[str] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"))
    step_name: Mapped[str] = mapped_column(String(100))
    #: INPUT or OUTPUT.
    type: Mapped[str] = mapped_column(String(10))
    data: Mapped[Any] = mapped_column(JSON)


class TemplateRow(_Timestamps, Base):
    """A flow document shared with the whole platform, to start new flows from."""

    __tablename__ = "templates"
    __table_args__ = (Index("ix_templates_created", "created", "id"),)

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    display_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Who created it (None once that user is deleted).
    owner_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    flow: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuditEventRow(Base):
    """Something that happened: who did what, when, in which project (ids kept after deletions)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_created", "created", "id"),)

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    action: Mapped[str] = mapped_column(String(60), index=True)
    user_id: Mapped[str | None] = mapped_column(_ID, default=None)
    project_id: Mapped[str | None] = mapped_column(_ID, default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RunLogEntryRow(Base):
    """One step record of a run's durable log, in the order the engine wrote them."""

    __tablename__ = "run_log_entries"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("flow_runs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class RunOutputRow(Base):
    """A step output too large for the run log, which keeps a reference to it."""

    __tablename__ = "run_outputs"

    ref: Mapped[str] = mapped_column(String(300), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("flow_runs.id", ondelete="CASCADE"), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class WaitpointRow(_Timestamps, Base):
    """A point a run waits at; PENDING until resumed, then COMPLETED with the resume payload."""

    __tablename__ = "waitpoints"
    __table_args__ = (UniqueConstraint("run_id", "step_path"),)

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    run_id: Mapped[str] = mapped_column(ForeignKey("flow_runs.id", ondelete="CASCADE"), index=True)
    step_path: Mapped[str] = mapped_column(String(500))
    type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="PENDING")
    resume_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    response_to_send: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    resume_payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class PieceInstallationRow(_Timestamps, Base):
    """A piece wheel a platform admin installed; every server and worker unpacks it locally."""

    __tablename__ = "piece_installations"
    __table_args__ = (
        UniqueConstraint("name", "version", name="uq_piece_installations_name_version"),
    )

    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    #: The distribution's name and version (from the wheel's METADATA).
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(100))
    wheel: Mapped[bytes] = mapped_column(LargeBinary)


class HiddenPieceRow(Base):
    """A piece a project's admins hid from the project's piece list."""

    __tablename__ = "project_hidden_pieces"

    project_id: Mapped[str] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    piece_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
