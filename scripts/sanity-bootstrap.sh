#!/usr/bin/env bash
# Make `ansible-test sanity` work offline: it fetches pip's bootstrap script from the internet,
# which these machines cannot reach. A file at ~/.ansible/test/cache/get_pip_<ver>.py is used
# instead when present; ours installs pip from a wheel downloaded from PyPI (reachable here).
# See ../shared/ENVIRONMENT.md. Idempotent.
set -euo pipefail
PIP_VERSION=24.2
CACHE="${HOME}/.ansible/test/cache"
WHEELS="${CACHE}/wheels"
PYTHON="${1:-python3}"
mkdir -p "$WHEELS"
wheel="$WHEELS/pip-${PIP_VERSION}-py3-none-any.whl"
if [ ! -f "$wheel" ]; then
  "$PYTHON" -m pip download --disable-pip-version-check -q --no-deps -d "$WHEELS" "pip==${PIP_VERSION}"
fi
cat > "$CACHE/get_pip_${PIP_VERSION//./_}.py" <<PY
"""Stand-in for get-pip.py: install pip from the local wheel (no internet needed)."""
import sys
sys.path.insert(0, "$wheel")
from pip._internal.cli.main import main  # noqa: E402
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--upgrade", "--force-reinstall"] + args))
PY
echo "sanity-bootstrap: $CACHE/get_pip_${PIP_VERSION//./_}.py -> $wheel"
