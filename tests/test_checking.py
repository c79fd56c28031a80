"""The check machinery and the quiz helper, on hand-made learner answers."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.checking import (CheckFailure, Exercise, NotDone, call, check, expect_array, expect_close,
                              expect_no_warning, expect_scalar, format_result, get_exercise, run_exercise)
from helpers.quiz import Choice, Numeric, Quiz, check_quiz, get_quiz, grade_answers


def good_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def test_call_turns_not_implemented_into_not_done():
    def blank(x):
        raise NotImplementedError()
    with pytest.raises(NotDone):
        call(blank, 1)


def test_call_turns_ellipsis_blank_into_not_done():
    def blank(x):
        return 1 / (1 + ...)
    with pytest.raises(NotDone, match="blank"):
        call(blank, 1)


def test_call_reports_other_errors_with_the_input():
    def broken(x):
        return x.nope
    with pytest.raises(CheckFailure) as info:
        call(broken, np.array([1.0]), call_text="f(x)", inputs={"x": np.array([1.0])})
    assert "AttributeError" in info.value.details and "x = [1.]" in info.value.details


def test_call_fails_when_the_code_writes_into_its_input():
    x = np.array([1.0, -1.0])

    def clobber(v):
        v[v < 0] = 0
        return v
    with pytest.raises(CheckFailure, match="modified its input `v`"):
        call(clobber, x)
    # Arrays inside a list are watched too, and named by their place in it.
    def clobber_list(vs):
        vs[1] *= 2
    with pytest.raises(CheckFailure, match=r"modified its input `vs\[1\]`"):
        call(clobber_list, [x.copy(), x.copy()])


def test_call_allows_declared_in_place_updates():
    params = [np.ones(2)]

    def update(params, grads):
        params[0] -= grads[0]
    call(update, params, [np.ones(2)], modifies=("params",))
    assert params[0].tolist() == [0.0, 0.0]
    with pytest.raises(CheckFailure, match=r"modified its input `g\[0\]`"):
        call(lambda p, g: g[0].fill(0), params, [np.ones(2)], modifies=(0,))


def test_call_hints_fit_the_case():
    def shapes_wrong(x):
        return x @ x
    with pytest.raises(CheckFailure) as info:
        call(shapes_wrong, np.ones((2, 3)), error_hint="use x @ W")
    assert info.value.hint == "use x @ W" and "ValueError" in info.value.details
    with pytest.raises(CheckFailure) as info:
        call(shapes_wrong, np.ones((2, 3)))
    assert info.value.hint is None                 # the exercise's own hint fills in later

    def forgets_to_restore(x):
        x[0] += 1e-5
    with pytest.raises(CheckFailure) as info:
        call(forgets_to_restore, np.ones(2), modified_hint="put x[idx] back")
    assert info.value.hint == "put x[idx] back" and "modified its input `x`" in info.value.summary

    def restores(x):
        saved = x[0]
        x[0] = saved + 1e-5
        x[0] = saved
        return 1.0
    assert call(restores, np.array([0.1, 0.2])) == 1.0  # nudged and put back: allowed


def test_call_checks_generators_consumed_through_call():
    from helpers.exercises.ex05_training import _listed
    x = np.arange(4.0)

    def shuffles_in_place(x):
        np.random.default_rng(0).shuffle(x)
        yield x
    with pytest.raises(CheckFailure, match="modified its input `x`"):
        call(_listed, shuffles_in_place(x), x, np.arange(4))


def test_hidden_rng_is_fixed_by_default_and_follows_the_seed():
    from helpers.checking import hidden_rng, hidden_seed
    a = hidden_rng("1.2").normal(size=3)
    assert np.array_equal(a, hidden_rng("1.2").normal(size=3))
    assert not np.array_equal(a, hidden_rng("1.3").normal(size=3))
    with hidden_seed(12345):
        b = hidden_rng("1.2").normal(size=3)
    assert not np.array_equal(a, b)
    assert np.array_equal(a, hidden_rng("1.2").normal(size=3))


def test_expectations():
    with pytest.raises(CheckFailure, match="NumPy array"):
        expect_array([1, 2])
    with pytest.raises(CheckFailure, match="shape"):
        expect_array(np.zeros(3), shape=(2,))
    with pytest.raises(CheckFailure, match="wrong values") as info:
        expect_close(np.array([1.0, 2.0]), [1.0, 2.5], what="f(x)", inputs={"x": 3})
    assert "expected" in info.value.details and "got" in info.value.details
    with pytest.raises(CheckFailure, match="NaN"):
        expect_close(np.array([np.nan]), [1.0])
    with pytest.raises(CheckFailure, match="single number"):
        expect_scalar(np.zeros(2))
    assert expect_scalar(np.float64(2.5)) == 2.5
    expect_close(np.array([1.0, 2.0]), [1.0, 2.0 + 1e-12])  # within tolerance: no error


def test_expect_no_warning_catches_overflow_not_underflow():
    with pytest.raises(CheckFailure, match="overflow"):
        expect_no_warning(lambda x: 1 / (1 + np.exp(-x)), np.array([-1000.0]))
    out = expect_no_warning(good_sigmoid, np.array([-1000.0, 1000.0]))
    assert out.tolist() == [0.0, 1.0]


def test_run_exercise_layers_and_verdicts():
    ex = get_exercise("1.2")
    assert not run_exercise(ex, {}).passed
    assert run_exercise(ex, {}).not_done                                   # not defined
    assert not run_exercise(ex, {"sigmoid": 3}).passed                     # not callable
    ok = run_exercise(ex, {"sigmoid": good_sigmoid})
    assert ok.passed and ok.points == ex.points
    naive = run_exercise(ex, {"sigmoid": lambda x: 1 / (1 + np.exp(-x))})
    assert not naive.passed and "overflow" in naive.failed_step
    assert naive.points == 0


def test_the_courses_own_implementation_imported_under_the_name_is_not_an_answer():
    from helpers.nn import layers, sigmoid
    for exercise_id, name, reference in (("1.2", "sigmoid", sigmoid), ("4.4", "Affine", layers.Affine)):
        result = run_exercise(get_exercise(exercise_id), {name: reference})
        assert not result.passed and result.points == 0
        assert "the course's reference, not your code" in format_result(result), format_result(result)
    # The learner's own code, defined in the notebook (module __main__), is looked at as usual.
    assert run_exercise(get_exercise("1.2"), {"sigmoid": good_sigmoid}).passed


def test_hidden_failures_do_not_reveal_inputs():
    ex = get_exercise("1.4")

    def cheat(x):  # right on the small public cases only, wrong elsewhere
        x = np.asarray(x, dtype=float)
        return np.maximum(x, 0) if x.size <= 12 else np.zeros_like(x)
    public = run_exercise(ex, {"relu": cheat}, hidden=False)
    assert public.passed
    graded = run_exercise(ex, {"relu": cheat}, hidden=True)
    assert not graded.passed and graded.failed_hidden
    text = format_result(graded)
    assert "hidden test case" in text and "input:" not in text
    assert "input:" in format_result(graded, reveal_hidden=True)


def test_check_prints_one_verdict_and_raises_only_when_grading(capsys, monkeypatch):
    ns = {"relu": lambda x: x}
    check("1.4", namespace=ns)
    out = capsys.readouterr().out
    assert out.startswith("❌ Exercise 1.4 (relu) failed at: values on small cases")
    assert "Traceback" not in out
    with pytest.raises(AssertionError):
        check("1.4", namespace=ns, hidden=True)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(AssertionError):
        check("1.4", namespace=ns)


def test_unknown_exercise_lists_known_ones():
    with pytest.raises(KeyError, match="1.1"):
        get_exercise("99.9")


def test_duplicate_exercise_id_is_rejected(monkeypatch):
    import helpers.checking
    monkeypatch.setattr(helpers.checking, "_REGISTRY", dict(helpers.checking._REGISTRY))  # undone after
    Exercise("99.1", "99_tmp", "f", "tmp", hint="h")
    with pytest.raises(ValueError, match="twice"):
        Exercise("99.1", "99_other", "g", "tmp", hint="h")


# --- quiz -----------------------------------------------------------------------

@pytest.fixture
def quiz(monkeypatch):
    import helpers.quiz
    monkeypatch.setattr(helpers.quiz, "_QUIZZES", dict(helpers.quiz._QUIZZES))  # undone after
    return Quiz("98_quiz_test", [
        Choice("q1", "Pick b", {"a": "no", "b": "yes"}, answer="b", explain="because"),
        Numeric("q2", "Half?", answer=0.5, tol=0.01),
    ])


def test_quiz_grading(quiz):
    verdicts = lambda answers: [r.verdict for r in grade_answers(quiz, answers)]  # noqa: E731
    assert verdicts({"q1": "b", "q2": 0.5}) == ["right", "right"]
    assert verdicts({"q1": " B ", "q2": "0.505"}) == ["right", "right"]
    assert verdicts({"q1": "a", "q2": 0.6}) == ["wrong", "wrong"]
    assert verdicts({"q1": ..., "q2": None}) == ["missing", "missing"]
    assert verdicts({"q1": "z", "q2": "half"}) == ["invalid", "invalid"]
    assert verdicts({"q2": True}) == ["missing", "invalid"]
    assert verdicts(None) == ["missing", "missing"]
    assert sum(r.points for r in grade_answers(quiz, {"q1": "b", "q2": 1})) == 1


def test_check_quiz_prints_feedback_and_score(quiz, capsys):
    check_quiz("98", {"q1": "b", "q2": ...})
    out = capsys.readouterr().out
    assert "✅ q1: because" in out and "⏳ q2: not answered yet" in out and "Score: 1/2" in out


def test_show_quiz_text_fallback(capsys, monkeypatch):
    from helpers.quiz import show_quiz
    monkeypatch.setenv("NNFS_STATIC", "1")
    show_quiz("01")
    out = capsys.readouterr().out
    assert "q1." in out and "(a)" in out and "quiz_answers" in out
    assert get_quiz("01_activations") is get_quiz("01")


def test_expect_equal_is_not_fooled_by_a_lying_eq():
    from helpers.checking import expect_equal

    class Yes:
        def __eq__(self, other):
            return True
    with pytest.raises(CheckFailure):
        expect_equal(Yes(), "b")
    with pytest.raises(CheckFailure):
        expect_equal((1, 2), [1, 3])
    expect_equal("b", "b")
    expect_equal(np.array([1, 2]), [1, 2])
