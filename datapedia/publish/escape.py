"""The one escaper: untrusted text (fiches arrive in pull requests, servers answer what
they like) made inert for the site's Markdown and HTML, and for GitHub bodies.

The site flavour turns every character that could start Markdown, extension or HTML
syntax into an entity, so the text reads the same but can never become markup. The
GitHub flavour (PR comments, issue bodies) also breaks the references GitHub would
turn into cross-links or notifications. The joiners are Python string escapes, so no
locale can mangle them.
"""

from __future__ import annotations

import functools
import html
import json
import re
from typing import Any

from markupsafe import Markup

# HTML-escape first, then turn every character that starts Markdown or extension
# syntax able to create links, images, attributes, code or includes into an
# entity: the text still reads the same, but it can no longer become markup.
_MD_ENTITIES = {
    "[": "&#91;",
    "]": "&#93;",
    "{": "&#123;",
    "}": "&#125;",
    "`": "&#96;",
    "\\": "&#92;",
    "|": "&#124;",
    "!": "&#33;",
    ":": "&#58;",
}
_MD_RE = re.compile("[" + re.escape("".join(_MD_ENTITIES)) + "]")
# Text that can neither be HTML nor start or contain Markdown syntax.
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ,/-]*")
_DANGEROUS_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data)\s*:")


def trusted(text: str) -> Markup:
    """Mark text built here from escaped parts as final; the one place that does so."""
    return Markup(text)  # noqa: S704 (every untrusted part went through _escape_text)


def _escape_text(text: str) -> str:
    escaped = html.escape(text, quote=True)
    return _MD_RE.sub(lambda m: _MD_ENTITIES[m.group()], escaped)


def md(value: Any) -> Markup:
    """One line of untrusted text, safe in Markdown, table cells and raw HTML."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    return _md_line(str(value))


# Every value on every page passes here (~190 on a dataset page) and most recur
# (labels, statuses, owners, units): cached, each is escaped once per process.
@functools.lru_cache(maxsize=1 << 16)
def _md_line(value: str) -> Markup:
    if _PLAIN.fullmatch(value):
        return trusted(value)  # the common case (ids, labels, numbers): nothing to escape
    text = _escape_text(re.sub(r"\s+", " ", value))
    # A leading '#', '-', '+', '*', '=' or 'n. ' would start a block (heading, list),
    # '???' a collapsible block (pymdownx.details: "??? in-orde dp-ok" drew a green
    # pill); '!' and ':' (admonitions, definitions, ':::') are entities already.
    body = text.lstrip()
    lead = text[: len(text) - len(body)]
    numbered = re.match(r"^(\d+)([.)])(?=\s|$)", body)
    if numbered:
        body = f"{numbered[1]}&#{ord(numbered[2])};{body[numbered.end() :]}"
    elif body[:1] in ("#", "-", "+", "*", "=", "~", "_", "?"):
        body = f"&#{ord(body[0])};{body[1:]}"
    return trusted(lead + body)


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def md_text(value: Any) -> Markup:
    """Like ``md``, but `code` in backticks is shown as code (fiche authors write it).

    Only for text shown as page content, never inside an HTML attribute.
    """
    if value is None:
        return Markup("")
    parts = _CODE_SPAN.split(str(value))
    # Odd parts were inside backticks; a <code> element (not a Markdown code span,
    # which would print our entities literally) keeps them escaped and readable.
    out = [
        str(md(part)) if i % 2 == 0 else f"<code>{md(part)}</code>" for i, part in enumerate(parts)
    ]
    return trusted("".join(out))


def md_block(value: Any) -> Markup:
    """Untrusted multi-line text (a description): paragraphs kept, no markup possible."""
    if value is None:
        return Markup("")
    paragraphs = re.split(r"\n\s*\n", str(value).strip())
    return trusted("\n\n".join(str(md_text(p.strip())) for p in paragraphs if p.strip()))


def plain(value: Any) -> str:
    """Text for the mkdocs page title and tags, which the theme prints without escaping."""
    return html.escape(" ".join(str(value).split()), quote=True)


def safe_url(url: Any) -> str | None:
    text = str(url or "").strip()
    if not re.match(r"(?i)^https?://[^\s]+$", text) or _DANGEROUS_SCHEME.search(text):
        return None
    return text


def ext_link(text: Any, url: Any) -> Markup:
    """An external link, only for http(s); otherwise just the escaped text."""
    target = safe_url(url)
    label = md(text if text not in (None, "") else url)
    if target is None:
        return label
    # Inline HTML rather than Markdown link syntax: the URL cannot break out of
    # an attribute once quoted, and it works in Markdown and in raw HTML blocks.
    href = _escape_text(target)
    return trusted(f'<a href="{href}" rel="nofollow noopener">{label}</a>')


def mail_link(email: Any) -> Markup:
    text = str(email)
    if not re.fullmatch(r"[^@\s<>\"'()\[\]]+@[A-Za-z0-9.-]+", text):
        return md(text)
    return trusted(f'<a href="mailto:{_escape_text(text)}">{md(text)}</a>')


# --- GitHub bodies ----------------------------------------------------------------------
# GitHub refuses comments over 65,536 characters; six dimensions of evidence must fit.
EVIDENCE_LIMIT = 4000

# Inline only (table cells, one line): these are the characters that can start
# emphasis, code, links or images, or end a table cell, wherever they stand.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
# GitHub autolinks these in issues and comments; a word joiner (U+2060) inside breaks
# the link and the notification to the other issue, and reads the same.
_WORD_JOINER = "\u2060"
_GITHUB_REFERENCE = re.compile(r"(#|\bGH-)(?=\d)|(?<=[A-Za-z0-9])(://)|\b(www)(\.)", re.I)


def github_text(value: object) -> str:
    """Untrusted text as inert inline Markdown on one line of a GitHub body."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # A zero-width space after '@' stops GitHub from notifying whoever is named.
    return neutralise_references(text.replace("@", "@\u200b"))


def neutralise_references(text: str) -> str:
    """``#12``, ``org/repo#3``, ``GH-2``, ``https://…`` and ``www.…`` as plain text."""

    def joined(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1) + _WORD_JOINER
        if match.group(2):
            return ":" + _WORD_JOINER + "//"
        return match.group(3) + _WORD_JOINER + match.group(4)

    return _GITHUB_REFERENCE.sub(joined, text)


def github_code_block(value: Any, limit: int = EVIDENCE_LIMIT) -> str:
    """Evidence as a JSON block whose fence is longer than any backtick run inside it."""
    body = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    if len(body) > limit:
        body = body[:limit] + "\n… (ingekort; het volledige bewijs staat in checks/)"
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}json\n{body}\n{fence}"
