"""Unit tests of the learner-facing helpers: print_vec, data, widgets, plots."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from helpers import Standardizer, load_iris, load_spiral, one_hot, print_vec, train_test_split
from helpers.data import data_path


# --- print_vec -------------------------------------------------------------------

def test_print_vec_array_shows_title_values_and_shape(capsys):
    print_vec("u1: total input", np.array([[1.0, 2.5], [-0.125, 3.0]]))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "*** u1: total input ***"
    assert "2.5" in out[1] and "-0.125" in out[2]
    assert out[-1] == "shape: (2, 2)"


def test_print_vec_rounds_to_precision(capsys):
    print_vec("x", np.array([1 / 3]), precision=3)
    assert "0.333" in capsys.readouterr().out
    print_vec("y", 2 / 3)
    assert capsys.readouterr().out.splitlines()[1] == "0.6667"


@pytest.mark.parametrize("value, line", [(3, "3"), (0.5, "0.5"), (-0.0, "0"), (True, "True"), ("text", "text")])
def test_print_vec_scalars(capsys, value, line):
    print_vec("v", value)
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["*** v ***", line]


def test_print_vec_list_shows_length(capsys):
    print_vec("d", [0, 0, 1])
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["*** d ***", "[0 0 1]", "length: 3"]


# --- iris -----------------------------------------------------------------------

def test_load_iris_shapes_types_and_classes():
    X, y, class_names, feature_names = load_iris()
    assert X.shape == (150, 4) and X.dtype == np.float64
    assert y.shape == (150,) and y.dtype.kind == "i"
    assert np.bincount(y).tolist() == [50, 50, 50]
    assert class_names == ["setosa", "versicolor", "virginica"]
    assert len(feature_names) == 4
    # Sorted by class, as the capstone's pitfall needs.
    assert (y[:50] == 0).all() and (y[-50:] == 2).all()
    # Known facts about Fisher's data: first flower and the feature ranges.
    assert X[0].tolist() == [5.1, 3.5, 1.4, 0.2]
    assert X[:, 2].min() == 1.0 and X[:, 2].max() == 6.9


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"\xff\xfe\x00garbage\x81", "UTF-8"),
    (b"a,b,c\n1,2,3\n", "5 columns"),
    (b"a,b,c,d,e\n1,2,x,4,setosa\n", "not a number"),
    (b"a,b,c,d,e\n1,2,3,4,rose\n", "unknown species"),
    (b"a,b,c,d,e\n1,2,3,4,setosa\n", "truncated"),
])
def test_load_iris_corrupt_files_give_clear_errors(tmp_path, content, message):
    path = tmp_path / "iris.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        load_iris(path)


def test_load_iris_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_iris(tmp_path / "nope.csv")


def test_data_path_names_missing_file():
    with pytest.raises(FileNotFoundError, match="missing"):
        data_path("no_such_dataset.csv")


# --- spiral -----------------------------------------------------------------------

def test_load_spiral_shapes_and_determinism():
    X, y = load_spiral(seed=1)
    assert X.shape == (300, 2) and y.shape == (300,)
    assert np.bincount(y).tolist() == [100, 100, 100]
    X2, y2 = load_spiral(seed=1)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, _ = load_spiral(seed=2)
    assert not np.array_equal(X, X3)
    assert np.abs(X).max() <= 1.0  # radius grows from 0 to just under 1


def test_load_spiral_does_not_touch_global_random_state():
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    load_spiral(seed=5)
    assert np.random.rand() == expected


def test_load_spiral_accepts_generator_and_sizes():
    X, y = load_spiral(n_per_class=7, n_classes=4, seed=np.random.default_rng(0))
    assert X.shape == (28, 2) and set(y.tolist()) == {0, 1, 2, 3}
    with pytest.raises(ValueError):
        load_spiral(n_per_class=0)
    with pytest.raises(ValueError, match="seed"):
        load_spiral(seed=None)


# --- one_hot, split, standardise ----------------------------------------------------

def test_one_hot():
    T = one_hot(np.array([2, 0, 1]))
    assert T.tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    assert one_hot(np.array([1]), num_classes=4).shape == (1, 4)
    with pytest.raises(ValueError):
        one_hot(np.array([-1, 0]))
    with pytest.raises(ValueError):
        one_hot(np.array([3]), num_classes=2)
    with pytest.raises(ValueError):
        one_hot(np.array([[0, 1]]))


def test_train_test_split_is_stratified_shuffled_and_complete():
    X, y, *_ = load_iris()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=1 / 3, seed=0)
    assert len(X_tr) == 100 and len(X_te) == 50
    assert sorted(np.bincount(y_te).tolist()) == [16, 17, 17]
    assert sorted(np.bincount(y_tr).tolist()) == [33, 33, 34]
    # Every flower lands in exactly one part.
    rows = {tuple(r) + (c,) for r, c in zip(X_tr, y_tr)} | {tuple(r) + (c,) for r, c in zip(X_te, y_te)}
    assert len(rows) == len({tuple(r) + (c,) for r, c in zip(X, y)})
    # Shuffled: the training part is not sorted by class.
    assert not np.all(np.diff(y_tr) >= 0)
    # Reproducible, and different for another seed.
    again = train_test_split(X, y, seed=0)
    assert np.array_equal(again[3], y_te)
    assert not np.array_equal(train_test_split(X, y, seed=1)[3], y_te)


def test_train_test_split_errors():
    with pytest.raises(ValueError, match="rows"):
        train_test_split(np.zeros((3, 2)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="fraction"):
        train_test_split(np.zeros((3, 2)), np.zeros(3, dtype=int), test_size=1.5)


def test_standardizer_fits_on_training_data_only():
    rng = np.random.default_rng(0)
    X_train = rng.normal(5, 2, size=(200, 3))
    X_test = rng.normal(5, 2, size=(50, 3)) + 100
    scaler = Standardizer().fit(X_train)
    Z = scaler.transform(X_train)
    assert np.allclose(Z.mean(axis=0), 0) and np.allclose(Z.std(axis=0), 1)
    # The test part is transformed with the training statistics, not its own.
    assert scaler.transform(X_test).mean() > 40
    const = Standardizer().fit_transform(np.ones((4, 2)))
    assert np.all(np.isfinite(const))
    with pytest.raises(RuntimeError):
        Standardizer().transform(X_train)


# --- widgets and plots ------------------------------------------------------------

def test_explore_falls_back_to_static_cases(monkeypatch):
    from helpers import explore, widgets_available

    monkeypatch.setenv("NNFS_STATIC", "1")
    assert not widgets_available()
    calls = []
    explore(lambda a=1, b=2: calls.append((a, b)), static_cases=[{"a": 3}, {"b": 5}], a=(0, 5, 1))
    assert calls == [(3, 2), (1, 5)]
    calls.clear()
    explore(lambda a=1: calls.append(a), a=(0, 5, 1))
    assert calls == [1]


def test_widgets_unavailable_outside_a_kernel(monkeypatch):
    from helpers import widgets_available

    monkeypatch.delenv("NNFS_STATIC", raising=False)
    assert not widgets_available()  # pytest is not a Jupyter kernel


def test_plot_helpers_draw_labelled_axes():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.plots import plot_decision_boundary, plot_functions, plot_loss_curve

    ax = plot_functions({"a": np.sin, "b": np.cos}, title="t")
    assert ax.get_title() == "t" and len(ax.get_lines()) >= 2 and ax.get_legend() is not None
    ax = plot_loss_curve({"run 1": [3, 2, 1], "run 2": [3, 1, 0.5]})
    assert ax.get_xlabel() == "iteration" and ax.get_legend() is not None
    X, y = load_spiral(n_per_class=10, seed=0)
    ax = plot_decision_boundary(lambda P: (P[:, 0] > 0).astype(int), X, y)
    assert ax.get_xlabel() and ax.get_ylabel()
    with pytest.raises(ValueError):
        plot_decision_boundary(lambda P: P[:, 0], np.zeros((3, 3)), np.zeros(3, dtype=int))
    plt.close("all")


def test_package_import_is_light():
    """Importing helpers must not pull in the notebook tools or ipywidgets."""
    code = ("import sys, helpers, helpers.nn; "
            "bad = [m for m in ('nbformat', 'nbclient', 'ipywidgets', 'IPython') if m in sys.modules]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_widgets_render_in_a_live_kernel(monkeypatch):
    """In a Jupyter kernel (no NNFS_STATIC), explorers and quizzes are ipywidgets."""
    import nbformat
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    monkeypatch.delenv("NNFS_STATIC", raising=False)
    nb = new_notebook(cells=[
        new_code_cell("from helpers import explore, show_quiz, widgets_available\nprint(widgets_available())"),
        new_code_cell("explore(lambda lr=0.1, kind='a': print(lr, kind), lr=(0.01, 1.0, 0.01), kind=['a', 'b'])"),
        new_code_cell("show_quiz('01')"),
    ])
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    assert nb.cells[0].outputs[0].text.strip() == "True"
    for cell in nb.cells[1:]:
        kinds = [o.get("data", {}) for o in cell.outputs]
        assert any("application/vnd.jupyter.widget-view+json" in d for d in kinds), cell.outputs
    # The explorer drew once with draw's defaults as the controls' starting values.
    widget_state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    states = [m["state"] for m in widget_state.get("state", {}).values()]
    assert 0.1 in [s.get("value") for s in states]
    assert any(s.get("_options_labels") == ["a", "b"] and s.get("index") == 0 for s in states)
