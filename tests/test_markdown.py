"""``render_markdown`` and the ``markdown`` template filter: legit Markdown survives, and
whatever people type (raw HTML, script URLs, event handlers, style) comes out inert."""

import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from leadit.markdown import render_markdown

REL = 'rel="noopener noreferrer nofollow"'

FORBIDDEN_SUBSTRINGS = (
    "<script",
    "javascript:",
    "vbscript:",
    "data:text",
    "<iframe",
    "<style",
    "<form",
    "<object",
    "<embed",
    "<base",
    "<meta",
    "<svg",
    "<math",
    "style=",
)
FORBIDDEN_TAGS = {
    "script", "iframe", "style", "form", "input", "object", "embed", "base", "meta",
    "svg", "math", "noscript", "link",
}  # fmt: skip
EVENT_ATTRIBUTE = re.compile(r"<[^>]*\son\w+\s*=")
QUOTED_VALUE = re.compile(r"\"[^\"]*\"|'[^']*'")
SAFE_URL = re.compile(r"^(https?:|mailto:|#|[^:]*$)")


class _TagCollector(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def _tags(html):
    parser = _TagCollector()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_inert(html):
    lowered = str(html).lower()
    for needle in FORBIDDEN_SUBSTRINGS:
        assert needle not in lowered, f"{needle!r} in {lowered!r}"
    # Event handlers: the regex runs with quoted attribute values blanked out, so escaped
    # text inside a title (``title="a&quot; onmouseover=..."``) is not a false positive.
    assert not EVENT_ATTRIBUTE.search(QUOTED_VALUE.sub('""', lowered)), lowered
    for tag, attrs in _tags(lowered):
        assert tag not in FORBIDDEN_TAGS, (tag, lowered)
        for name, value in attrs:
            assert not name.startswith("on"), (name, lowered)
            assert name != "style", lowered
            if name in {"href", "src", "action", "formaction", "xlink:href"}:
                url = (value or "").strip()
                assert SAFE_URL.match(url), (name, url, lowered)
                assert not url.startswith("file:"), (name, url, lowered)


# Legit Markdown ------------------------------------------------------------------------


def test_heading_h1_is_demoted_to_h2():
    text = "# Title\n\n### Section"

    html = render_markdown(text)

    assert html == "<h2>Title</h2>\n<h3>Section</h3>"


def test_emphasis_renders_em_and_strong():
    text = "*soft* and **loud**"

    html = render_markdown(text)

    assert html == "<p><em>soft</em> and <strong>loud</strong></p>"


def test_list_unordered_renders_ul():
    text = "- steel\n- cement"

    html = render_markdown(text)

    assert html == "<ul>\n<li>steel</li>\n<li>cement</li>\n</ul>"


def test_list_ordered_keeps_start_number():
    text = "3. third\n4. fourth"

    html = render_markdown(text)

    assert html == '<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>'


@pytest.mark.parametrize(
    "url",
    [
        "https://www.industrytransition.org",
        "http://example.org/a?b=1",
        "mailto:secretariat@example.org",
    ],
)
def test_link_allowed_scheme_keeps_href_and_gets_rel(url):
    text = f"[LeadIT]({url})"

    html = render_markdown(text)

    assert html == f'<p><a href="{url}" {REL}>LeadIT</a></p>'


def test_link_with_title_keeps_title():
    text = '[LeadIT](https://example.org "The secretariat")'

    html = render_markdown(text)

    assert html == f'<p><a href="https://example.org" title="The secretariat" {REL}>LeadIT</a></p>'


def test_table_renders_thead_and_tbody():
    text = "| Member | Country |\n|---|---|\n| SSAB | Sweden |"

    html = render_markdown(text)

    assert html == (
        "<table>\n<thead>\n<tr>\n<th>Member</th>\n<th>Country</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>SSAB</td>\n<td>Sweden</td>\n</tr>\n</tbody>\n</table>"
    )


def test_footnote_renders_reference_and_note():
    text = "Net zero[^1]\n\n[^1]: By 2050."

    html = render_markdown(text)

    assert html == (
        f'<p>Net zero<sup id="fnref:1"><a href="#fn:1" {REL}>1</a></sup></p>\n'
        '<div class="footnote">\n<hr>\n<ol>\n<li id="fn:1">\n'
        "<p>By 2050.&nbsp;"
        '<a href="#fnref:1" title="Jump back to footnote 1 in the text" '
        f"{REL}>↩</a></p>\n</li>\n</ol>\n</div>"
    )


def test_code_block_fenced_escapes_markup():
    text = "```\nif a < b && c > d:\n    print('<b>')\n```"

    html = render_markdown(text)

    assert html == (
        "<pre><code>if a &lt; b &amp;&amp; c &gt; d:\n    print('&lt;b&gt;')\n</code></pre>"
    )


def test_code_inline_escapes_markup():
    text = "Use `<script>` never"

    html = render_markdown(text)

    assert html == "<p>Use <code>&lt;script&gt;</code> never</p>"


def test_image_https_keeps_src_and_alt():
    text = "![LeadIT logo](https://example.org/logo.png)"

    html = render_markdown(text)

    assert html == '<p><img alt="LeadIT logo" src="https://example.org/logo.png"></p>'


# Empty input and plain text --------------------------------------------------------------


@pytest.mark.parametrize("text", [None, ""])
def test_render_empty_input_returns_empty_safestring(text):
    html = render_markdown(text)

    assert html == ""
    assert isinstance(html, SafeString)


def test_render_result_is_safestring():
    html = render_markdown("hello")

    assert isinstance(html, SafeString)
    assert html == "<p>hello</p>"


def test_plain_text_angle_brackets_and_ampersand_are_escaped():
    text = "a < b & c > d"

    html = render_markdown(text)

    assert html == "<p>a &lt; b &amp; c &gt; d</p>"


# XSS corpus ------------------------------------------------------------------------------

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<form action="https://evil.example"><input name=x></form>',
    '<object data="x.swf">',
    "<embed src=x>",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<a href="vbscript:msgbox(1)">x</a>',
    "![x](javascript:alert(1))",
    '<img src="file:///etc/passwd">',
    '<div onclick="alert(1)">x</div>',
    '[x](https://ok.example "a\\" onmouseover=\\"alert(1)")',
    "<!-- <script> -->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_xss_payload_is_inert(payload):
    html = render_markdown(payload)

    assert_inert(html)


def test_xss_script_tag_is_removed_with_its_content():
    html = render_markdown("<script>alert(1)</script>")

    assert html == ""


def test_xss_javascript_link_loses_href_keeps_text():
    html = render_markdown("[x](javascript:alert(1))")

    assert html == f"<p><a {REL}>x</a></p>"


def test_xss_img_onerror_is_stripped():
    html = render_markdown("<img src=x onerror=alert(1)>")

    assert html == '<p><img src="x"></p>'


def test_xss_link_title_breakout_stays_inside_title():
    text = '[x](https://ok.example "a\\" onmouseover=\\"alert(1)")'

    html = render_markdown(text)

    assert html == (
        '<p><a href="https://ok.example" title="a&quot; onmouseover=&quot;alert(1)" '
        f"{REL}>x</a></p>"
    )
    assert _tags(html) == [
        ("p", []),
        (
            "a",
            [
                ("href", "https://ok.example"),
                ("title", 'a" onmouseover="alert(1)'),
                ("rel", "noopener noreferrer nofollow"),
            ],
        ),
    ]


def test_xss_inline_style_is_stripped():
    html = render_markdown('<p style="background:url(javascript:alert(1))">x</p>')

    assert html == "<p>x</p>"


def test_xss_div_onclick_is_stripped():
    html = render_markdown('<div onclick="alert(1)">x</div>')

    assert html == "<div>x</div>"


def test_xss_file_url_image_loses_src():
    html = render_markdown('<img src="file:///etc/passwd">')

    assert html == "<p><img></p>"


# Template filter -------------------------------------------------------------------------


def test_filter_markdown_renders_legit_and_neutralises_malicious():
    template = Template("{% load portal %}{{ text|markdown }}")
    text = (
        "## Roadmap\n\n**Steel** first. [site](https://example.org)\n\n"
        "<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1))"
    )

    output = template.render(Context({"text": text}))

    assert_inert(output)
    assert "<h2>Roadmap</h2>" in output
    assert "<strong>Steel</strong>" in output
    assert f'<a href="https://example.org" {REL}>site</a>' in output
    assert "alert(1)</script>" not in output


def test_filter_markdown_empty_value_renders_nothing():
    template = Template("{% load portal %}[{{ text|markdown }}]")

    output = template.render(Context({"text": None}))

    assert output == "[]"


def test_table_column_alignment_survives_as_attribute():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")

    assert '<th align="left">a</th>' in html
    assert '<td align="right">2</td>' in html


def test_raw_html_id_is_dropped_but_footnote_ids_stay():
    html = render_markdown('<li id="csrf-token">x</li>\n\nText[^1]\n\n[^1]: Note')

    assert 'id="csrf-token"' not in html
    assert 'id="fnref:1"' in html
    assert 'id="fn:1"' in html


def test_image_protocol_relative_src_is_dropped():
    html = render_markdown("![pixel](//tracker.example/p.png)")

    assert html == '<p><img alt="pixel"></p>'
