#!/usr/bin/env bash
# The real S3 servers the integration and e2e suites run against, all on 127.0.0.1:
# Ceph RADOS Gateway (scripts/stores/rgw.sh) and OpenStack Swift with s3api
# (scripts/stores/swift.sh). Each is a throwaway single-node server from Debian's packages,
# run as the invoking user with its state in a directory of its own.
#
#   scripts/local-s3.sh install              apt-get what the stores need (skipped when present)
#   scripts/local-s3.sh start                start the stores (no-op for one already running)
#   scripts/local-s3.sh stop                 stop them and delete their state
#   scripts/local-s3.sh status               print each store's endpoint; exit 1 if one is down
#   scripts/local-s3.sh exec -- CMD ARGS...  run CMD with the stores running; those this call
#                                            had to start are stopped afterwards
#
# Environment:
#   S3_STORES  the stores to run, separated by spaces (default "rgw swift"). The test suites
#              read the same variable; names other than rgw and swift (a store reached through
#              S3_TEST_* variables, see README.md) are left to the caller.
#   Each store's own settings (ports, state directories) are in its script's header.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
readonly HERE
read -r -a STORES <<<"${S3_STORES:-rgw swift}"

say() { printf 'local-s3: %s\n' "$*"; }

# The stores of S3_STORES that this script runs.
local_stores() {
  local store
  for store in "${STORES[@]}"; do
    [[ -x ${HERE}/stores/${store}.sh ]] && echo "${store}"
  done
  return 0
}
mapfile -t LOCAL < <(local_stores)

each() {
  local store
  for store in "${LOCAL[@]}"; do "${HERE}/stores/${store}.sh" "$@"; done
}

is_running() { "${HERE}/stores/$1.sh" status >/dev/null 2>&1; }

cmd_exec() {
  [[ ${1-} != -- ]] || shift
  if (($# == 0)); then
    say "usage: $0 exec -- CMD [ARGS...]" >&2
    exit 2
  fi
  local store started=() child='' rc=0
  stop_started() {
    for store in "${started[@]}"; do "${HERE}/stores/${store}.sh" stop >/dev/null || true; done
  }
  # CMD runs in the background so that a TERM is handled at once (bash runs no trap while
  # a foreground child runs). Background children ignore SIGINT, so Ctrl-C is passed on
  # as TERM.
  on_signal() {
    trap '' INT TERM
    if [[ -n ${child} ]]; then
      kill -TERM "${child}" 2>/dev/null || true
      wait "${child}" 2>/dev/null || true
    fi
    stop_started
    exit "$1"
  }
  trap 'on_signal 130' INT
  trap 'on_signal 143' TERM
  for store in "${LOCAL[@]}"; do
    is_running "${store}" && continue
    # Recorded before the start: a start that fails half-way cleans up after itself.
    started+=("${store}")
    "${HERE}/stores/${store}.sh" start || on_signal 1
  done
  "$@" <&0 &
  child=$!
  wait "${child}" || rc=$?
  trap - INT TERM
  stop_started
  return "${rc}"
}

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p;}' "$0"; }

case ${1-} in
  install | start | stop) each "$1" ;;
  status)
    rc=0
    for store in "${LOCAL[@]}"; do
      printf '%s: ' "${store}"
      "${HERE}/stores/${store}.sh" status || rc=1
    done
    exit "${rc}"
    ;;
  exec)
    shift
    cmd_exec "$@"
    ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
