"""Plan text is Markdown, rendered to sanitised HTML for pages and PDFs alike."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# CommonMark with tables and strikethrough; raw HTML in the source is escaped, not passed on.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"style"}, "td": {"style"}, "ol": {"start"}}


_ALIGN_STYLE = re.compile(r'style="text-align:\s*(left|right|center);?"')


def render_markdown(text: str) -> Markup:
    """Markdown to HTML that is safe to put in a page: only the tags above survive, links get
    rel="noopener noreferrer" and only http(s)/mailto schemes. Headings start at h2 (h1 is
    the page's title)."""
    html = _md.render(text or "")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    )
    # Column alignment as a class: the pages' Content-Security-Policy allows no style attribute.
    clean = _ALIGN_STYLE.sub(r'class="app-align-\1"', clean)
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
