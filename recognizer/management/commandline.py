"""How a management command was run, for the metrics file of the model it made."""
from collections.abc import Iterable


def command_line(name: str, options: dict, keys: Iterable[str]) -> str:
    """`python manage.py NAME --flag value ...` from the parsed options, so `call_command` records
    the same as the shell; unset (None) and off (False) options are left out."""
    parts = ["python", "manage.py", name]
    for key in keys:
        value = options[key]
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        parts.append(flag if value is True else f"{flag} {value}")
    return " ".join(parts)
