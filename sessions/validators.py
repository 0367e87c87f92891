import re

from django.core.exceptions import ValidationError

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate_hex_colour(value: str) -> None:
    if not HEX_COLOUR.match(value):
        raise ValidationError(
            "Enter a colour as # followed by six hexadecimal digits, such as #1d6fa5.",
            code="invalid_colour",
        )
