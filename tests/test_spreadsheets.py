"""leadit.spreadsheets: formula escaping and the import preview's diff."""

import datetime

import pytest

from leadit.spreadsheets import StyleFreeDiff, escape_formula, unescape_formula


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("https://evil.example")', '\'=HYPERLINK("https://evil.example")'),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Sweden", "Sweden"),
        ("a=b", "a=b"),
        ("", ""),
        ("'s-Hertogenbosch", "'s-Hertogenbosch"),
    ],
)
def test_escape_formula_prefixes_dangerous_text(value, expected):
    assert escape_formula(value) == expected


@pytest.mark.parametrize("value", [None, -5, 3.5, True, datetime.date(2025, 11, 10)])
def test_escape_formula_leaves_non_text_alone(value):
    assert escape_formula(value) == value


@pytest.mark.parametrize("value", ["=1+1", "-5", "@x", "Sweden", "'s-Hertogenbosch", "'quoted'"])
def test_unescape_formula_undoes_escape(value):
    assert unescape_formula(escape_formula(value)) == value


def test_style_free_diff_marks_changes_without_inline_style():
    diff = StyleFreeDiff.__new__(StyleFreeDiff)
    diff.left, diff.right, diff.new = ["Old <name>"], ["New <name>"], False

    (html,) = diff.as_html()

    assert "style=" not in html
    assert html == "<del>Old</del><ins>New</ins><span> &lt;name&gt;</span>"
