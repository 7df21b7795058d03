"""How numbers of the plan read to a person: "10", "6", "2.5", never "1E+1"."""

from decimal import Decimal


def plain_number(value):
    """A decimal without trailing zeros or exponent: 10.00 → "10", 2.50 → "2.5".

    ``Decimal.normalize()`` alone turns 10 into 1E+1; the "f" format writes it out.
    Anything that is not a Decimal is returned as it is.
    """
    if not isinstance(value, Decimal):
        return value
    return format(value.normalize(), "f")
