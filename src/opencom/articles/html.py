"""Article bodies: what a client sends becomes the stored HTML, and its plain text is indexed."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BARE_P = re.compile(r"<p>", re.IGNORECASE)
_TAG = re.compile(r"<[a-zA-Z/!]")
_SPACES = re.compile(r"\s+")
# Tags after which text starts a new word even without whitespace in the source.
_BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "blockquote", "pre"})


def render_body(body: str) -> str:
    """Plain text is wrapped in paragraphs; bare <p> tags get the editor's class, as the examples show."""
    if not body.strip():
        return ""
    if _TAG.search(body) is None:
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        return "".join(f'<p class="no-margin">{html.escape(line, quote=False)}</p>' for line in lines)
    return _BARE_P.sub('<p class="no-margin">', body)


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def plain_text(body: str) -> str:
    parser = _TextOnly()
    parser.feed(body)
    parser.close()
    return _SPACES.sub(" ", "".join(parser.parts)).strip()
