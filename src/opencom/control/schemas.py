"""Request bodies of the control plane, and the JSON it answers with."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictFloat, StrictStr

from opencom.core.fields import no_nul
from opencom.workspaces.models import Workspace


def _no_bool(value):
    # pydantic's lax int takes true/false; a workspace id never is one.
    if isinstance(value, bool):
        raise ValueError("must be an integer")
    return value


# An integer, or its digit string (the API accepts both wherever ids go).
WorkspaceId = Annotated[int, BeforeValidator(_no_bool), Field(ge=1)]
Seconds = StrictFloat  # integers too; strings and booleans refused


class Body(BaseModel):
    # A typo in a control call ("advnace") should fail loudly, not be ignored.
    model_config = ConfigDict(extra="forbid")


class ResetRequest(Body):
    workspace_id: WorkspaceId | None = None


# Stored text: PostgreSQL can't hold NUL, so it is refused here rather than failing the commit.
Text = Annotated[StrictStr, AfterValidator(no_nul)]


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone name, like Europe/Dublin") from None
    return name


class WorkspaceCreate(Body):
    name: Annotated[Text, Field(min_length=1, max_length=255)]
    timezone: Annotated[Text, Field(min_length=1, max_length=64), AfterValidator(_time_zone)] = "UTC"
    owner_name: Annotated[Text, Field(min_length=1, max_length=255)] = "Workspace Owner"
    owner_email: Annotated[Text, Field(min_length=3, max_length=255)] = "owner@example.com"


class TokenCreate(Body):
    name: Annotated[Text, Field(max_length=255)] = "control"


class ClockChange(Body):
    workspace_id: WorkspaceId | None = None  # None: the process clock
    freeze: StrictBool | None = None
    at: Annotated[Seconds, Field(ge=0)] | None = None
    advance: Seconds | None = None
    reset: StrictBool = False


def workspace_json(workspace: Workspace) -> dict:
    return {
        "id": workspace.id,
        "id_code": workspace.id_code,
        "name": workspace.name,
        "region": workspace.region,
        "timezone": workspace.timezone,
        "is_default": workspace.is_default,
        "created_at": workspace.created_at,
    }
