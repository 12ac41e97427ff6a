"""Aggregation of review scores: hand-computed cases for every rule in
``review_app.scoring.aggregate``."""

import math

import numpy as np
import pytest

from review_app.errors import InvalidInput
from review_app.scoring.aggregate import (
    CriterionScore,
    SectionAggregate,
    SectionReview,
    aggregate_section,
    application_score,
    calibrate,
    fit_leniency,
    require_review_total,
    review_total,
)


def reviews_of(totals, *, section_max=10.0, application_id=1, section_key="s1", first_id=1):
    return [
        SectionReview(first_id + i, section_key, application_id, float(t), section_max)
        for i, t in enumerate(totals)
    ]


# --- review_total ------------------------------------------------------------------------------


def test_plain_sum_when_all_applicable():
    scores = [CriterionScore("a", 3, 4), CriterionScore("b", 2, 3), CriterionScore("c", 1.5, 3)]
    assert review_total(scores, 10) == pytest.approx(6.5)


def test_not_applicable_is_left_out_and_rescaled():
    scores = [
        CriterionScore("a", 3, 4),
        CriterionScore("b", 2, 3),
        CriterionScore("c", None, 3, not_applicable=True),
    ]
    assert review_total(scores, 10) == pytest.approx(5 / 7 * 10)


def test_not_applicable_points_are_ignored_not_counted_as_zero():
    scores = [CriterionScore("a", 4, 4), CriterionScore("c", 0, 6, not_applicable=True)]
    assert review_total(scores, 10) == pytest.approx(10.0)


def test_all_not_applicable_gives_none_and_require_raises():
    scores = [CriterionScore("a", None, 4, True), CriterionScore("b", None, 6, True)]
    assert review_total(scores, 10) is None
    assert review_total([], 10) is None
    with pytest.raises(InvalidInput) as err:
        require_review_total(scores, 10)
    assert err.value.code == "all_not_applicable"
    assert require_review_total([CriterionScore("a", 2, 4)], 10) == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("score", "code"),
    [
        (CriterionScore("a", None, 4), "criterion_unscored"),
        (CriterionScore("a", 5, 4), "criterion_out_of_range"),
        (CriterionScore("a", -1, 4), "criterion_out_of_range"),
        (CriterionScore("a", 0, 0), "bad_criterion_max"),
    ],
)
def test_invalid_criterion_scores_are_refused(score, code):
    with pytest.raises(InvalidInput) as err:
        review_total([score], 10)
    assert err.value.code == code


def test_section_max_must_be_positive():
    with pytest.raises(InvalidInput) as err:
        review_total([CriterionScore("a", 1, 4)], 0)
    assert err.value.code == "bad_section_max"


# --- aggregate_section: means ----------------------------------------------------------------


def test_five_reviews_are_trimmed():
    agg = aggregate_section(reviews_of([2, 6, 7, 8, 10]), dispersion_range=100)
    assert agg.trimmed is True
    assert agg.n == 5
    assert agg.raw_mean == pytest.approx(7.0)  # (6 + 7 + 8) / 3


def test_four_reviews_are_not_trimmed():
    agg = aggregate_section(reviews_of([2, 6, 7, 8]), dispersion_range=100)
    assert agg.trimmed is False
    assert agg.raw_mean == pytest.approx(5.75)


def test_trimming_drops_only_one_of_tied_extremes():
    agg = aggregate_section(reviews_of([5, 5, 7, 9, 9]))
    assert agg.raw_mean == pytest.approx((5 + 7 + 9) / 3)


def test_trim_threshold_is_configurable():
    agg = aggregate_section(reviews_of([2, 6, 7, 8]), trim_when_at_least=4, dispersion_range=100)
    assert agg.trimmed is True
    assert agg.raw_mean == pytest.approx(6.5)


def test_single_review_is_its_own_mean_and_not_flagged():
    agg = aggregate_section(reviews_of([7]))
    assert (agg.raw_mean, agg.trimmed, agg.stdev, agg.range, agg.flagged) == (7, False, 0, 0, False)


# --- aggregate_section: dispersion -------------------------------------------------------------


def test_stdev_and_range_on_100_scale():
    # Section max 20: totals 12, 12, 12, 15 -> 60, 60, 60, 75 on the 0-100 scale.
    agg = aggregate_section(reviews_of([12, 12, 12, 15], section_max=20))
    assert agg.range == pytest.approx(15.0)
    # mean 63.75; population variance (3 * 3.75^2 + 11.25^2) / 4 = 42.1875
    assert agg.stdev == pytest.approx(math.sqrt(42.1875))
    assert agg.raw_mean == pytest.approx(12.75)


def test_deviation_exactly_at_threshold_is_not_flagged():
    # 75 deviates from the others' mean (60) by exactly 15.
    agg = aggregate_section(reviews_of([6, 6, 6, 7.5]))
    assert agg.flagged is False
    assert agg.outliers == []
    assert agg.reasons == []


def test_deviation_above_threshold_flags_the_reviewer():
    # 76 deviates from 60 by 16 > 15; the others deviate by |60 - 65.33| = 5.33.
    agg = aggregate_section(reviews_of([6, 6, 6, 7.6]))
    assert agg.flagged is True
    assert agg.outliers == [4]
    assert len(agg.reasons) == 1
    assert "评审专家 4" in agg.reasons[0] and "16.0" in agg.reasons[0]
    assert "复议" in agg.reasons[0]


def test_range_exactly_at_threshold_is_not_flagged():
    # 50, 60, 60, 60, 70: range 20; largest deviation |70 - 57.5| = 12.5.
    agg = aggregate_section(reviews_of([5, 6, 6, 6, 7]))
    assert agg.range == pytest.approx(20.0)
    assert agg.flagged is False


def test_range_above_threshold_flags_without_outliers():
    # 50, 60, 60, 60, 70.5: range 20.5; deviations 12.625 and 13.0 stay under 15.
    agg = aggregate_section(reviews_of([5, 6, 6, 6, 7.05]))
    assert agg.flagged is True
    assert agg.outliers == []
    assert len(agg.reasons) == 1
    assert "极差 20.5" in agg.reasons[0]


def test_thresholds_are_configurable_and_both_causes_reported():
    agg = aggregate_section(
        reviews_of([6, 6, 6, 7.6]), dispersion_range=10.0, dispersion_deviation=15.0
    )
    assert agg.flagged is True
    assert len(agg.reasons) == 2
    assert agg.outliers == [4]


def test_two_reviews_far_apart_are_both_outliers():
    agg = aggregate_section(reviews_of([3, 8]))
    assert agg.range == pytest.approx(50.0)
    assert agg.outliers == [1, 2]


@pytest.mark.parametrize(
    ("reviews", "code"),
    [
        ([], "no_reviews"),
        (reviews_of([5]) + reviews_of([6], first_id=2, section_key="s2"), "mixed_sections"),
        (reviews_of([5]) + reviews_of([6], first_id=2, application_id=2), "mixed_sections"),
        (reviews_of([5]) + reviews_of([6], first_id=2, section_max=20), "bad_section_max"),
        (reviews_of([5]) + reviews_of([6]), "duplicate_review"),
    ],
)
def test_inconsistent_reviews_are_refused(reviews, code):
    with pytest.raises(InvalidInput) as err:
        aggregate_section(reviews)
    assert err.value.code == code


# --- calibration -------------------------------------------------------------------------------

TRUE_BIASES = {1: 5.0, 2: -3.0, 3: 0.0, 4: 2.0, 5: -6.0, 6: 2.0}  # sums to 0


def synthetic_panel(biases, n_instances=20, noise=0.0, seed=0, sparse=False):
    """Reviewers score section instances with ``mu_s + b_r (+ noise)`` on a 0-100 scale,
    stored on a section scale of 20. With ``sparse``, each instance gets 4 of the reviewers."""
    rng = np.random.default_rng(seed)
    reviewers = sorted(biases)
    reviews = []
    for s in range(n_instances):
        mu = rng.uniform(40, 80)
        panel = [reviewers[(s + k) % len(reviewers)] for k in range(4)] if sparse else reviewers
        for r in panel:
            pct = mu + biases[r] + (rng.normal(0, noise) if noise else 0.0)
            reviews.append(SectionReview(r, f"s{s % 4}", 100 + s // 4, pct / 100 * 20, 20.0))
    return reviews


def test_calibration_recovers_noise_free_bias():
    fitted = fit_leniency(synthetic_panel(TRUE_BIASES))
    assert set(fitted) == set(TRUE_BIASES)
    for r, b in TRUE_BIASES.items():
        assert fitted[r] == pytest.approx(b, abs=1e-6)


def test_calibration_recovers_bias_on_an_incomplete_design():
    fitted = fit_leniency(synthetic_panel(TRUE_BIASES, sparse=True))
    for r, b in TRUE_BIASES.items():
        assert fitted[r] == pytest.approx(b, abs=1e-6)


def test_calibration_with_small_noise_is_close():
    fitted = fit_leniency(synthetic_panel(TRUE_BIASES, noise=0.5, seed=42))
    for r, b in TRUE_BIASES.items():
        assert abs(fitted[r] - b) < 0.5
    assert sum(fitted.values()) == pytest.approx(0.0, abs=1e-9)


def test_biases_not_summing_to_zero_are_recovered_up_to_their_mean():
    biases = {1: 10.0, 2: 4.0, 3: 4.0}  # mean 6
    fitted = fit_leniency(synthetic_panel(biases, n_instances=5))
    assert fitted == pytest.approx({1: 4.0, 2: -2.0, 3: -2.0}, abs=1e-6)


def test_reviewer_below_min_reviews_gets_zero_and_does_not_disturb_the_fit():
    panel = synthetic_panel(TRUE_BIASES)
    # Reviewer 99 scored only two instances, absurdly high.
    panel += [
        SectionReview(99, "s0", 100, 20.0, 20.0),
        SectionReview(99, "s1", 100, 20.0, 20.0),
    ]
    fitted = fit_leniency(panel, min_reviews=3)
    assert fitted[99] == 0.0
    for r, b in TRUE_BIASES.items():
        assert fitted[r] == pytest.approx(b, abs=1e-6)
    # With min_reviews=2 the same reviewer is fitted, and comes out clearly lenient.
    assert fit_leniency(panel, min_reviews=2)[99] > 10


def test_disconnected_groups_each_sum_to_zero():
    group_a = synthetic_panel({1: 3.0, 2: -3.0}, n_instances=4)
    group_b = [
        SectionReview(r.reviewer_id + 10, r.section_key, r.application_id + 50, r.total, 20.0)
        for r in synthetic_panel({1: 1.0, 2: -1.0}, n_instances=4, seed=1)
    ]
    fitted = fit_leniency(group_a + group_b)
    assert fitted == pytest.approx({1: 3.0, 2: -3.0, 11: 1.0, 12: -1.0}, abs=1e-6)


def test_duplicate_score_in_panel_is_refused():
    panel = reviews_of([5, 6]) + reviews_of([7])
    with pytest.raises(InvalidInput) as err:
        fit_leniency(panel)
    assert err.value.code == "duplicate_review"


def test_calibrate_converts_bias_back_to_section_scale():
    reviews = reviews_of([12, 14], section_max=20)
    out = calibrate(reviews, {1: 5.0})  # +5 on 0-100 = +1 on a 20-point section
    assert [r.total for r in out] == pytest.approx([11.0, 14.0])
    assert [r.total for r in reviews] == [12.0, 14.0]  # inputs untouched


def test_calibrated_mean_sits_beside_raw_mean():
    panel = synthetic_panel(TRUE_BIASES)
    fitted = fit_leniency(panel)
    instance = [r for r in panel if (r.application_id, r.section_key) == (100, "s0")]
    agg = aggregate_section(instance, biases=fitted)
    # Trimmed raw mean keeps biases 0, 2, 2, -3 -> mean bias 0.25 (on 0-100) = 0.05 on 20 pts.
    mu_total = instance[2].total  # reviewer 3 has bias 0
    assert agg.raw_mean == pytest.approx(mu_total + 0.05)
    assert agg.calibrated_mean == pytest.approx(mu_total)
    assert aggregate_section(instance).calibrated_mean is None


# --- application_score -------------------------------------------------------------------------


def agg(key, mean, *, calibrated=None, flagged=False, application_id=7):
    return SectionAggregate(
        application_id=application_id,
        section_key=key,
        n=3,
        raw_mean=mean,
        trimmed=False,
        stdev=0.0,
        range=0.0,
        flagged=flagged,
        calibrated_mean=calibrated,
    )


MAXIMA = {"a": 20.0, "b": 30.0}


def test_weighted_score_on_100_scale():
    aggs = {"a": agg("a", 15.0), "b": agg("b", 24.0)}
    result = application_score(aggs, {"a": 40, "b": 60}, MAXIMA)
    # 40 * 15/20 + 60 * 24/30 = 30 + 48
    assert result.score == pytest.approx(78.0)
    assert result.application_id == 7
    assert result.missing == [] and result.reason is None
    assert set(result.sections) == {"a", "b"}


def test_weights_summing_to_one_give_the_same_score():
    aggs = {"a": agg("a", 15.0), "b": agg("b", 24.0)}
    assert application_score(aggs, {"a": 0.4, "b": 0.6}, MAXIMA).score == pytest.approx(78.0)


def test_calibrated_score_uses_calibrated_means():
    aggs = {"a": agg("a", 15.0, calibrated=16.0), "b": agg("b", 24.0, calibrated=21.0)}
    result = application_score(aggs, {"a": 40, "b": 60}, MAXIMA, calibrated=True)
    assert result.score == pytest.approx(40 * 0.8 + 60 * 0.7)


def test_missing_section_gives_none_and_names_it():
    result = application_score({"a": agg("a", 15.0)}, {"a": 40, "b": 60}, MAXIMA)
    assert result.score is None
    assert result.missing == ["b"]
    assert "b" in result.reason


def test_missing_calibrated_mean_gives_none_when_calibrated_is_asked():
    aggs = {"a": agg("a", 15.0, calibrated=16.0), "b": agg("b", 24.0)}
    result = application_score(aggs, {"a": 40, "b": 60}, MAXIMA, calibrated=True)
    assert result.score is None
    assert result.missing == ["b"]
    assert "校准" in result.reason


def test_flagged_sections_are_reported():
    aggs = {"a": agg("a", 15.0, flagged=True), "b": agg("b", 24.0)}
    result = application_score(aggs, {"a": 40, "b": 60}, MAXIMA)
    assert result.flagged == ["a"]
    assert result.score == pytest.approx(78.0)


def test_no_aggregates_needs_an_application_id():
    with pytest.raises(InvalidInput):
        application_score({}, {"a": 40}, MAXIMA)
    result = application_score({}, {"a": 40}, MAXIMA, application_id=3)
    assert (result.application_id, result.score, result.missing) == (3, None, ["a"])


@pytest.mark.parametrize(
    ("aggs", "weights", "code"),
    [
        ({"c": agg("c", 1.0)}, {"a": 40}, "unweighted_section"),
        ({"a": agg("a", 1.0)}, {"a": -1, "b": 2}, "bad_weights"),
        ({"a": agg("a", 1.0)}, {"a": 0}, "bad_weights"),
        ({"a": agg("a", 1.0)}, {"a": 1, "z": 1}, "bad_section_max"),
        (
            {"a": agg("a", 1.0), "b": agg("b", 1.0, application_id=8)},
            {"a": 1, "b": 1},
            "mixed_applications",
        ),
    ],
)
def test_bad_configuration_is_refused(aggs, weights, code):
    with pytest.raises(InvalidInput) as err:
        application_score(aggs, weights, MAXIMA)
    assert err.value.code == code
