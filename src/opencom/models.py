"""Every table, imported in one place so Alembic and the test suite see the whole schema."""

from opencom.admins.models import ActivityLog, Admin  # noqa: F401
from opencom.companies.models import Company, CompanyTag  # noqa: F401
from opencom.contacts.models import Contact, ContactCompany, ContactSubscription, ContactTag  # noqa: F401
from opencom.core.db import Base, never_reuse_sqlite_ids
from opencom.core.models import RateLimitWindow, ScrollCursor  # noqa: F401
from opencom.data_attributes.models import DataAttribute  # noqa: F401
from opencom.data_events.models import DataEvent, DataEventSummary  # noqa: F401
from opencom.notes.models import Note  # noqa: F401
from opencom.segments.models import Segment  # noqa: F401
from opencom.subscription_types.models import SubscriptionType  # noqa: F401
from opencom.tags.models import Tag  # noqa: F401
from opencom.teams.models import Team, TeamMembership  # noqa: F401
from opencom.visitors.models import Visitor  # noqa: F401
from opencom.workspaces.models import ApiToken, Workspace  # noqa: F401

never_reuse_sqlite_ids(Base.metadata)
