"""Agents: the shop's seats with status, skills, load and cap; an agent's settings and online status."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.tickets import agents
from services.tickets.policy import context_and_policy
from services.tickets.schemas.team import AgentIn, AgentOut, AgentStatusIn
from services.tickets.views import agent_seats
from shoplab.plumbing.web import db

agents_api = Blueprint("agents", __name__, description="Agents: skills, caps and online status")


@agents_api.route("/shops/<shop_id>/agents")
class Agents(MethodView):
    @agents_api.response(200, AgentOut(many=True))
    def get(self, shop_id: str):
        """The shop's agents with their status, skills, load and cap."""
        with db().reading() as session:
            _, policy = context_and_policy(session, shop_id)
            return agent_seats(session, shop_id, policy)


@agents_api.route("/shops/<shop_id>/agents/<agent_id>")
class AgentDetail(MethodView):
    @agents_api.arguments(AgentIn)
    @agents_api.response(200, AgentOut)
    def patch(self, data, shop_id: str, agent_id: str):
        """Set an agent's skill groups (empty = every group) and own cap."""
        with db().writing() as session:
            ctx, policy = context_and_policy(session, shop_id)
            agents.update_agent(session, ctx, policy, agent_id, data)
            return agent_seats(session, shop_id, policy, agent_id)[0]


@agents_api.route("/shops/<shop_id>/agents/<agent_id>/status")
class AgentStatus(MethodView):
    @agents_api.arguments(AgentStatusIn)
    @agents_api.response(200, AgentOut)
    def post(self, data, shop_id: str, agent_id: str):
        """online (takes waiting work), away (keeps tickets, gets no new ones), offline (hands tickets back)."""
        with db().writing() as session:
            ctx, policy = context_and_policy(session, shop_id)
            agents.set_status(session, ctx, policy, agent_id, data["status"])
            return agent_seats(session, shop_id, policy, agent_id)[0]
