from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base


class Company(Base):
    """A company. DELETE archives it (archived=True) and detaches its contacts."""

    __tablename__ = "companies"
    __table_args__ = (
        UniqueConstraint("workspace_id", "company_id"),
        Index("ix_companies_list", "workspace_id", "archived", "last_request_at", "id"),
        Index("ix_companies_name", "workspace_id", "name"),
    )

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    company_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    plan_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    plan_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    website: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    industry: Mapped[str | None] = mapped_column(String(255), nullable=True)
    monthly_spend: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    session_count: Mapped[int] = mapped_column(BigInteger, default=0)
    # Kept in step with contact_companies by the service, so lists can sort and filter on it.
    user_count: Mapped[int] = mapped_column(BigInteger, default=0)
    remote_created_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_request_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    custom_attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class CompanyTag(Base):
    __tablename__ = "company_tags"

    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)
    applied_at: Mapped[int] = mapped_column(BigInteger)
    applied_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
