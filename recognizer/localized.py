"""Figures written the way the request's language writes them: 2,097,152 and 0.88 in English, 2.097.152 and
0,88 in German, 2 097 152 and 0,88 in French. Percentages have their own rule (recognizer/percent.py)."""
from django.utils.formats import number_format


def grouped(value: int) -> str:
    """A whole number with the language's thousands separator."""
    return number_format(value, force_grouping=True)


def decimal(value: float, places: int) -> str:
    """Rounded as Python rounds (`f"{value:.2f}"`), then written with the language's decimal mark.
    (`number_format` alone cuts the digits off instead of rounding them.)"""
    return number_format(round(value, places), places)
