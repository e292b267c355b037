"""Sphinx extension for this book (loaded by _config.yml's ``local_extensions``).

1. Links by short public name. 
book/api.md documents every object once, under the module that defines it
(``rnn_core.recurrent.rnn_forward``). The package re-exports the main API, so a
chapter naturally writes ``{py:func}`rnn_core.rnn_forward```. This handler of
Sphinx's ``missing-reference`` event imports the name, finds where the object is
defined and resolves the link to that documented target. A name that is not
importable stays unresolved, and ``-n`` reports it as usual.

2. No "Alias for field number 0" entries: the fields of the ``NamedTuple``
caches are listed in the class signature already.

3. The shape contract on the API page. A function's ``@shapes(...)`` line is its
documentation of what it accepts; autodoc does not show decorators, so the
contract (``__contract__``) is put at the top of the docstring as one line.

4. Each script once per page. sphinx-thebe registers its inline configuration
script twice under Jupyter Book 1, and the second copy throws "Identifier
'THEBE_JS_URL' has already been declared" in every reader's console.

5. Solution folds for live notebooks only. A committed chapter is folded (rnn_book/folds.py):
each solution is one Markdown cell wrapped in ``<details class="rnn-fold"><summary>Solution
</summary>`` ... ``</details>``, its code and printed output written as ``python rnn-cell`` and
``text rnn-output`` blocks, so that Colab, plain JupyterLab, nbconvert and GitHub show it folded.
The book has sphinx-exercise's dropdown already; these raw HTML nodes are removed before
sphinx-exercise gathers a gated solution, so the dropdown holds the solution's prose, its code
and its output (as static blocks: the book runs the folded form, where a solution's code does
not run; nbval runs and checks it, book/conftest.py).
"""

from __future__ import annotations

import importlib
import re

from docutils import nodes
from sphinx.transforms import SphinxTransform


def _canonical(target: str) -> str | None:
    parts = target.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        module = getattr(obj, "__module__", None)
        qualname = getattr(obj, "__qualname__", None)
        if not module or not qualname:
            return None
        name = f"{module}.{qualname}"
        return name if name != target else None
    return None


def resolve_alias(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if not target.startswith("rnn_core."):
        return None
    canonical = _canonical(target)
    if canonical is None:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(env, node.get("refdoc", ""), app.builder, node.get("reftype"),
                               canonical, node, contnode)


def skip_namedtuple_fields(app, what, name, obj, skip, options):
    doc = getattr(obj, "__doc__", None) or ""
    if what == "class" and doc.startswith("Alias for field number"):
        return True
    return None


def _describe(entry) -> str:
    if isinstance(entry, str):
        return f'"{entry}"'
    if isinstance(entry, type):
        return entry.__name__
    return repr(entry)


def contract_line(app, what, name, obj, options, lines):
    contract = getattr(obj, "__contract__", None)
    if what not in ("function", "method") or not isinstance(contract, dict):
        return
    args = ", ".join(f"{k}={_describe(v)}" for k, v in contract.items())
    lines[:0] = [f"**Contract:** ``@shapes({args})``", ""]


def dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        # The same inline script arrives once with filename None and once with "".
        attributes = getattr(js, "attributes", {}) or {}
        key = (getattr(js, "filename", str(js)) or "", getattr(js, "priority", None),
               tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


_FOLD_OPEN = re.compile(r'^<details class="rnn-fold">\s*<summary>[^<]*</summary>$')
_DETAILS_OPEN = re.compile(r"<details\b")


class RemoveSolutionFolds(SphinxTransform):
    """Drop the ``rnn-fold`` ``<details>`` HTML and the ``</details>`` that closes each."""

    default_priority = 4  # before sphinx-exercise's gated-solution transforms (10)

    def apply(self, **kwargs):
        stack = []
        for node in list(self.document.findall(nodes.raw)):
            if "html" not in node.get("format", "").split():
                continue
            text = node.astext().strip()
            if _FOLD_OPEN.match(text):
                stack.append("fold")
                node.parent.remove(node)
            elif text == "</details>":
                # A </details> with no opener left is one the student edition orphaned.
                if not stack or stack.pop() == "fold":
                    node.parent.remove(node)
            else:
                opened = len(_DETAILS_OPEN.findall(text)) - text.count("</details>")
                stack.extend(["other"] * max(opened, 0))


def setup(app):
    app.add_transform(RemoveSolutionFolds)
    app.connect("missing-reference", resolve_alias)
    app.connect("autodoc-skip-member", skip_namedtuple_fields)
    app.connect("autodoc-process-docstring", contract_line)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
