"""Message bodies and attachments: what a body looks like stored, as plain text, as search words.

Plain-text bodies are shown as HTML paragraphs (`Hello` -> `<p>Hello</p>`), as the examples show;
admins' HTML bodies keep their markup minus any <html>/<head>/<body> wrapper, and contacts' text
is escaped.

Attachments sent as base64 `attachment_files` are decoded and checked, but their bytes are not
kept: the server stores name, content type and size, and gives each file an opaque, content-
addressed `url` of the form `urn:opencom:attachment:<sha256 of the bytes>`. It is a reference,
not a download link (Opencom has no file store).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import mimetypes
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urlparse

from opencom.core.errors import parameter_invalid

MAX_ATTACHMENTS = 10
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_BODY = 65536
REDACTED_BODY = "<p><i>This message was deleted</i></p>"

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_WRAPPER = re.compile(r"<\s*/?\s*(html|body)\b[^>]*>|<\s*head\b[^>]*>.*?<\s*/\s*head\s*>", re.I | re.S)
_WORD = re.compile(r"\w+")
_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "ul", "ol", "blockquote", "pre"}


def is_html(text: str) -> bool:
    return bool(_TAG.search(text))


def to_html(text: str, *, allow_html: bool = True) -> str:
    """The stored form of a body. Contacts write plain text (upstream: "HTML is not supported"),
    so their markup is escaped; admins may write HTML."""
    if allow_html and is_html(text):
        return _WRAPPER.sub("", text).strip()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs) or ""


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS and self.out and not self.out[-1].endswith("\n"):
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        self.out.append(data)


def plain_text(body: str | None) -> str | None:
    """display_as=plaintext: the body without markup, one line per block."""
    if body is None:
        return None
    parser = _Text()
    parser.feed(body)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.out).split("\n")]
    return "\n".join(line for line in lines if line)


def words(body: str | None) -> str:
    """Lower-cased words separated by single spaces: `source.body` matches word by word."""
    return " ".join(_WORD.findall((plain_text(body) or "").lower()))


def check_body(value: Any, field: str = "body", *, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise parameter_invalid("Body is required", field)
        return None
    if not isinstance(value, str):
        raise parameter_invalid(f"{field} must be a string", field)
    if "\x00" in value:
        raise parameter_invalid(f"{field} must not contain NUL characters", field)
    if len(value) > MAX_BODY:
        raise parameter_invalid(f"{field} is longer than {MAX_BODY} characters", field)
    return value


def url_attachments(urls: Any, field: str = "attachment_urls") -> list[dict]:
    if urls is None:
        return []
    if not isinstance(urls, list):
        raise parameter_invalid(f"{field} must be an array of URLs", field)
    if len(urls) > MAX_ATTACHMENTS:
        raise parameter_invalid(f"{field} accepts at most {MAX_ATTACHMENTS} URLs", field)
    found = []
    for i, url in enumerate(urls):
        parsed = urlparse(url) if isinstance(url, str) else None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 2048:
            raise parameter_invalid(f"{field}[{i}] must be an http(s) URL", f"{field}[{i}]")
        name = unquote(parsed.path.rsplit("/", 1)[-1]) or parsed.netloc
        item = {"type": "upload", "name": name, "url": url}
        content_type = mimetypes.guess_type(parsed.path)[0]
        if content_type:
            item["content_type"] = content_type
        found.append(item)
    return found


def file_attachments(files: Any, field: str = "attachment_files") -> list[dict]:
    if files is None:
        return []
    if not isinstance(files, list):
        raise parameter_invalid(f"{field} must be an array of files", field)
    if len(files) > MAX_ATTACHMENTS:
        raise parameter_invalid(f"{field} accepts at most {MAX_ATTACHMENTS} files", field)
    return [_file(item, f"{field}[{i}]") for i, item in enumerate(files)]


def _file(item: Any, path: str) -> dict:
    if not isinstance(item, dict):
        raise parameter_invalid(f"{path} must be an object with content_type, data and name", path)
    for key in ("content_type", "data", "name"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise parameter_invalid(f"{path}.{key} is required", f"{path}.{key}")
    content_type = item["content_type"].strip()
    if not re.fullmatch(r"[\w.+-]+/[\w.+-]+", content_type):
        raise parameter_invalid(f"{path}.content_type is not a MIME type", f"{path}.content_type")
    try:
        data = base64.b64decode(item["data"], validate=True)
    except (binascii.Error, ValueError):
        raise parameter_invalid(f"{path}.data is not valid base64", f"{path}.data") from None
    if not data:
        raise parameter_invalid(f"{path}.data is empty", f"{path}.data")
    if len(data) > MAX_FILE_BYTES:
        raise parameter_invalid(f"{path}.data is larger than {MAX_FILE_BYTES} bytes", f"{path}.data")
    name = item["name"].strip()[:255]
    if "\x00" in name:
        raise parameter_invalid(f"{path}.name must not contain NUL characters", f"{path}.name")
    return {
        "type": "upload",
        "name": name,
        "url": f"urn:opencom:attachment:{hashlib.sha256(data).hexdigest()}",
        "content_type": content_type,
        "filesize": len(data),
    }
