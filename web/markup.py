"""Escaping for markup built in Python (the busiest rows and lists, ADR 0030).

Django's `conditional_escape` is right but slow for this: each call passes through `keep_lazy`'s check of its
arguments for lazy text before escaping, and a page of rows makes hundreds of calls. `escaped` gives the same text:
a value that knows its own markup (`__html__`: `mark_safe`d text, a form's field) as that markup, anything else
through the standard library's `html.escape` of its text, exactly as Django's `escape` does (`tests/web/
test_markup.py`). Join escaped pieces and `mark_safe` the whole only once every value in it went through here.
"""

import html


def escaped(value) -> str:
    """`conditional_escape(value)`, as a plain string."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
