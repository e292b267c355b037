#!/usr/bin/env bash
# Re-execute chapters on a fresh kernel (after changing rnn_core) and store the outputs.
# Each notebook is unfolded into its executable form (rnn_book/folds.py: the solutions' code
# as code cells) in a hidden copy next to it (the kernel's working directory is the notebook's
# folder, which the chapters read data/ from), executed there, and folded back into place, so
# that the printed answers inside the folded solutions come from this run too. The per-cell
# timing metadata jupyter-execute adds is dropped, so that diffs show only real changes.
#   bash scripts/execute_notebooks.sh                 # every notebook in book/
#   bash scripts/execute_notebooks.sh book/ch05_bptt.ipynb
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONHASHSEED=0  # as in scripts/run_tests.sh, so outputs are made as nbval checks them
notebooks=("$@")
if [ ${#notebooks[@]} -eq 0 ]; then notebooks=(book/*.ipynb); fi
tmp=""
trap '[ -z "$tmp" ] || rm -f "$tmp"' EXIT
for nb in "${notebooks[@]}"; do
    echo "executing $nb"
    tmp="$(dirname "$nb")/.executable-$(basename "$nb")"  # hidden: no build or git picks it up
    .venv/bin/python scripts/fold_solutions.py --unfold "$nb" --output "$tmp"
    .venv/bin/jupyter-execute --inplace "$tmp"  # stops the script if a cell raises
    .venv/bin/python - "$tmp" <<'PY'
import json, sys
path = sys.argv[1]
nb = json.load(open(path, encoding="utf-8"))
for cell in nb["cells"]:
    cell.get("metadata", {}).pop("execution", None)
with open(path, "w", encoding="utf-8") as f:
    json.dump(nb, f)
PY
    .venv/bin/python scripts/fold_solutions.py "$tmp" --output "$nb"
    rm -f "$tmp"
done
