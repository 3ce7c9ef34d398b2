"""User text inside the page's Markdown: shown literally, never read as markup."""
from __future__ import annotations

import re


def plain(text: str) -> str:
    """``text`` with every ASCII punctuation mark backslash-escaped, so Markdown shows it literally
    (a formula's ``*`` and ``$`` would otherwise turn into emphasis and math)."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def code(text: str) -> str:
    """``text`` as an inline code span (backticks inside it become quotes)."""
    return "`" + text.replace("`", "'") + "`"
