"""Messages in a language: the gettext catalogs, the text direction, and values kept in their order."""
import gettext as _gettext
import string
from pathlib import Path

import numpy as np

#: The notebook's folder: this package lies in it.
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent

# Unicode isolates: LRI ... PDI keeps a value left to right inside right-to-left text;
# RLI ... PDI makes a whole line right to left even in a left-to-right output area.
LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"


def _(text):
    """Marks *text* as a message to translate (the catalog tools look for this name)."""
    return text


gettext = _


class Language:
    """A language to show messages in: its code, whether it is written right to left, and where its
    catalogs (``<lang>/LC_MESSAGES/messages.mo``) are; English, or no catalog, shows the messages as written."""

    def __init__(self, code="en", right_to_left=False, locale_dirs=()):
        self.code, self.right_to_left, self.locale_dirs = code, bool(right_to_left), tuple(locale_dirs)
        self._translation = None

    def gettext(self, text):
        if self._translation is None:
            found = _gettext.NullTranslations()
            for folder in self.locale_dirs:
                found = _gettext.translation("messages", localedir=str(folder), languages=[self.code],
                                             fallback=True)
                if type(found) is not _gettext.NullTranslations:
                    break
            self._translation = found
        return self._translation.gettext(text)

    def __repr__(self):
        return f"Language({self.code!r}, right_to_left={self.right_to_left})"


def _read(name, default):
    path = NOTEBOOK_DIR / name
    return path.read_text(encoding="utf-8").strip() if path.exists() else default


#: The notebook's language, as the course build wrote it beside the notebook (LANGUAGE, DIRECTION).
NOTEBOOK = Language(_read("LANGUAGE", "en"), _read("DIRECTION", "ltr") == "rtl", [NOTEBOOK_DIR / "locale"])


def as_language(language):
    """*language* as a Language: None is the notebook's; a code is the notebook's language if it is its code."""
    if language is None:
        return NOTEBOOK
    if hasattr(language, "gettext") and hasattr(language, "right_to_left"):
        return language
    if language == NOTEBOOK.code:
        return NOTEBOOK
    return Language(language, locale_dirs=NOTEBOOK.locale_dirs)


def show(value):
    """*value* as printed in a message."""
    if type(value) is np.ndarray:
        return np.array2string(value, precision=8, separator=", ", max_line_width=100, threshold=40)
    return value if type(value) is str else repr(value)


def isolate(text, language):
    """In a right-to-left language, each line of *text* isolated left to right; else *text* itself."""
    if not as_language(language).right_to_left:
        return text
    return "\n".join(f"{LRI}{line}{PDI}" for line in text.split("\n"))


def isolate_lines(text, language):
    """In a right-to-left language, each line of *text* isolated right to left, so that it reads in order
    in a left-to-right output area; else *text* itself."""
    if not as_language(language).right_to_left:
        return text
    return "\n".join(f"{RLI}{line}{PDI}" if line.strip() else line for line in text.split("\n"))


class _Formatter(string.Formatter):
    def __init__(self, language):
        self.language = language

    def format_field(self, value, format_spec):
        if hasattr(value, "render"):
            return value.render(self.language, whole_lines=False)
        return isolate(show(value) if not format_spec else format(value, format_spec), self.language)


class Message:
    """An English message and its values, shown in the notebook's language (or any other)."""

    def __init__(self, text, /, **values):
        self.text, self.values = text, values

    def render(self, language=None, whole_lines=True):
        """The message in *language*; *whole_lines* isolates each line right to left where that is needed."""
        language = as_language(language)
        text = _Formatter(language).format(language.gettext(self.text), **self.values)
        return isolate_lines(text, language) if whole_lines else text

    def __str__(self):
        return self.render()

    def __repr__(self):
        return f"Message({self.text!r})"
