"""Plan text is Markdown rendered to sanitised HTML."""

import pytest

from plans.markdown import render_markdown


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("We will **review** the plan", "<p>We will <strong>review</strong> the plan</p>"),
        ("- Children\n- Mental Health", "<ul>\n<li>Children</li>\n<li>Mental Health</li>\n</ul>"),
        ("# Foreword", "<h2>Foreword</h2>"),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
        ("", ""),
    ],
)  # fmt: skip
def test_rendering(source, html):
    assert str(render_markdown(source)).strip() == html


def test_links_are_kept_safe():
    html = str(render_markdown("[CCG](https://www.rotherhamccg.nhs.uk/)"))
    assert 'href="https://www.rotherhamccg.nhs.uk/"' in html
    assert 'rel="noopener noreferrer"' in html


def test_tables_render():
    html = str(render_markdown("| Provider | Value |\n|---|--:|\n| TRFT | £160M |"))
    assert "<table>" in html and "<td" in html and "£160M" in html


def test_column_alignment_is_a_class_not_a_style():
    # The pages' Content-Security-Policy refuses style attributes, so alignment is a class.
    html = str(render_markdown("| a | b |\n|--:|:-:|\n| 1 | 2 |"))
    assert 'class="app-align-right"' in html and 'class="app-align-center"' in html
    assert "style=" not in html
