#!/usr/bin/env bash
# Every test, in one pytest run: unit and property tests of rnn_core, the
# chapters under nbval (strict), the -W book build and the headless-browser
# checks of the built site. `make test` and .ci/run both land here.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure_chromium.sh
bash scripts/ensure_torch_oracle.sh

export PYTHONHASHSEED=0
# Two workers, one notebook or test file each; the build and the browser
# checks share a file, so they run in order on one worker.
exec .venv/bin/python -m pytest \
    -n 2 --dist loadfile \
    --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
    -p no:cacheprovider \
    tests book "$@"
