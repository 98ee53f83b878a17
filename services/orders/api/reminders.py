"""Payment reminder routes (催付): the due list, sending a reminder, and its result note."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from services.orders import reminders
from services.orders.models import Reminder
from services.orders.order_state import load_order
from services.orders.schemas.reminders import DueOut, DueQuery, ReminderIn, ReminderNoteIn, ReminderOut
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

reminders_api = Blueprint("reminders", __name__, description="Payment reminders (催付) and their result notes")


@reminders_api.route("/shops/<shop_id>/reminders/due")
class DueList(MethodView):
    @reminders_api.arguments(DueQuery(), location="query")
    @reminders_api.response(200, DueOut(many=True))
    def get(self, query, shop_id: str):
        """Unpaid orders that may be reminded now under the profile's rules, closest to their pay-by time first."""
        with db().reading() as session:
            return reminders.due_reminders(session, shop_context(session, shop_id), query["limit"])


@reminders_api.route("/shops/<shop_id>/orders/<order_id>/reminders")
class OrderReminders(MethodView):
    @reminders_api.response(200, ReminderOut(many=True))
    def get(self, shop_id: str, order_id: str):
        """The reminders sent for this order, with their notes."""
        with db().reading() as session:
            shop_context(session, shop_id)
            order = load_order(session, shop_id, order_id)
            return session.scalars(
                select(Reminder)
                .where(Reminder.shop_id == shop_id, Reminder.order_id == order.id)
                .order_by(Reminder.sent_at)
            ).all()

    @reminders_api.arguments(ReminderIn())
    @reminders_api.response(201, ReminderOut)
    def post(self, data, shop_id: str, order_id: str):
        """Send a payment reminder; 409 with ``reason`` and ``next_allowed_at`` when the rules do not allow it now."""
        with db().writing() as session:
            return reminders.send_reminder(session, shop_context(session, shop_id), order_id, **data)


@reminders_api.route("/shops/<shop_id>/orders/<order_id>/reminders/<reminder_id>/note")
class ReminderNote(MethodView):
    @reminders_api.arguments(ReminderNoteIn())
    @reminders_api.response(200, ReminderOut)
    def post(self, data, shop_id: str, order_id: str, reminder_id: str):
        """The reminder's result note (备注): why the buyer did not pay and what came of it."""
        with db().writing() as session:
            return reminders.note_reminder(session, shop_context(session, shop_id), order_id, reminder_id, **data)
