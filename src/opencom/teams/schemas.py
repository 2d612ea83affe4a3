"""Serializers for teams."""

from __future__ import annotations

from opencom.teams.models import Team, TeamMembership


def team_json(team: Team, memberships: list[TeamMembership]) -> dict:
    return {
        "type": "team",
        "id": str(team.id),
        "name": team.name,
        "admin_ids": [m.admin_id for m in memberships],
        "admin_priority_level": {
            "primary_admin_ids": [m.admin_id for m in memberships if m.priority == "primary"],
            "secondary_admin_ids": [m.admin_id for m in memberships if m.priority == "secondary"],
        },
    }
