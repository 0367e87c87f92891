import re
import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError


@cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(
            "“%(value)s” is not a known IANA time zone; use a name such as "
            "“America/New_York” or “Europe/Amsterdam”.",
            code="invalid_time_zone",
            params={"value": value},
        )


HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate_hex_colour(value: str) -> None:
    if not HEX_COLOUR.match(value):
        raise ValidationError(
            "Enter a colour as # followed by six hexadecimal digits, such as #1d6fa5.",
            code="invalid_colour",
        )
