"""When governance work is overdue: a subject access request is answered within one calendar month of its receipt
(UK GDPR Article 12(3); as the ICO counts it, where the next month has no such day the answer is due on that month's
last day), and a retention review is due on its date."""

from calendar import monthrange
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


def respond_by(received_on: date) -> date:
    """The last day to answer a subject access request received on `received_on`."""
    return received_on + relativedelta(months=1)


def answers_overdue_if_received_by(today: date) -> date:
    """The latest receipt date whose answer is overdue today (its `respond_by` is before today), so one indexed
    condition (`received_on <= this`) finds every overdue request. The month's end is handled as `respond_by` does:
    on 1 March, requests received up to 31 January (due 28 February) are overdue."""
    yesterday = today - timedelta(days=1)
    if yesterday.day == monthrange(yesterday.year, yesterday.month)[1]:
        return yesterday.replace(day=1) - timedelta(days=1)
    return yesterday - relativedelta(months=1)
