"""Property tests: any valid answer set scores within each scale's range (or is "not scorable" with a reason), and
any invalid one is refused before it can be scored."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from outcomes import definitions
from outcomes.scoring import clean_answers, score

CODES = list(definitions.CODES)


@st.composite
def instrument_and_answers(draw):
    instrument = definitions.get(draw(st.sampled_from(CODES)))
    answers = {}
    for item in instrument.items:
        if item.kind == "text":
            answers[item.key] = draw(st.one_of(st.none(), st.text(alphabet="abc xyz", max_size=40)))
        else:
            answers[item.key] = draw(st.one_of(st.none(), st.integers(0, len(item.scores) - 1)))
    return instrument, answers


@settings(max_examples=400, deadline=None)
@given(instrument_and_answers())
def test_any_valid_answer_set_scores_within_range_or_says_why_not(case):
    instrument, answers = case
    result = score(instrument, clean_answers(instrument, answers))
    for scale_result in result["scales"]:
        scale = instrument.scale(scale_result["code"])
        if scale_result["scorable"]:
            from decimal import Decimal

            assert scale.range[0] <= Decimal(scale_result["value"]) <= scale.range[1]
        else:
            assert scale_result["value"] is None and scale_result["reason"].startswith("Not scorable")
            allowed = scale.max_missing if scale.missing_rule == "prorate" else 0
            assert len(scale_result["missing_items"]) > allowed or len(scale_result["missing_items"]) == len(
                scale.items
            )
    for risk in result["risk"]:
        assert risk["item"] in [r["item"] for r in instrument.risk_items]


@settings(max_examples=300, deadline=None)
@given(instrument_and_answers(), st.data())
def test_any_out_of_range_or_wrong_type_answer_is_refused(case, data):
    instrument, answers = case
    choice_items = [i for i in instrument.items if i.kind == "choice"]
    item = data.draw(st.sampled_from(choice_items))
    bad = data.draw(
        st.one_of(
            st.integers(max_value=-1),
            st.integers(min_value=len(item.scores)),
            st.floats(allow_nan=True),
            st.booleans(),
            st.text(alphabet="xyz", min_size=1, max_size=3),
            st.lists(st.integers(), max_size=2),
        )
    )
    with pytest.raises(ValidationError) as error:
        clean_answers(instrument, {**answers, item.key: bad})
    assert f"item_{item.number}" in error.value.message_dict


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(CODES), st.integers(min_value=0, max_value=500))
def test_an_item_the_instrument_does_not_have_is_refused(code, number):
    instrument = definitions.get(code)
    if any(item.number == number for item in instrument.items):
        return
    with pytest.raises(ValidationError):
        clean_answers(instrument, {str(number): 0})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=10, max_size=10))
def test_epds_item_10_flag_is_raised_exactly_when_its_score_is_above_0(positions):
    epds = definitions.get("epds")
    result = score(epds, clean_answers(epds, {str(n): p for n, p in enumerate(positions, start=1)}))
    assert bool(result["risk"]) == (positions[9] != 3)  # item 10 is reverse-scored: only the last option scores 0
