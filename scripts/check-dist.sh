#!/usr/bin/env bash
# Rebuilds dist/ and fails when it differs from the committed one: the runner executes the
# committed dist/index.js, so it must be exactly what src/ builds to.
set -euo pipefail
cd "$(dirname "$0")/.."
# From an empty dist/: ncc leaves files it no longer writes, and a fresh build has none.
rm -rf dist
npm run build >/dev/null
changes=$(git status --porcelain -- dist)
if [[ -n ${changes} ]]; then
  echo "dist/ does not match a fresh build of src/; run 'npm run build' and commit dist/:" >&2
  echo "${changes}" >&2
  git --no-pager diff --stat -- dist >&2
  exit 1
fi
echo "dist/ matches a fresh build"
