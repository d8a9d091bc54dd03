#!/usr/bin/env bash
# Builds (once) a second environment with Google Colab's widget versions: ipywidgets 7.7.1,
# widgetsnbextension 3.6.6 (3.6.10 cannot draw an Output widget in Notebook 6.5: "_deserialize_state is not a function"), the classic Notebook 6.5, plus torch and our requirements, for the
# ipywidgets-7 tests (tests/test_browser_w7.py, tests/test_compat.py). Usage: make_w7_env.sh [DIR]
# (default .venv-w7 at the repository root). A finished environment is reused (marker file);
# pip's cache is shared with the main environment, so a second build downloads nothing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$root/.venv-w7}"
if [ -f "$dir/.ip2p-w7-ready" ]; then echo "$dir"; exit 0; fi
python3 -m venv "$dir"
py="$dir/bin/python"
"$py" -m pip install -q --upgrade pip
"$py" -m pip install -q torch==2.13.0                      # first, alone: the CPU build
# Colab's widget stack; the requirements' other lines, with ipywidgets held at 7.7.1.
grep -v -E '^\s*(ipywidgets|torch)\b' "$root/requirements.txt" > "$dir/req-w7.txt"
"$py" -m pip install -q -r "$dir/req-w7.txt" "ipywidgets==7.7.1" "widgetsnbextension==3.6.6" \
      "notebook>=6.5,<6.6" "ipykernel>=6" "pytest>=8" "playwright>=1.40" "nbclient>=0.10"
touch "$dir/.ip2p-w7-ready"
echo "$dir"
