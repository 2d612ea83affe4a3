"""Every table, imported in one place so Alembic and the test suite see the whole schema."""

from opencom.admins.models import ActivityLog, Admin  # noqa: F401
from opencom.core.db import Base  # noqa: F401
from opencom.core.models import RateLimitWindow, ScrollCursor  # noqa: F401
from opencom.teams.models import Team, TeamMembership  # noqa: F401
from opencom.workspaces.models import ApiToken, Workspace  # noqa: F401
