#!/usr/bin/env bash
# npm run bench [-- FLAGS]: the benchmark of issues #4 and #11 (see bench/bench.mjs --help).
# Installs what it compares against (rclone) and measures with (GNU time) from Debian when
# missing, then runs bench/bench.mjs with the local Ceph RGW up (not for the profiles that
# run against in-memory stand-ins: ceiling, delay, queue, slowdown, load); a server this call
# had to start is stopped afterwards, one that was already running is left running.
#
#   bench/run.sh install        only the apt-get step (skipped when everything is present)
#   bench/run.sh [FLAGS...]     install if needed, then benchmark
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

# The profiles served by stand-ins in memory need neither RGW nor rclone.
stand_ins_only=false
args=("$@")
for i in "${!args[@]}"; do
  profile=
  case ${args[i]} in
    --profile=*) profile=${args[i]#--profile=} ;;
    --profile) profile=${args[i + 1]-} ;;
  esac
  case ${profile} in
    ceiling | delay | queue | slowdown | load | fleet) stand_ins_only=true ;;
  esac
done

# Debian packages of the commands the benchmark runs.
missing_packages() {
  [[ ${stand_ins_only} == true ]] || command -v rclone >/dev/null || echo rclone
  [[ -x /usr/bin/time ]] || echo time # GNU time: the processes' peak RSS (%M)
  return 0
}

install() {
  local packages
  mapfile -t packages < <(missing_packages)
  ((${#packages[@]} > 0)) || return 0
  command -v apt-get >/dev/null || die "no apt-get here; install ${packages[*]} yourself"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "not root and no sudo; install ${packages[*]} as root"
    sudo=(sudo)
  fi
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q)
  say "installing ${packages[*]} (Debian packages; rclone is what the action is compared with)"
  # Lists can be missing (fresh image) or stale (404s): then update and try again.
  if ! apt-cache show "${packages[@]}" >/dev/null 2>&1; then "${apt[@]}" update; fi
  if ! "${apt[@]}" install -y --no-install-recommends "${packages[@]}"; then
    "${apt[@]}" update
    "${apt[@]}" install -y --no-install-recommends "${packages[@]}"
  fi
}

if [[ ${1-} == install ]]; then
  install
  exit 0
fi
[[ -d node_modules ]] || npm ci --no-audit --no-fund
install
if [[ ${stand_ins_only} == true ]]; then
  exec node bench/bench.mjs "$@"
fi
export S3_STORES=rgw # the benchmark runs against Ceph RGW only
scripts/local-s3.sh install
exec scripts/local-s3.sh exec -- node bench/bench.mjs "$@"
