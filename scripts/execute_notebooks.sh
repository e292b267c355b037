#!/usr/bin/env bash
# Re-execute chapters in place on a fresh kernel (after changing rnn_core), then drop
# the per-cell timing metadata jupyter-execute adds, so that diffs show only real changes.
#   bash scripts/execute_notebooks.sh                 # every notebook in book/
#   bash scripts/execute_notebooks.sh book/ch05_bptt.ipynb
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONHASHSEED=0  # as in scripts/run_tests.sh, so outputs are made as nbval checks them
notebooks=("$@")
if [ ${#notebooks[@]} -eq 0 ]; then notebooks=(book/*.ipynb); fi
for nb in "${notebooks[@]}"; do
    echo "executing $nb"
    .venv/bin/jupyter-execute --inplace "$nb"  # stops the script if a cell raises
    .venv/bin/python - "$nb" <<'PY'
import json, sys
path = sys.argv[1]
nb = json.load(open(path, encoding="utf-8"))
for cell in nb["cells"]:
    cell.get("metadata", {}).pop("execution", None)
with open(path, "w", encoding="utf-8") as f:
    json.dump(nb, f, indent=1, ensure_ascii=False)
    f.write("\n")
PY
done
