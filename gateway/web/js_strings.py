"""The words our scripts show (errors in words, the live state, countdowns, the composer), in the page's language:
given to the scripts as one JSON attribute of ``<body>``, so they go through the catalogue like every template
string and no script carries text of its own."""

from __future__ import annotations

from gateway.web.language import gettext as _


def js_strings() -> dict[str, str]:
    return {
        # refusals of the public API, by status
        "error_400": _("The request was not understood."),
        "error_401": _("Your sign-in has ended: sign in again."),
        "error_403": _("You are not allowed to do this."),
        "error_404": _("It no longer exists, or it is not yours."),
        "error_405": _("This cannot be done here."),
        "error_409": _("Refused: it no longer fits the current state."),
        "error_422": _("Refused: check what you entered."),
        "error_429": _("Too many attempts: wait a moment."),
        "error_503": _("A service is not answering; try again in a moment."),
        "error_network": _("No connection to ShopLab; try again."),
        "error_other": _("Something went wrong."),
        # why a payment reminder was refused (the orders service's reasons)
        "reason_too_soon_after_order": _("Too soon after the order: let the buyer finish paying first."),
        "reason_too_soon_after_last_reminder": _("Too soon after the last reminder."),
        "reason_limit_reached": _("This order has had all the reminders it may get."),
        "reason_buyer_quiet_hours": _("It is night where the buyer lives: no reminders now."),
        "reason_payment_window_closed": _("The payment window has closed."),
        "reason_order_paid": _("The order is paid already."),
        "reason_order_cancelled": _("The order is cancelled."),
        "next_allowed": _("Possible from (shop time):"),
        "held_by": _("Another agent holds this conversation."),
        # success and progress
        "done": _("Done"),
        "sending": _("Sending…"),
        # the live connection
        "live_connecting": _("Connecting…"),
        "live_on": _("Live"),
        "live_lost": _("Connection lost, reconnecting…"),
        "signed_out": _("Your sign-in has ended."),
        # countdowns and the 100-second rule
        "overdue": _("overdue"),
        "waited": _("waited"),
        "paused": _("clock paused"),
        "qianniu_title": _("A buyer has waited over 100 seconds"),
        "qianniu_go": _("Answer the longest-waiting buyer"),
        "qianniu_badge": _("over 100 s"),
        # the composer
        "no_phrase": _("No quick phrase matches. Save one under “New quick phrase”."),
        "phrase_filled": _("Quick phrase, filled from the order:"),
        "phrase_missing": _("This conversation has no value yet for:"),
        "check_ok": _("No platform rule broken."),
        "check_refuse": _("Breaks a platform rule, the reply will be refused:"),
        "check_warn": _("Allowed with a warning:"),
        "sent_with_warning": _("Sent, with a platform rule warning:"),
        "refused_rule": _("Not sent: it breaks the platform's rules."),
        "words": _("words"),
    }
