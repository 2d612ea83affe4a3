from __future__ import annotations

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opencom.core.db import Base, IdInteger


class SubscriptionType(Base):
    __tablename__ = "subscription_types"

    id: Mapped[int] = mapped_column(IdInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16))  # live | draft | archived
    consent_type: Mapped[str] = mapped_column(String(8))  # opt_out | opt_in
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    # Other locales: [{"name", "description", "locale"}]
    translations: Mapped[list] = mapped_column(JSON, default=list)
    content_types: Mapped[list] = mapped_column(JSON, default=list)  # ["email", "sms_message"]
    created_at: Mapped[int] = mapped_column(BigInteger)
