"""The front matter, checked: its schema, its dates as a calendar has them, and the fields framing the received text."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

from ..model import MONTHS, Located, Meta
from ..problems import Problem
from .schema_errors import key_pattern, schema_problems

if TYPE_CHECKING:
    pass


def check_meta(front: Located) -> tuple[Meta | None, list[Problem]]:
    if not isinstance(front.data, dict):
        message = "front matter must be a mapping of keys to values, such as 'title: ...'"
        return None, [Problem(front.where(()), message)]
    problems = schema_problems(front, "front_matter.schema.json", root="the front matter")
    problems += _date_problems(front)
    if problems:
        return None, problems
    data = front.data
    frame = data.get("source_frame", {})
    fields = {key: data.get(key) for key in ("subtitle", "byline", "date", "summary", "source", "source_url",
                                             "source_label", "credit", "editor_note")}
    meta = Meta(title=data["title"], lang=data.get("lang", "en"), **fields,
                source_frame_before=tuple(frame.get("before", ())), source_frame_after=tuple(frame.get("after", ())))
    return meta, _frame_problems(front, meta)


def _date_problems(front: Located) -> list[Problem]:
    date = front.data.get("date")
    if not isinstance(date, str) or not key_pattern("front_matter.schema.json", "date").search(date):
        return []  # the schema has said what is wrong with its shape; here only the calendar and the clock
    mistake = _impossible(date)
    return [Problem(front.where(("date",)), f"'date' '{date}' {mistake}")] if mistake else []


# The fields of a date the schema's pattern has accepted: that pattern is the rule, this only takes it apart.
_DATE_FIELDS = re.compile(r"(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)"
                          r"(?:.(?P<hour>\d\d):(?P<minute>\d\d)(?::(?P<second>\d\d))?[.0-9]*"
                          r"(?P<offset>[+-](?P<offset_hour>\d\d):(?P<offset_minute>\d\d))?)?")


def _impossible(date: str) -> str | None:
    """Say what makes a date of the right shape impossible: 'there is no month 13'; None for a real one."""
    fields = _DATE_FIELDS.match(date)
    if fields is None:
        return None
    mistake = (_off_the_calendar(int(fields["year"]), int(fields["month"]), int(fields["day"]))
               or _off_the_clock(fields["hour"], fields["minute"], fields["second"])
               or _off_the_clock(fields["offset_hour"], fields["offset_minute"], None,
                                 f" in the offset {fields['offset']}"))
    if mistake:
        return f"is not a real date: {mistake}"
    try:
        datetime.datetime.fromisoformat(date).astimezone(datetime.UTC)  # as the feed and the sitemap read it
    except OverflowError:
        return "is out of range: in UTC it falls outside the years 1 to 9999"
    except ValueError:  # a form this Python reads otherwise than the schema says
        return "is not an ISO 8601 date (write it as 2023-11-16)"
    return None


def _off_the_calendar(year: int, month: int, day: int) -> str | None:
    if year == 0:
        return "there is no year 0"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if day == 0:
        return "there is no day 0"
    if day > _days_in(year, month):  # February has 29 days in a leap year
        return f"{MONTHS[month - 1]} {year} has no {_ordinal(day)} day"
    return None


def _days_in(year: int, month: int) -> int:
    # Not calendar.monthrange: the calendar module imports locale, a tenth of this package's own import time.
    if month == 12:
        return 31
    return (datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)).day


def _off_the_clock(hour: str | None, minute: str | None, second: str | None, place: str = "") -> str | None:
    for name, text, last in (("hour", hour, 23), ("minute", minute, 59), ("second", second, 59)):
        if text is not None and int(text) > last:
            return f"there is no {name} {int(text)}{place}"
    return None


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _frame_problems(front: Located, meta: Meta) -> list[Problem]:
    problems = []
    for side in ("before", "after"):
        for i, name in enumerate(getattr(meta, f"source_frame_{side}")):
            if not getattr(meta, name):
                where = front.where(("source_frame", side, i))
                problems.append(Problem(where, f"source_frame names '{name}', which the front matter does not set"))
    if (meta.source_frame_before or meta.source_frame_after) and not meta.source:
        problems.append(Problem(front.where(("source_frame",)), "source_frame needs 'source', the received text"))
    return problems
