"""DRF's own error messages that its catalogues leave in English for one of our languages (Italian lacks
about thirty, Spanish one), marked here so that this project's catalogues (locale/, which Django reads
before DRF's) translate them. Only messages an API client of this site can get are listed. Nothing imports
the names: `gettext_noop` only marks the strings for makemessages; DRF translates them when it raises.
"""
from django.utils.translation import gettext_noop

MESSAGES = [
    # exceptions.Throttled: "Request was throttled." and the wait (429)
    gettext_noop("Expected available in {wait} second."),
    gettext_noop("Expected available in {wait} seconds."),
    # serializer fields (400)
    gettext_noop("Invalid input."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Must be a valid UUID."),
    gettext_noop("Not a valid string."),
    gettext_noop("Datetime value out of range."),
    gettext_noop('Invalid datetime for the timezone "{timezone}".'),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    gettext_noop("This dictionary may not be empty."),
    gettext_noop("Surrogate characters are not allowed: U+{code_point:X}."),
]
