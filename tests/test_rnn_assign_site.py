"""A student site without exercise solutions (rnn_assign.site, book/_ext/hide_solutions.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from rnn_book.folds import fold
from tests._assign_support import PY, ROOT


def test_site_config_hides_solutions(tmp_path):
    import yaml

    from rnn_assign.site import EXTENSION, write_student_config

    out = write_student_config(ROOT / "_config.yml", tmp_path / "sub" / "c.yml")
    config = yaml.safe_load(out.read_text())
    book = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["config"]["hide_solutions"] is True
    assert EXTENSION in config["sphinx"]["local_extensions"]
    assert (ROOT / book["sphinx"]["local_extensions"][EXTENSION] / f"{EXTENSION}.py").is_file()
    for name, path in config["sphinx"]["local_extensions"].items():
        original = (ROOT / book["sphinx"]["local_extensions"][name]).resolve()
        assert (out.parent / path).resolve() == original
    assert book["sphinx"]["config"].get("hide_solutions") is not True  # the book is untouched
    assert config["title"].endswith("(student edition)")


def test_site_config_refuses_a_config_without_the_extension(tmp_path):
    from rnn_assign.site import write_student_config

    config = tmp_path / "_config.yml"
    config.write_text("title: x\nsphinx:\n  config:\n    hide_solutions: false\n")
    with pytest.raises(ValueError, match="hide_solutions"):
        write_student_config(config, tmp_path / "out.yml")
    assert not (tmp_path / "out.yml").exists()


def test_site_config_cli(tmp_path):
    out = tmp_path / "sc.yml"
    proc = subprocess.run([PY, "-m", "rnn_assign", "site-config", "--out", str(out)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert f"jupyter-book build {ROOT} --config {out.resolve()}" in proc.stdout, proc.stdout
    assert " build . " not in proc.stdout
    lost = subprocess.run([PY, "-m", "rnn_assign", "site-config", "--out", str(out)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert lost.returncode == 2 and "does not exist" in lost.stderr
    assert "Traceback" not in lost.stderr


def test_hide_solutions_extension_builds_a_solution_free_site(tmp_path_factory):
    """A two-page book: the teacher build shows the solutions, the student build none of them."""
    pytest.importorskip("jupyter_book")
    import nbformat

    from rnn_assign.site import write_student_config

    tmp_path = tmp_path_factory.mktemp("minibook")
    outputs = tmp_path_factory.mktemp("builds")
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nchapters:\n  - file: page\n  - file: folded\n")
    (tmp_path / "_config.yml").write_text(
        "title: mini\nexecute:\n  execute_notebooks: 'off'\nsphinx:\n  extra_extensions:\n"
        "    - sphinx_exercise\n    - sphinx.ext.autodoc\n  local_extensions:\n"
        f"    hide_solutions: {ROOT / 'book' / '_ext'}\n"
        f"    book_site: {ROOT / 'book' / '_ext'}\n"
        "  config:\n    hide_solutions: false\n")
    (tmp_path / "index.md").write_text(
        "# Mini\n\n```{exercise} Add\n:label: ex-add\nWhat is 1 + 1?\n```\n"
        "```{solution-start} ex-add\n:class: dropdown\n```\nSECRET-A\n```{solution-end}\n```\n\n"
        "```{exercise} Sub\n:label: ex-sub\n1 - 1?\n```\n```{solution} ex-sub\nSECRET-B\n```\n"
        "VISIBLE-AFTER\n")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    cell = nbformat.v4.new_code_cell("print('SECRET-C')")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="SECRET-D\n")]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Page\n\n```{exercise} Mul\n:label: ex-mul\n2*3?\n```\n"
                                      "```{solution-start} ex-mul\n```\nSECRET-E"),
        cell,
        nbformat.v4.new_markdown_cell("SECRET-F\n```{solution-end}\n```\nVISIBLE-NB"),
    ]
    nbformat.write(nb, tmp_path / "page.ipynb")
    # The same page as a chapter is committed: the solution folded into one Markdown cell.
    folded = json.loads(json.dumps(nb).replace("SECRET-", "FOLDED-").replace("# Page", "# Folded")
                        .replace("ex-mul", "ex-fold"))
    folded["cells"][2]["source"] = folded["cells"][2]["source"].replace("VISIBLE-NB", "VISIBLE-FOLD")
    nbformat.write(nbformat.from_dict(fold(folded)), tmp_path / "folded.ipynb")
    config = write_student_config(tmp_path / "_config.yml", outputs / "student.yml")
    jb = Path(PY).parent / "jupyter-book"
    html = {}
    for name, extra in (("teacher", []), ("student", ["--config", str(config)])):
        proc = subprocess.run([str(jb), "build", str(tmp_path), "-W", "-q", "--path-output",
                               str(outputs / name), *extra],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        base = outputs / name / "_build" / "html"
        html[name] = "".join((base / f"{page}.html").read_text() for page in ("index", "page", "folded"))
    for secret in [f"SECRET-{c}" for c in "ABCDEF"] + [f"FOLDED-{c}" for c in "CDEF"]:
        assert secret in html["teacher"]
        assert secret not in html["student"]
    assert "VISIBLE-AFTER" in html["student"] and "VISIBLE-NB" in html["student"]
    assert "VISIBLE-FOLD" in html["student"] and "rnn-fold" not in html["teacher"]

