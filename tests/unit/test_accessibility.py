"""Content checks: missing alt text is an error, empty links and skipped headings are warnings,
each at the line of the file where the author wrote it."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pressroom import markup
from pressroom.accessibility import check_text
from pressroom.front_matter import split_document
from pressroom.source import SourceFile

HEAD = "---\ntitle: A release\ndate: 2024-01-09\n---\n"  # the body starts on line 5


def findings(body: str, head: str = HEAD):
    doc = split_document(SourceFile("content/news/a.md", head + body))
    found = check_text(doc, markup.to_html(doc.body))
    return [str(e) for e in found.errors], [str(w) for w in found.warnings]


def test_a_clean_text_has_no_findings():
    assert findings("Intro.\n\n## Section\n\n![A chart of members](chart.png)\n\n### Detail\n\n[Report](r.pdf)\n") == ([], [])


def test_an_image_without_alt_text_is_an_error_at_its_line():
    errors, warnings = findings("Intro.\n\nSee ![](chart.png) here.\n")
    assert errors == ['content/news/a.md:7: the image "chart.png" has no alt text; describe what it shows for people '
                      'who cannot see it, like ![A short description](chart.png)']
    assert warnings == []


def test_the_same_image_twice_is_found_at_both_lines():
    errors, _ = findings("![](x.png)\n\nText.\n\n![](x.png) and ![](x.png)\n")
    assert [e.split(":")[1] for e in errors] == ["5", "9", "9"]


def test_raw_html_images_are_checked_and_may_be_marked_decorative():
    errors, _ = findings('Text.\n\n<img src="a.png">\n\n<img src="b.png" alt="">\n\n<img src="c.png" alt="" role="presentation">\n')
    assert [e.split(": ")[1] for e in errors] == ['the image "a.png" has no alt text; describe what it shows for people who cannot see it, like ![A short description](a.png)',
                                                  'the image "b.png" has no alt text; describe what it shows for people who cannot see it, like ![A short description](b.png)']
    assert [e.split(":")[1] for e in errors] == ["7", "9"]


def test_body_line_counts_from_the_real_front_matter():
    errors, _ = findings("![](x.png)\n", head="---\ntitle: A\ndate: 2024-01-09\ntags:\n  - a\n  - b\n---\n")
    assert errors[0].startswith("content/news/a.md:8:")


def test_an_empty_link_is_a_warning():
    errors, warnings = findings("Intro.\n\nRead [](https://example.org/report.pdf).\n")
    assert errors == []
    assert warnings == ['content/news/a.md:7: the link to "https://example.org/report.pdf" has no text, so screen readers '
                        'read out the address; write what it leads to, like [Annual report 2024](https://example.org/report.pdf)']


def test_a_link_around_an_image_with_alt_text_has_text():
    assert findings("[![The annual report](cover.png)](report.pdf)\n") == ([], [])


def test_a_skipped_heading_level_is_a_warning():
    _, warnings = findings("Intro.\n\n### Too deep\n\n## Fine\n\n#### Too deep again\n")
    assert warnings == [
        'content/news/a.md:7: the heading "Too deep" skips a level (### directly under the title); screen reader users move through a page by its headings, so use ##',
        'content/news/a.md:11: the heading "Too deep again" skips a level (#### after ##); screen reader users move through a page by its headings, so use ###',
    ]


def test_a_heading_written_twice_is_found_where_it_skips_a_level():
    """Only the second "Results" skips a level: the warning names its line, not the first's."""
    _, warnings = findings("## Results\n\nText.\n\n## Method\n\nText.\n\n# Title\n\n### Results\n\n### Results\n")
    assert [w.split(":")[1] for w in warnings] == ["13", "15"]
    assert "second main title" in warnings[0] and '"Results" skips a level' in warnings[1]


def test_a_second_main_title_is_a_warning_and_setext_headings_are_found():
    _, warnings = findings("Intro.\n\nIt's a title\n============\n")
    assert warnings == ['content/news/a.md:7: the heading "It’s a title" is a second main title (#); the title is the page\'s only one, so start sections with ##']


_markdown = st.lists(st.sampled_from([
    "Text.", "![](x.png)", "![Alt](y.png)", "[](http://a.example/)", "[Link](b.html)", "# One", "## Two", "### Three",
    "#### Four", "<img src='z.png'>", "Title\n=====", "```\n![](code.png)\n```", "> ## Quoted", "- item ![](li.png)",
]), max_size=12)


@settings(max_examples=60, deadline=None)
@given(_markdown)
def test_every_finding_points_at_a_line_of_the_body(blocks):
    body = "\n\n".join(blocks) + "\n"
    errors, warnings = findings(body)
    last_line = HEAD.count("\n") + body.count("\n")
    for problem in errors + warnings:
        line = int(problem.split(":")[1])
        assert 5 <= line <= last_line, problem
    expected_errors = sum(block.count("![](") + block.count("<img") for block in blocks if not block.startswith("```"))
    assert len(errors) == expected_errors


def eager_heading_lines(body: str) -> list[int]:
    """Where each heading that needs a warning is, as found when every heading is looked up."""
    from pressroom import accessibility

    doc = split_document(SourceFile("content/news/a.md", HEAD + body))
    outline = accessibility._Outline()
    outline.feed(markup.to_html(doc.body))
    where, lines, previous = accessibility._Locator(doc), [], 1
    for level, text in outline.headings:
        line = where.find_words(text)
        if level == 1 or level > previous + 1:
            lines.append(line)
        previous = level
    return lines


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.sampled_from(["Results", "Method", "Results!", "results", "Next steps"])), max_size=10))
def test_headings_are_located_as_when_every_one_is_looked_up(headings):
    body = "".join(f"{'#' * level} {text}\n\nText.\n\n" for level, text in headings)
    _, warnings = findings(body)
    assert [int(w.split(":")[1]) for w in warnings] == eager_heading_lines(body)
