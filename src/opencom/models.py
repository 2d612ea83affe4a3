"""Every table, imported in one place so Alembic and the test suite see the whole schema."""

from opencom.admins.models import ActivityLog, Admin, TeammateId  # noqa: F401
from opencom.articles.models import Article  # noqa: F401
from opencom.help_center.models import Collection, HelpCenter  # noqa: F401
from opencom.companies.models import Company, CompanyTag  # noqa: F401
from opencom.contacts.models import Contact, ContactCompany, ContactSubscription, ContactTag  # noqa: F401
from opencom.conversations.models import Conversation, ConversationContact, ConversationPart, ConversationTag  # noqa: F401
from opencom.messages.models import Message  # noqa: F401
from opencom.control.models import JournalEntry  # noqa: F401
from opencom.core.db import Base, never_reuse_sqlite_ids
from opencom.core.models import RateLimitWindow, ScrollCursor  # noqa: F401
from opencom.data_attributes.models import DataAttribute  # noqa: F401
from opencom.data_events.models import DataEvent, DataEventSummary  # noqa: F401
from opencom.data_export.models import DataExport, Job  # noqa: F401  (Job: core/jobs.py)
from opencom.notes.models import Note  # noqa: F401
from opencom.news.models import Newsfeed, NewsfeedAssignment, NewsItem, NewsNotification  # noqa: F401
from opencom.segments.models import Segment  # noqa: F401
from opencom.subscription_types.models import SubscriptionType  # noqa: F401
from opencom.tags.models import Tag  # noqa: F401
from opencom.teams.models import Team, TeamMembership  # noqa: F401
from opencom.ticket_types.models import TicketType, TicketTypeAttribute  # noqa: F401
from opencom.tickets.models import Ticket, TicketContact, TicketPart, TicketTag  # noqa: F401
from opencom.visitors.models import Visitor  # noqa: F401
from opencom.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription  # noqa: F401
from opencom.workspaces.models import ApiToken, Workspace  # noqa: F401

never_reuse_sqlite_ids(Base.metadata)
