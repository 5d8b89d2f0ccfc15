"""What a person reads on a page: its visible text nodes and the attributes a browser shows or reads out.

Used by tests/recognizer/test_i18n.py to find page strings that escape translation: the same page is
rendered in English and in German, and a text the German page shows word for word as the English one
does was never translated. Scripts, styles and code samples are not read; everything else is, hidden
elements too (scripts show them later).
"""
import re
from gettext import GNUTranslations
from html.parser import HTMLParser
from pathlib import Path

import django
import rest_framework

SKIPPED = {"script", "style", "code", "kbd", "pre", "template"}  # not prose: code and key caps
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description"}
BUTTON_INPUTS = {"submit", "button", "reset"}
WORD = re.compile(r"[^\W\d_]{3,}")  # a word of three letters or more
DATA = re.compile(r"[\d/_.@=]")
PUNCTUATION = ",.;:!?()[]{}«»“”„\"'‘’…›‹—–-·"


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in SKIPPED:
            self._skipping += 1
        for name in READ_ATTRIBUTES & attributes.keys():
            self._add(attributes[name])
        if tag == "input" and attributes.get("type") in BUTTON_INPUTS:
            self._add(attributes.get("value"))
        if tag == "meta" and attributes.get("name") == "description":
            self._add(attributes.get("content"))

    def handle_endtag(self, tag):
        if tag in SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self._add(data)

    def _add(self, text):
        text = " ".join((text or "").split())
        if WORD.search(text):
            self.texts.append(text)


def readable_texts(html: str) -> set[str]:
    """Every text node and read attribute of `html` that holds a word, whitespace collapsed."""
    parser = _Texts()
    parser.feed(html)
    return set(parser.texts)


def words(text: str) -> set[str]:
    """The words of `text` (lower case), leaving out tokens that are data rather than language: anything with
    a digit, a slash, an underscore, a dot inside, an @ or an = (ids, versions, paths, file names, e-mail)."""
    found = set()
    for token in text.split():
        token = token.strip(PUNCTUATION)
        if token and not DATA.search(token):
            found.update(word.lower() for word in WORD.findall(token))
    return found


def framework_msgids() -> set[str]:
    """The strings Django and DRF themselves mark for translation (their English catalogues: Django ships
    the .po files, DRF only the .mo files): when one of them is not translated into German, that is the
    framework's gap, not this project's."""
    found = set()
    for root in (Path(django.__file__).parent, Path(rest_framework.__file__).parent):
        for po in root.glob("**/locale/en/LC_MESSAGES/django*.po"):
            found.update(re.findall(r'^msgid "(.+)"$', po.read_text(encoding="utf-8"), re.M))
        for mo in root.glob("**/locale/en/LC_MESSAGES/django*.mo"):
            with mo.open("rb") as file:
                found.update(key if isinstance(key, str) else key[0] for key in GNUTranslations(file)._catalog)
    return {msgid.split("\x04")[-1].replace('\\"', '"') for msgid in found if msgid}
