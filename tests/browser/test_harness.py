"""The harness itself: axe really runs and really fails a test (so a green journey means something)."""

import pytest

from tests.browser.conftest import assert_accessible, axe_violations

pytestmark = [pytest.mark.slow, pytest.mark.browser]

BAD_PAGE = """<!DOCTYPE html><html><head><title>Bad</title></head>
<body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></main></body></html>"""


def test_axe_finds_violations_and_fails_with_a_readable_list(page):
    page.set_content(BAD_PAGE)
    assert {"html-has-lang", "image-alt", "label"} <= {v["id"] for v in axe_violations(page)}

    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    report = str(failure.value)
    assert "- image-alt [critical]: Images must have alternative text" in report
    assert "at img" in report


def test_axe_passes_a_clean_page(page, axe_check):
    page.set_content(
        '<!DOCTYPE html><html lang="en"><head><title>Good</title></head><body><main><h1>Hi</h1></main></body></html>'
    )
    axe_check(page)
