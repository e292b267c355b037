"""Sphinx extension: make sphinx-exercise's ``hide_solutions`` work for gated solutions.

sphinx-exercise 1.2.1 hides ``{solution}`` directives when ``hide_solutions`` is
true, but for the gated form the book uses (``{solution-start}`` ... cells ...
``{solution-end}``) the start directive returns nothing while the end node
stays: the content in between is still shown and the HTML writer fails on the
orphaned ``solution_end_node``. With this extension loaded, and only when
``hide_solutions`` is true, ``{solution-start}`` leaves a marker and a transform
removes everything from the marker to the matching ``{solution-end}``. With
``hide_solutions: false`` it changes nothing.

``_config.yml`` loads it as a local extension (``sphinx.local_extensions``:
``hide_solutions: book/_ext``); it loads sphinx_exercise first itself.
``python -m rnn_assign site-config`` writes the config with the switch on.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms import SphinxTransform


class hidden_solution_start(nodes.Element):  # noqa: N801 - docutils node naming
    """Where a hidden gated solution began; removed before writing."""


def _directive(base):
    class HiddenSolutionStart(base):
        def run(self):
            result = super().run()
            if self.env.app.config.hide_solutions:
                return [hidden_solution_start()]
            return result

    return HiddenSolutionStart


class RemoveHiddenSolutions(SphinxTransform):
    """Drop each marker, the siblings after it and the ``solution_end_node`` that closes it."""

    default_priority = 5  # before sphinx-exercise's gated-solution transforms (10)

    def apply(self, **kwargs):
        if not self.config.hide_solutions:
            return
        from sphinx_exercise.nodes import solution_end_node

        for marker in list(self.document.findall(hidden_solution_start)):
            parent = marker.parent
            if parent is None:
                continue
            start = parent.index(marker)
            end = next((i for i in range(start, len(parent.children))
                        if isinstance(parent.children[i], solution_end_node)), None)
            stop = end + 1 if end is not None else start + 1
            del parent.children[start:stop]


def setup(app):
    app.setup_extension("sphinx_exercise")
    from sphinx_exercise.directive import SolutionStartDirective

    app.add_node(hidden_solution_start)
    app.add_directive("solution-start", _directive(SolutionStartDirective), override=True)
    app.add_transform(RemoveHiddenSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
