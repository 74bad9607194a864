#!/usr/bin/env bash
# npm run setup: what the test suites need beyond the npm packages, from Debian's archive:
# the local S3 stores of S3_STORES (scripts/local-s3.sh install) and cmark-gfm, GitHub's
# Markdown renderer, with which the tests look at the job summary as GitHub shows it.
# Each is skipped when already installed.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
readonly HERE

say() { printf 'setup: %s\n' "$*"; }
die() {
  say "$*" >&2
  exit 1
}
# shellcheck source-path=SCRIPTDIR source=apt.sh
source "${HERE}/apt.sh"

"${HERE}/local-s3.sh" install
if command -v cmark-gfm >/dev/null; then
  say "cmark-gfm is already installed ($(cmark-gfm --version | head -n 1))"
else
  apt_install cmark-gfm
  say "installed $(cmark-gfm --version | head -n 1)"
fi
