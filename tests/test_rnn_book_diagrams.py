"""rnn_book.diagrams, Part I (cell, unrolled, primitives) and the chapter graph: a white Figure whose labels name every tensor and its shape."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from rnn_book.diagrams.cell import rnn_cell_diagram  # noqa: E402
from rnn_book.diagrams.unrolled import unrolled_rnn_diagram  # noqa: E402


def _texts(fig):
    return " | ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def _assert_white(fig):
    assert to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)
    # Rendered pixels at the corner are opaque white too.
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    assert tuple(rgba[0, 0]) == (255, 255, 255, 255)
    assert tuple(rgba[-1, -1]) == (255, 255, 255, 255)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_cell_diagram_labels_every_tensor_with_its_shape(activation):
    fig = rnn_cell_diagram(activation)
    try:
        assert isinstance(fig, Figure)
        _assert_white(fig)
        text = _texts(fig)
        for needed in ["x_t (N, d)", "h_prev (N, Dh)", "h_next (N, Dh)", "Wh (Dh, Dh)",
                       "We (Dh, d)", "b1 (Dh,)", "$a_t$ (N, Dh)"]:
            assert needed in text, needed
    finally:
        plt.close(fig)


def test_cell_diagram_rejects_unknown_activation():
    with pytest.raises(ValueError, match="activation"):
        rnn_cell_diagram("softplus")


@pytest.mark.parametrize("T", [1, 3, 4, 8])
@pytest.mark.parametrize("show_outputs", [True, False])
def test_unrolled_diagram_has_one_column_per_step(T, show_outputs):
    fig = unrolled_rnn_diagram(T, show_outputs=show_outputs)
    try:
        assert isinstance(fig, Figure)
        _assert_white(fig)
        text = _texts(fig)
        assert "h0 (N, Dh)" in text
        for t in range(T):
            assert f"x[:, {t}] (N, d)" in text
            assert f"h[:, {t}] (N, Dh)" in text
            assert (f"theta[:, {t}] (N, V)" in text) == show_outputs
        assert f"x[:, {T}]" not in text
        for shared in ["Wh (Dh, Dh)", "We (Dh, d)", "b1 (Dh,)"]:
            assert shared in text
    finally:
        plt.close(fig)


@pytest.mark.parametrize("T", [0, 9, 2.0])
def test_unrolled_diagram_rejects_bad_T(T):
    with pytest.raises(ValueError, match="T"):
        unrolled_rnn_diagram(T)


def test_style_tables_are_read_only_and_the_style_still_applies():
    from rnn_book import style

    with pytest.raises(TypeError):
        style.OKABE_ITO["blue"] = "#FF0000"
    with pytest.raises(TypeError):
        style.RC["figure.facecolor"] = "black"
    with pytest.raises((TypeError, AttributeError)):
        style.CYCLE[0] = "#FF0000"
    with pytest.raises(AttributeError):
        style.CYCLE.append("#FF0000")
    assert style.CYCLE[0] == style.OKABE_ITO["blue"] == "#0072B2"
    with plt.rc_context():
        style.use_book_style()
        assert plt.rcParams["axes.facecolor"] == "white"
        assert plt.rcParams["axes.prop_cycle"].by_key()["color"][:2] == ["#0072B2", "#E69F00"]
    fig, ax = style.new_figure(3.0, 2.0)
    try:
        _assert_white(fig)
        assert ax.get_facecolor() == to_rgba("white")
        assert not ax.spines["top"].get_visible()
    finally:
        plt.close(fig)


def test_diagram_tables_are_read_only():
    from rnn_book.diagrams import graph, primitives

    for table, key in [(primitives.ROLE_COLOURS, "param"), (primitives.ACT_SYMBOLS, "tanh"),
                       (graph._ACT_DERIV, "tanh")]:
        with pytest.raises(TypeError):
            table[key] = "#FF0000"


def test_diagrams_share_one_activation_table_and_check():
    from rnn_book.diagrams import cell, graph, primitives
    from rnn_core.validation import ACTIVATIONS

    assert tuple(primitives.ACT_SYMBOLS) == ACTIVATIONS
    assert set(graph._ACT_DERIV) == set(ACTIVATIONS)
    assert not hasattr(cell, "_ACT_SYMBOL") and not hasattr(graph, "_ACT_SYMBOL")
    messages = []
    for draw in (cell.rnn_cell_diagram, graph.step_graph_diagram):
        for bad in ("softplus", None, ["tanh"]):
            with pytest.raises(ValueError) as info:
                draw(bad)
            messages.append(str(info.value).replace("softplus", "X"))
    assert messages[:3] == messages[3:]
    assert messages[0] == "activation: expected one of 'sigmoid', 'tanh', 'relu', got 'X'"


@pytest.mark.parametrize("name", ["canvas", "box", "circle", "arrow", "label"])
def test_primitives_document_inputs_and_outputs(name):
    import inspect

    from rnn_book.diagrams import primitives

    func = getattr(primitives, name)
    doc = inspect.getdoc(func)
    assert "Parameters\n----------" in doc and "Returns\n-------" in doc, name
    for param in inspect.signature(func).parameters:
        assert param.lstrip("*") in doc, f"{name}: {param} is not documented"


def test_chapter_graph_draws_every_chapter_and_dependency():
    import matplotlib
    from matplotlib.patches import FancyArrowPatch

    from rnn_book.table import CHAPTERS

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rnn_book.diagrams.chapters import chapter_graph, dependency_edges

    fig = chapter_graph()
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for c in CHAPTERS.values():
        assert sum(t.startswith(f"Chapter {c.number}\n") for t in texts) == 1
        assert any(f"~{c.minutes} min" in t for t in texts if t.startswith(f"Chapter {c.number}"))
    edges = dependency_edges()
    assert (1, 2) in edges and (4, 5) in edges
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(edges)
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0) and fig.get_facecolor()[3] == 1.0
    plt.close(fig)
    bad = dict(CHAPTERS)
    bad[2] = bad[2]._replace(depends_on=(3,))
    with pytest.raises(ValueError, match="chapter 2 depends on 3"):
        dependency_edges(bad)



def test_instructor_page_is_a_notebook_with_the_graph():
    import json
    from pathlib import Path

    book = Path(__file__).resolve().parents[1] / "book"
    assert not (book / "instructors.md").exists()
    nb = json.loads((book / "instructors.ipynb").read_text())
    fig = [c for c in nb["cells"] if "chapter_graph()" in "".join(c["source"])]
    assert len(fig) == 1
    meta = fig[0]["metadata"]["mystnb"]
    assert meta["figure"]["name"] == "fig-instructors-chapters" and meta["image"]["alt"]
    text = "".join("".join(c["source"]) for c in nb["cells"])
    for needle in ("nbgitpuller", "Binder", "Colab", "hide_solutions", "--config",
                   "python -m rnn_assign student", "python -m rnn_assign grade"):
        assert needle in text, needle

