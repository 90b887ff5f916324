"""Wire forms of the scalar types that JSON lacks: durations, decimals and UUIDs.

The codec, the JSON Schema and the generated workers share these patterns so that a
string the schema accepts is a string the decoder accepts.
"""

from __future__ import annotations

import re
from datetime import timedelta

DECIMAL_PATTERN = r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$"

# `datetime.isoformat()` and `time.isoformat()` output, with the offset optional:
# naive values have none, which RFC 3339's `date-time` format does not allow, so
# the schema states these patterns instead of `format`.
_CLOCK = r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?"
_OFFSET = r"(?:[Zz]|[+-]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?"
DATETIME_PATTERN = rf"^\d{{4}}-\d{{2}}-\d{{2}}[Tt ]{_CLOCK}{_OFFSET}$"
TIME_PATTERN = rf"^{_CLOCK}{_OFFSET}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DURATION_PATTERN = r"^[-+]?P(?!$)(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d{1,6})?S)?)?$"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

# ISO 8601 durations with days, hours, minutes and seconds. Years and months are
# rejected because their length in days depends on the calendar.
_DURATION = re.compile(
    r"^(?P<sign>[-+])?P(?!$)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)(?:[.,](?P<fraction>\d{1,6}))?S)?)?$"
)

_MICROSECONDS_PER_SECOND = 1_000_000


def format_duration(value: timedelta) -> str:
    """Format a timedelta as an ISO 8601 duration such as `-P1DT2H3M4.5S`."""
    total = (value.days * 86_400 + value.seconds) * _MICROSECONDS_PER_SECOND + value.microseconds
    sign = "-" if total < 0 else ""
    total = abs(total)
    seconds, microseconds = divmod(total, _MICROSECONDS_PER_SECOND)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)

    text = f"{sign}P"
    if days:
        text += f"{days}D"
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if seconds or microseconds or not (days or clock):
        clock += str(seconds)
        if microseconds:
            clock += "." + f"{microseconds:06d}".rstrip("0")
        clock += "S"
    if clock:
        text += "T" + clock
    return text


def parse_duration(text: str) -> timedelta:
    """Parse an ISO 8601 duration; raise `ValueError` for other text."""
    match = _DURATION.match(text)
    if match is None or text.endswith("T"):
        raise ValueError(f"invalid ISO 8601 duration {text!r}; expected a form such as 'P1DT2H30M' or 'PT0.5S'")
    parts = match.groupdict()
    fraction = parts["fraction"] or ""
    microseconds = int(fraction.ljust(6, "0")) if fraction else 0
    try:
        result = timedelta(
            weeks=int(parts["weeks"] or 0),
            days=int(parts["days"] or 0),
            hours=int(parts["hours"] or 0),
            minutes=int(parts["minutes"] or 0),
            seconds=int(parts["seconds"] or 0),
            microseconds=microseconds,
        )
    except OverflowError:
        raise ValueError(f"duration {text!r} is out of range; the maximum is 999999999 days") from None
    return -result if parts["sign"] == "-" else result
