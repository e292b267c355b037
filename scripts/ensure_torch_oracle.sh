#!/usr/bin/env bash
# tests/test_torch_oracle.py checks rnn_core against PyTorch's nn.RNN; it skips
# without torch. Install torch's CPU build only when its wheel is already on this
# machine (pip's --find-links folders): never a multi-gigabyte download. Optional:
# any failure here only means the oracle tests skip.
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if $PY -c "import torch" >/dev/null 2>&1; then exit 0; fi
wheels=$(mktemp -d)
if $PY -m pip download --quiet --no-index --no-deps -d "$wheels" torch==2.13.0 >/dev/null 2>&1; then
    $PY -m pip install --quiet "$wheels"/torch-*.whl \
        || echo "torch could not be installed: the PyTorch oracle tests will skip"
else
    echo "no local torch 2.13.0 wheel: the PyTorch oracle tests will skip"
fi
rm -rf "$wheels"
exit 0
