"""Every shipped instrument scored against each worked example in INSTRUMENTS.md (answers are option positions,
counted from 0 at the top of the printed list, as the examples give them)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from outcomes import definitions
from outcomes.scoring import (
    DETERIORATED,
    IMPROVED,
    NO_RELIABLE_CHANGE,
    classify_change,
    clean_answers,
    score,
)


def answers(values, start=1) -> dict:
    return {str(n): v for n, v in enumerate(values, start=start)}


def scale(result, code="total") -> dict:
    return next(s for s in result["scales"] if s["code"] == code)


def scored(code, positions, **kwargs) -> dict:
    instrument = definitions.get(code)
    return score(instrument, clean_answers(instrument, positions), **kwargs)


def positions_for(code, wanted_scores: dict[int, int]) -> dict:
    """The option positions that give these item scores (the worked examples give some instruments as scores)."""
    instrument = definitions.get(code)
    return {str(n): instrument.item(n).scores.index(s) for n, s in wanted_scores.items()}


# --- EPDS ----------------------------------------------------------------------------------------------------------


def test_epds_worked_example_reverse_items_total_13_probable_depression_no_flag():
    result = scored("epds", answers([1, 1, 1, 2, 2, 1, 2, 1, 2, 3]))
    assert result["item_scores"] == answers([1, 1, 2, 2, 1, 2, 1, 2, 1, 0])
    assert scale(result)["value"] == "13"
    assert scale(result)["band"].startswith("Probable depression")
    assert result["risk"] == []


def test_epds_item_10_at_position_2_totals_14_and_raises_the_self_harm_flag():
    result = scored("epds", answers([1, 1, 1, 2, 2, 1, 2, 1, 2, 2]))
    assert scale(result)["value"] == "14"
    assert [r["item"] for r in result["risk"]] == [10]


def test_epds_with_a_missing_item_has_no_total_but_still_checks_item_10():
    result = scored("epds", answers([1, None, 1, 2, 2, 1, 2, 1, 2, 0]))
    total = scale(result)
    assert total["scorable"] is False and total["value"] is None
    assert "1 item missing (2)" in total["reason"]
    assert [r["item"] for r in result["risk"]] == [10]


# --- CORE-10 -------------------------------------------------------------------------------------------------------


def test_core10_worked_example_items_2_and_3_reversed_total_20():
    result = scored("core10", answers([2, 1, 1, 2, 1, 0, 3, 2, 3, 1]))
    assert result["item_scores"] == answers([2, 3, 3, 2, 1, 0, 3, 2, 3, 1])
    total = scale(result)
    assert total["value"] == "20"
    assert total["band"] == "Moderate to severe (20–24)"
    assert total["cutoffs"] == ["Clinical range (11 or more)"]
    assert result["risk"] == []


def test_core10_prorates_one_missing_item_to_21_point_1():
    total = scale(scored("core10", answers([2, 1, 1, 2, 1, 0, 3, 2, 3, None])))
    assert total["value"] == "21.1" and total["prorated"] is True and "caution" in total["reason"]


def test_core10_with_two_missing_items_is_not_scorable():
    total = scale(scored("core10", answers([2, 1, 1, 2, 1, 0, 3, 2, None, None])))
    assert total["scorable"] is False and "at most 1 may be missing" in total["reason"]


def test_core10_item_6_above_0_raises_the_risk_flag():
    assert [r["item"] for r in scored("core10", answers([0, 4, 4, 0, 0, 1, 0, 0, 0, 0]))["risk"]] == [6]


# --- WEMWBS and SWEMWBS --------------------------------------------------------------------------------------------


def test_wemwbs_worked_example_total_50_average():
    # Answers 1-5 sit at positions 0-4.
    result = scored("wemwbs", answers([v - 1 for v in [4, 3, 4, 4, 3, 3, 4, 3, 4, 3, 4, 4, 3, 4]]))
    assert scale(result)["value"] == "50"
    assert "average" in scale(result)["band"]


def test_swemwbs_worked_example_raw_26_converts_to_metric_23_21():
    total = scale(scored("swemwbs", answers([v - 1 for v in [4, 3, 4, 3, 4, 4, 4]])))
    assert total["raw"] == 26 and total["value"] == "23.21"


@pytest.mark.parametrize("raw, metric", [(7, "7.00"), (8, "9.51"), (17, "16.88"), (27, "24.11"), (35, "35.00")])
def test_swemwbs_conversion_table_ends_and_middle(raw, metric):
    # raw = 7 + sum of positions; put the extra on the first items.
    extra = raw - 7
    positions = [min(4, max(0, extra - 4 * i)) for i in range(7)]
    assert scale(scored("swemwbs", answers(positions)))["value"] == metric


def test_swemwbs_items_are_wemwbs_items_1_2_3_6_7_9_11():
    assert [i["wemwbs_item"] for i in _raw("swemwbs")["items"]] == [1, 2, 3, 6, 7, 9, 11]


def _raw(code):
    import json

    return json.loads((definitions.DIRECTORY / f"{code}.json").read_text())


# --- KPCS ----------------------------------------------------------------------------------------------------------


def test_kpcs_worked_example_not_applicable_scores_2_total_40_not_low():
    positions = answers([3, 3, 2, 3, 3, 2, 3, 3, 4, 3, 2, 3, 3, 2, 3])  # item 9 position 4 = Not applicable
    result = scored("kpcs", positions)
    assert result["item_scores"]["9"] == 2
    assert scale(result)["value"] == "40" and scale(result)["band"].startswith("Not low")


def test_kpcs_worked_example_with_item_15_at_2_totals_39_low_confidence():
    total = scale(scored("kpcs", answers([3, 3, 2, 3, 3, 2, 3, 3, 4, 3, 2, 3, 3, 2, 2])))
    assert total["value"] == "39" and total["band"].startswith("Low parenting confidence")


def test_kpcs_not_applicable_only_on_items_1_and_9():
    with pytest.raises(ValidationError):
        clean_answers(definitions.get("kpcs"), {"2": 4})


# --- PRFQ ----------------------------------------------------------------------------------------------------------


def test_prfq_worked_example_three_subscale_means_with_items_11_and_18_reversed():
    by_item = {1: 2, 4: 1, 7: 3, 10: 2, 13: 1, 16: 1, 2: 5, 5: 4, 8: 5, 11: 3, 14: 4, 17: 5}
    by_item |= {3: 6, 6: 7, 9: 6, 12: 5, 15: 6, 18: 2}
    result = scored("prfq", {str(n): v - 1 for n, v in by_item.items()})  # answer 1-7 is position 0-6
    assert scale(result, "pm")["value"] == "1.67"
    assert scale(result, "cms")["value"] == "4.67"
    assert scale(result, "ic")["value"] == "6.00"
    assert result["item_scores"]["11"] == 5 and result["item_scores"]["18"] == 6
    assert result["primary"] is None


# --- PBQ -----------------------------------------------------------------------------------------------------------

PBQ_SCORES = dict(enumerate([1, 1, 0, 1, 0, 0, 2, 0, 0, 2, 1, 3, 2, 1, 0, 1, 0, 0, 3, 0, 2, 1, 0, 0, 2], start=1))


def test_pbq_worked_example_four_scales_and_total():
    result = scored("pbq", positions_for("pbq", PBQ_SCORES))
    assert scale(result, "impaired_bonding")["value"] == "12"
    assert scale(result, "impaired_bonding")["band"].startswith("High")
    assert scale(result, "rejection_anger")["value"] == "5"
    assert scale(result, "infant_anxiety")["value"] == "6"
    assert scale(result, "incipient_abuse")["value"] == "0"
    assert scale(result, "total")["value"] == "23"


def test_pbq_keying_very_often_on_item_1_is_1_and_quite_often_on_item_7_is_3():
    result = scored("pbq", {"1": 1, "7": 2})  # Always, Very often, Quite often … at positions 0, 1, 2
    assert result["item_scores"] == {"1": 1, "7": 3}


def test_pbq_scale_2_thresholds_2006_and_2001_differ_and_are_configurable():
    fifteen = positions_for("pbq", {**PBQ_SCORES, 3: 5, 5: 5})  # scale 2: 5 + 1 + 5 + 1 + 1 + 2 + 0 = 15
    assert scale(scored("pbq", fifteen), "rejection_anger")["value"] == "15"
    assert scale(scored("pbq", fifteen), "rejection_anger")["band"].startswith("High (13 or more; 2006)")
    assert scale(scored("pbq", fifteen, threshold_set="2001"), "rejection_anger")["band"].startswith("Normal")


def test_pbq_scales_partition_the_25_items():
    pbq = definitions.get("pbq")
    four = [n for s in pbq.scales if s.code != "total" for n in s.items]
    assert sorted(four) == list(range(1, 26))


# --- PHQ-9 and GAD-7 -----------------------------------------------------------------------------------------------


def test_phq9_worked_example_10_moderate_with_item_9_risk_flag():
    result = scored("phq9", answers([1, 2, 1, 2, 1, 1, 1, 0, 1]))
    assert scale(result)["value"] == "10" and scale(result)["band"] == "Moderate (10–14)"
    assert [r["item"] for r in result["risk"]] == [9]


def test_phq9_difficulty_question_is_not_scored():
    result = scored("phq9", answers([0] * 9 + [3]))
    assert scale(result)["value"] == "0"


def test_gad7_worked_example_8_mild_meets_nhs_talking_therapies_caseness():
    total = scale(scored("gad7", answers([2, 2, 1, 1, 0, 1, 1])))
    assert total["value"] == "8" and total["band"] == "Mild (5–9)"
    assert total["cutoffs"] == ["NHS Talking Therapies caseness (8 or more)"]


# --- GBO and reliable change ---------------------------------------------------------------------------------------


def test_gbo_worked_example_changes_and_reliable_change_of_3():
    goal = definitions.get("gbo").scale("goal")
    outcomes = [classify_change(goal, Decimal(s), Decimal(e)) for s, e in [(2, 7), (3, 5), (1, 6)]]
    assert outcomes == [IMPROVED, NO_RELIABLE_CHANGE, IMPROVED]


def test_epds_reliable_change_is_4_and_lower_is_better():
    total = definitions.get("epds").scale("total")
    assert classify_change(total, Decimal(17), Decimal(13)) == IMPROVED
    assert classify_change(total, Decimal(13), Decimal(16)) == NO_RELIABLE_CHANGE
    assert classify_change(total, Decimal(9), Decimal(13)) == DETERIORATED


def test_core10_reliable_change_is_6_and_marked_configurable():
    total = definitions.get("core10").scale("total")
    assert total.reliable_change.threshold == 6 and total.reliable_change.configurable
    assert classify_change(total, Decimal(20), Decimal(15)) == NO_RELIABLE_CHANGE
    assert classify_change(total, Decimal(20), Decimal(15), threshold=Decimal(5)) == IMPROVED


def test_instruments_without_a_published_threshold_give_no_classification():
    assert classify_change(definitions.get("kpcs").scale("total"), Decimal(30), Decimal(44)) == ""


# --- Feedback ------------------------------------------------------------------------------------------------------


def test_feedback_form_mean_rating_and_free_text_kept_unscored():
    result = scored("feedback", {"1": 4, "2": 4, "3": 3, "4": 4, "5": None, "6": "Seeing the clips", "7": ""})
    assert scale(result, "mean")["value"] == "4.75"
    assert "6" not in result["item_scores"]
