#!/usr/bin/env bash
# npm run demo: the action's main job on this machine, end to end. Installs what it needs,
# starts the local S3 server, seeds stale and fresh uploads, runs dist/index.js as a GitHub
# runner would, prints the outputs, the report file (kept) and the job summary, writes the summary as an HTML page
# that looks as it does on GitHub, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
export S3_STORES=rgw # one store is enough to watch
scripts/setup.sh
scripts/local-s3.sh exec -- node scripts/demo.mjs
