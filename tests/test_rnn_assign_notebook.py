"""The student edition of a notebook (rnn_assign.notebook)."""

from __future__ import annotations

import json

import pytest

from rnn_assign.notebook import EDITION_CELL, student_notebook


def _cell(kind, source, tags=(), outputs=None):
    cell = {"cell_type": kind, "metadata": {"tags": list(tags)} if tags else {}, "source": source}
    if kind == "code":
        cell.update(outputs=outputs or [], execution_count=1 if outputs else None)
    return cell



def _toy_notebook():
    out = [{"output_type": "stream", "name": "stdout", "text": "0.731\n"}]
    cells = [
        _cell("markdown", "# Toy"),
        _cell("code", "# On Colab ...\ntry:\n    import rnn_core\nexcept ImportError:\n"
                      "    %pip install --quiet rnn_core", ["hide-output"]),
        _cell("code", "import numpy as np", outputs=out),
        _cell("code", "from rnn_core import rnn_step_forward, show_source", outputs=out),
        _cell("code", "show_source(rnn_step_forward)", outputs=out),
        _cell("code", "fig = cell_diagram()\nplt.show()", outputs=out),
        _cell("code", "h, _ = rnn_step_forward(x, h0, Wh, We, b1)", outputs=out),
        _cell("code", "print(h)", outputs=out),
        _cell("code", "%matplotlib inline\nplt.plot(h.sum(1))", outputs=out),
        _cell("code", "h = np.zeros(3)\nprint(h)  # redefined: no longer the student's", outputs=out),
        _cell("code", "assert h.shape == (2, 3)", ["self-check"], outputs=out),
        _cell("markdown", "```{exercise} E\n:label: ex-toy\nDo it.\n```\n"
                          "```{solution-start} ex-toy\n:class: dropdown\n```\nThe answer is 42."),
        _cell("code", "answer = 42", outputs=out),
        _cell("code", "def g(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
              outputs=out),
        _cell("markdown", "More of the answer.\n```{solution-end}\n```\nAfter the block."),
        _cell("markdown", "````{solution} ex-toy\n```python\nx = 1\n```\n````\nKept text."),
    ]
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i}"
    return {"cells": cells, "metadata": {"kernelspec": {"language": "python", "name": "python3",
                                                       "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": 5}



def test_student_notebook():
    toy = _toy_notebook()
    keep = json.dumps(toy)
    nb = student_notebook(toy)
    assert json.dumps(toy) == keep, "the input was modified"
    src = [c["source"] for c in nb["cells"]]
    text = "\n".join(src)
    assert src[1] == EDITION_CELL
    assert "The answer is 42" not in text and "answer = 42" not in text
    assert "More of the answer" not in text and "x = 1" not in text
    assert "After the block." in text and "Kept text." in text and "Do it." in text
    assert "def g(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()" in text
    assert "return 2 * x" not in text
    assert any("self-check" in c["metadata"].get("tags", []) for c in nb["cells"])
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(code) == 11  # "answer = 42" (inside the solution block) is gone
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code), \
        "no output survives: a value, figure or show_source could give an answer away"


def test_solution_regions_follow_nbgrader():
    """nbgrader's rule: a line containing the marker starts or ends a region; an open one fails."""
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": "x = 1 ### BEGIN SOLUTION"}
    with pytest.raises(RuntimeError, match="no end solution"):
        student_notebook({"cells": [cell], "metadata": {}})
    cell["source"] = "    ### BEGIN SOLUTION\n    x = 1\n    ### END SOLUTION\ny = 2"
    out = student_notebook({"cells": [cell], "metadata": {}})
    assert out["cells"][1]["source"] == "    # YOUR CODE HERE\n    raise NotImplementedError()\ny = 2"
