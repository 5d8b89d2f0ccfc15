"""One way to write a probability or a share as a percentage, everywhere it is shown: the admin's
drawings, numbers and model versions, the review queue, the comparison and monitoring pages and
`manage.py list_models`. The drawing page writes them with static/recognizer/percent.js, which follows
the same rule (tests/browser/test_keyboard_and_upload.py checks that both give the same text).

The rule, for a value p from 0 to 1 written with `decimals` places (1 for a model's answer; 2 for the
figures measured on thousands of validation images, FIGURE_DECIMALS):

- p is exactly 0 or exactly 1: "0 %" or "100 %", without decimals. Only an exact value is written so.
- otherwise 100·p rounded half up to `decimals` places ("87.3 %")...
- ...unless that rounding would make it look exact: a p above 0 that rounds to 0 is "<0.1 %" (p below
  0.0005 with one decimal), a p below 1 that rounds to 100 is ">99.9 %" (p of 0.9995 or more). So a
  page never shows "100.0 %" for one number and ">99.9 %" for the same number elsewhere.
- the number is localized by django.utils.formats.number_format (the active language's decimal
  separator: "99,9 %" in German), never grouped, with a no-break space before "%" so the sign never
  wraps onto a line of its own.
- None, NaN or infinity (a figure not measured, a damaged report): "—".

The API itself answers unrounded probabilities (the model's float32 outputs): a 1.0 there is a value
float32 cannot tell from 1 (within 6e-8), and the page then writes "100 %" for it, like every other place.
"""
import math
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

MISSING = "\u2014"
SPACE = "\u00a0"  # no-break space between the number and the sign
FIGURE_DECIMALS = 2  # accuracy, calibration error and refusal rates measured on validation sets


def format_percent(value: float | None, decimals: int = 1) -> str:
    """`value` (0-1) as a percentage by the rule above: "87.3 %", ">99.9 %", "<0.1 %", "0 %", "100 %"."""
    if value is None or isinstance(value, bool) or not math.isfinite(value):
        return MISSING
    if value == 0 or value == 1:
        return f"{int(value) * 100}{SPACE}%"
    step = Decimal(1).scaleb(-decimals)
    rounded = Decimal(value * 100).quantize(step, rounding=ROUND_HALF_UP)
    if 0 < value < 1 and rounded == 0:
        return f"<{_number(step, decimals)}{SPACE}%"
    if 0 < value < 1 and rounded == 100:
        return f">{_number(100 - step, decimals)}{SPACE}%"
    return f"{_number(rounded, decimals)}{SPACE}%"


def _number(value: Decimal, decimals: int) -> str:
    return number_format(value, decimal_pos=decimals, force_grouping=False)
