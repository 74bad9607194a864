# shellcheck shell=bash
# What the store scripts (scripts/stores/rgw.sh, scripts/stores/swift.sh) share: a
# throwaway S3 server on 127.0.0.1 whose daemons run as the invoking user and keep every
# file in one state directory, managed by the commands install, start, stop and status.
# A store script sources this file; it is not executable, so scripts/local-s3.sh does
# not take it for a store.
#
# The store script sets, before it sources this file:
#   NAME         the store's name: it is scripts/stores/NAME.sh and reads its settings
#                from LOCAL_S3_<NAME>_PORT and LOCAL_S3_<NAME>_DIR (messages name them)
#   PORT         the S3 port; checked here
#   DIR          the state directory; made absolute, checked and made read-only here
#   MARKER       the file in DIR that proves the directory is ours before stop deletes it
#   PACKAGES     the store's Debian packages
#   SOFTWARE     what install names (with software_version): "Swift 2.30.0 is ..."
#   SERVER       what start names (with software_version): "... 2.30.0 ready at ..."
#   ACCESS_KEY, SECRET_KEY   the main user's credentials
#   DAEMONS      the daemons' short names in start order; the last one serves S3
#   STOP_SIGNAL  associative array: the signal stop sends a daemon instead of TERM
# and defines these functions before it calls main "$@":
#   store_installed          succeeds when the store's own packages are installed
#   software_version         prints the installed version
#   is_our_daemon NAME PID   succeeds when PID runs our daemon NAME, not a recycled PID
#   daemon_title NAME        how messages name the daemon
#   show_log NAME            shows the end of the daemon's logs on stderr (tail_logs)
#   start_server             creates the state directory (make_state_dir), writes the
#                            configuration, starts the daemons (spawn) and waits until
#                            a signed request succeeds (wait_for); start_failed on error
#
# It defines the rest: ENDPOINT, REGION, the commands (cmd_*) and main, and for the
# store's functions say, die, have_commands, port_in_use, free_port, make_state_dir,
# spawn, wait_for, endpoint_answers, signed_request_ok, start_failed and tail_logs.

# shellcheck disable=SC2153,SC2154 # the variables above come from the store script

# shellcheck source-path=SCRIPTDIR source=../apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/../apt.sh"

readonly ENDPOINT=http://127.0.0.1:${PORT}
# Requests are signed for this region. RGW takes any; Swift's s3api is set to it.
readonly REGION=us-east-1

[[ ${DIR} == /* ]] || DIR=${PWD}/${DIR}
readonly DIR

say() { printf 'local-s3: %s\n' "$*"; }
die() {
  say "$*" >&2
  exit 1
}

if [[ ! ${PORT} =~ ^[0-9]{1,5}$ ]] || ((PORT < 1 || PORT > 65535)); then
  die "LOCAL_S3_${NAME^^}_PORT must be a port number, got '${PORT}'"
fi
# The stores' configuration files (ceph.conf, paste.deploy) have no quoting: '#' and
# ';' start comments, '$' and '%' expand.
[[ ${DIR} =~ ^[A-Za-z0-9/._+@:=,-]+$ ]] ||
  die "LOCAL_S3_${NAME^^}_DIR must be a plain path (letters, digits and /._+@:=,-), got '${DIR}'"

now_ms() { echo $((${EPOCHREALTIME//[!0-9]/} / 1000)); } # the separator follows the locale
port_in_use() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_file() { echo "${DIR}/run/$1.pid"; }

# First free port from $1 to $2 that is not one of the rest of the arguments.
free_port() {
  local port=$1 last=$2 taken=" ${*:3} "
  while port_in_use "${port}" || [[ ${taken} == *" ${port} "* ]]; do
    ((++port <= last)) || return 1
  done
  echo "${port}"
}

# Those of the given PIDs whose process still runs (a zombie has finished).
alive() {
  local pid stat
  for pid; do
    read -r stat 2>/dev/null <"/proc/${pid}/stat" || continue
    stat=${stat##*) }
    [[ ${stat:0:1} == Z ]] || echo "${pid}"
  done
}

# PID of a daemon we started, if it still runs.
daemon_pid() {
  local pid
  read -r pid 2>/dev/null <"$(pid_file "$1")" || return 1
  [[ ${pid} =~ ^[0-9]+$ ]] || return 1
  is_our_daemon "$1" "${pid}" && [[ -n $(alive "${pid}") ]] || return 1
  echo "${pid}"
}

# A plain request to our own server: no proxy, no ~/.curlrc, no CA-bundle variables.
s3_status() {
  env -i PATH="${PATH}" curl -q --noproxy '*' --silent --max-time 5 \
    --output /dev/null --write-out '%{http_code}' "$@" 2>/dev/null || true
}
endpoint_answers() { [[ $(s3_status "${ENDPOINT}/") == [1-5]?? ]]; }
# ListBuckets as the main user, which Swift answers only once the account server runs
# too. curl splits --user at the first colon and Swift's tempauth access keys have one,
# so the credentials go in the URL, where curl percent-decodes them. curl 7.x leaves out
# the x-amz-content-sha256 header that S3 SigV4 requires.
signed_request_ok() {
  [[ $(s3_status --aws-sigv4 "aws:amz:${REGION}:s3" \
    --header 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
    "http://${ACCESS_KEY/:/%3A}:${SECRET_KEY}@127.0.0.1:${PORT}/") == 200 ]]
}

recorded_port() { cat "${DIR}/port" 2>/dev/null || true; }
daemons_alive() {
  local d
  for d in "${DAEMONS[@]}"; do daemon_pid "${d}" >/dev/null || return 1; done
}
is_running() { daemons_alive && [[ $(recorded_port) == "${PORT}" ]] && endpoint_answers; }

have_commands() {
  local c
  for c; do command -v "${c}" >/dev/null || return 1; done
}

# Packages providing the commands this script needs that are not installed.
missing_packages() {
  store_installed || echo "${PACKAGES[@]}"
  command -v curl >/dev/null || echo curl
  command -v setsid >/dev/null || echo util-linux
}

cmd_install() {
  local packages
  packages=$(missing_packages)
  if [[ -z ${packages} ]]; then
    say "${SOFTWARE} $(software_version) is already installed"
    return 0
  fi
  # shellcheck disable=SC2206 # one package name per word
  packages=(${packages})
  apt_install "${packages[@]}"
  say "installed ${SOFTWARE} $(software_version)"
}

# The state directory as the functions here need it: run (PID files), log, the marker
# and the port the server is for. start_server creates it once the store's own checks
# have passed, so that they leave nothing behind.
make_state_dir() {
  mkdir -p "${DIR}"/{run,log}
  : >"${DIR}/${MARKER}"
  echo "${PORT}" >"${DIR}/port"
}

# Runs the command "$@" as daemon $1 in the foreground of a session of its own, with its
# output in the file $2, and records its PID.
spawn() {
  local name=$1 out=$2
  shift 2
  # Few malloc arenas keep the daemons' memory small.
  (cd "${DIR}" && export MALLOC_ARENA_MAX=2 && exec setsid "$@" </dev/null >"${out}" 2>&1) &
  echo "$!" >"$(pid_file "${name}")"
  disown "$!" # no "Killed" job notice from bash when stop kills it
}

# The end of each of the given log files that has anything in it, on stderr.
tail_logs() {
  local f
  for f; do
    [[ -s ${f} ]] || continue
    printf -- '--- tail of %s ---\n' "${f}" >&2
    tail -n 25 "${f}" >&2
  done
}

# Start failed: say why, show the log of the daemon at fault, undo everything.
start_failed() {
  local daemon=$1
  shift
  say "start failed: $*" >&2
  if [[ -n ${daemon} ]]; then show_log "${daemon}"; fi
  stop_daemons
  rm -rf "${DIR}"
  exit "${START_STATUS:-1}"
}

# Polls "$@" until it succeeds, for at most $2 seconds; fails early if a daemon died.
wait_for() {
  local what=$1 deadline=$(($(now_ms) + $2 * 1000)) d
  shift 2
  until "$@"; do
    for d in "${DAEMONS[@]}"; do
      # Not daemon_pid: until setsid has exec'd the daemon, the PID runs bash.
      if [[ -e $(pid_file "${d}") && -z $(alive "$(<"$(pid_file "${d}")")") ]]; then
        start_failed "${d}" "$(daemon_title "${d}") exited while waiting for ${what}"
      fi
    done
    (($(now_ms) < deadline)) || start_failed "${DAEMONS[-1]}" "timed out waiting for ${what}"
    sleep 0.05
  done
}

cmd_start() {
  local t0 missing
  t0=$(now_ms)
  missing=$(missing_packages)
  [[ -z ${missing} ]] || die "${missing//$'\n'/ } not installed; run scripts/stores/${NAME}.sh install"

  if is_running; then
    say "already running at ${ENDPOINT} (state in ${DIR})"
    return 0
  fi
  if daemons_alive; then
    die "the server of ${DIR} runs at http://127.0.0.1:$(recorded_port), not on port ${PORT}; stop it or use another LOCAL_S3_${NAME^^}_DIR"
  fi
  clear_state # leftovers of a run that crashed or was killed
  if port_in_use "${PORT}"; then die "port ${PORT} on 127.0.0.1 is taken; set LOCAL_S3_${NAME^^}_PORT"; fi

  # An interrupted start undoes what it has done so far.
  trap 'START_STATUS=130 start_failed "" interrupted' INT
  trap 'START_STATUS=143 start_failed "" terminated' TERM
  start_server
  trap - INT TERM

  local ms=$(($(now_ms) - t0))
  say "${SERVER} $(software_version) ready at ${ENDPOINT} in $((ms / 1000)).$((ms % 1000 / 100)) s"
}

# Stops the daemons the state directory records, the last started first. Their data is
# thrown away, so there is no point in waiting for a clean exit: TERM, which lets a
# daemon flush its log, and KILL for any that is still there after 0.5 s. A daemon that
# has nothing to flush and is slow to exit on TERM gets its STOP_SIGNAL (KILL) at once.
stop_daemons() {
  local d pid pids=() i
  for ((i = ${#DAEMONS[@]} - 1; i >= 0; i--)); do
    d=${DAEMONS[i]}
    if pid=$(daemon_pid "${d}"); then
      kill -"${STOP_SIGNAL[${d}]:-TERM}" "${pid}" 2>/dev/null || true
      pids+=("${pid}")
    fi
  done
  for ((i = 0; i < 30 && ${#pids[@]} > 0; i++)); do
    ((i != 10)) || kill -KILL "${pids[@]}" 2>/dev/null || true
    sleep 0.05
    mapfile -t pids < <(alive "${pids[@]}")
  done
  rm -f "${DIR}"/run/*.pid
}

clear_state() {
  [[ -e ${DIR} ]] || return 0
  if [[ ! -e ${DIR}/${MARKER} ]]; then
    # An empty directory may have been made for us; anything else is not ours to delete.
    rmdir "${DIR}" 2>/dev/null || die "${DIR} exists and was not made by stores/${NAME}.sh; not touching it"
    return 0
  fi
  stop_daemons
  rm -rf "${DIR}"
}

cmd_stop() {
  if [[ ! -e ${DIR} ]]; then
    say "not running"
    return 0
  fi
  clear_state
  say "stopped (removed ${DIR})"
}

cmd_status() {
  if is_running; then
    echo "${ENDPOINT}"
  elif daemons_alive; then
    die "not running on port ${PORT}: the server of ${DIR} runs at http://127.0.0.1:$(recorded_port)"
  elif [[ -e ${DIR}/${MARKER} ]]; then
    die "not running (leftovers in ${DIR}; scripts/stores/${NAME}.sh stop removes them)"
  else
    die "not running"
  fi
}

# The store script's header comment, up to its "set -euo pipefail".
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p;}' "$0"; }

main() {
  case ${1-} in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}
