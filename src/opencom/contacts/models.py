from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base

_str = String(255)


class Contact(Base):
    """A user or a lead. Merged and deleted contacts are removed; archived ones stay, flagged."""

    __tablename__ = "contacts"
    __table_args__ = (
        # Uniqueness enforced by the database, so concurrent creates can't both win:
        # email among users, external_id among all contacts of a workspace.
        Index(
            "uq_contacts_user_email", "workspace_id", "email", unique=True,
            sqlite_where=text("role = 'user' AND email IS NOT NULL"),
            postgresql_where=text("role = 'user' AND email IS NOT NULL"),
        ),
        Index(
            "uq_contacts_external_id", "workspace_id", "external_id", unique=True,
            sqlite_where=text("external_id IS NOT NULL"), postgresql_where=text("external_id IS NOT NULL"),
        ),
        Index("ix_contacts_list", "workspace_id", "archived", "created_at", "id"),
        Index("ix_contacts_email", "workspace_id", "email"),
        Index("ix_contacts_phone", "workspace_id", "phone"),
        Index("ix_contacts_updated", "workspace_id", "updated_at"),
        # Name prefix searches (core.search.PrefixMatch): each database's case-insensitive form.
        Index(
            "ix_contacts_name_nocase", "workspace_id", text("name COLLATE NOCASE"), "archived", "created_at", "id"
        ).ddl_if(dialect="sqlite"),
        Index(
            "ix_contacts_name_lower", "workspace_id", text("lower(name) text_pattern_ops")
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(8))
    external_id: Mapped[str | None] = mapped_column(_str, nullable=True)
    email: Mapped[str | None] = mapped_column(_str, nullable=True)
    email_domain: Mapped[str | None] = mapped_column(_str, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    name: Mapped[str | None] = mapped_column(_str, nullable=True)
    avatar: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    owner_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    has_hard_bounced: Mapped[bool] = mapped_column(Boolean, default=False)
    marked_email_as_spam: Mapped[bool] = mapped_column(Boolean, default=False)
    unsubscribed_from_emails: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    signed_up_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_seen_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_replied_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_contacted_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_email_opened_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_email_clicked_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    language_override: Mapped[str | None] = mapped_column(String(32), nullable=True)
    browser: Mapped[str | None] = mapped_column(_str, nullable=True)
    browser_version: Mapped[str | None] = mapped_column(_str, nullable=True)
    browser_language: Mapped[str | None] = mapped_column(_str, nullable=True)
    os: Mapped[str | None] = mapped_column(_str, nullable=True)
    android_app_name: Mapped[str | None] = mapped_column(_str, nullable=True)
    android_app_version: Mapped[str | None] = mapped_column(_str, nullable=True)
    android_device: Mapped[str | None] = mapped_column(_str, nullable=True)
    android_os_version: Mapped[str | None] = mapped_column(_str, nullable=True)
    android_sdk_version: Mapped[str | None] = mapped_column(_str, nullable=True)
    android_last_seen_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    ios_app_name: Mapped[str | None] = mapped_column(_str, nullable=True)
    ios_app_version: Mapped[str | None] = mapped_column(_str, nullable=True)
    ios_device: Mapped[str | None] = mapped_column(_str, nullable=True)
    ios_os_version: Mapped[str | None] = mapped_column(_str, nullable=True)
    ios_sdk_version: Mapped[str | None] = mapped_column(_str, nullable=True)
    ios_last_seen_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    location_country: Mapped[str | None] = mapped_column(_str, nullable=True)
    location_region: Mapped[str | None] = mapped_column(_str, nullable=True)
    location_city: Mapped[str | None] = mapped_column(_str, nullable=True)
    location_country_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    location_continent_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    referrer: Mapped[str | None] = mapped_column(Text, nullable=True)
    utm_campaign: Mapped[str | None] = mapped_column(_str, nullable=True)
    utm_content: Mapped[str | None] = mapped_column(_str, nullable=True)
    utm_medium: Mapped[str | None] = mapped_column(_str, nullable=True)
    utm_source: Mapped[str | None] = mapped_column(_str, nullable=True)
    utm_term: Mapped[str | None] = mapped_column(_str, nullable=True)
    custom_attributes: Mapped[dict] = mapped_column(JSON, default=dict)


class ContactCompany(Base):
    __tablename__ = "contact_companies"

    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class ContactTag(Base):
    __tablename__ = "contact_tags"
    # The contacts holding a tag, read from the index alone (tag_id searches, tag deletion).
    __table_args__ = (Index("ix_contact_tags_tag_contact", "tag_id", "contact_id"),)

    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    applied_at: Mapped[int] = mapped_column(BigInteger)
    applied_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ContactSubscription(Base):
    """A contact's explicit choice on a subscription type: consent is "opt_in" or "opt_out"."""

    __tablename__ = "contact_subscriptions"

    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    subscription_type_id: Mapped[int] = mapped_column(
        ForeignKey("subscription_types.id", ondelete="CASCADE"), primary_key=True
    )
    consent: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[int] = mapped_column(BigInteger)


