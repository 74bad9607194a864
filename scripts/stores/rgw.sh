#!/usr/bin/env bash
# Throwaway single-node Ceph RADOS Gateway (S3) on 127.0.0.1 for the integration tests.
# scripts/local-s3.sh runs it (and the other stores); it can also be used on its own.
#
# One ceph-mon, one ceph-osd that keeps objects in memory (memstore) and radosgw with
# the beast frontend. No mgr, no cephx, no systemd, no Docker. The daemons run as the
# invoking user and keep every file in one state directory; stop deletes it.
#
#   scripts/stores/rgw.sh install   apt-get the packages (skipped when present)
#   scripts/stores/rgw.sh start     start the server (no-op when it is running)
#   scripts/stores/rgw.sh stop      stop it and delete the state directory
#   scripts/stores/rgw.sh status    print the endpoint; exit 1 when not running
#
# Environment:
#   LOCAL_S3_RGW_PORT  S3 port on 127.0.0.1 (default 7480). Keep it out of 6789-7300,
#                      where the monitor and the OSD listen.
#   LOCAL_S3_RGW_DIR   state directory: ceph.conf, mon/osd data, logs, PIDs
#                      (default ${TMPDIR:-/tmp}/s3-multipart-cleanup-rgw-<uid>)
#
# Credentials (throwaway values for a loopback-only server; path-style, any region):
#   access key LOCALS3TESTACCESSKEY, secret key local-s3-test-secret-key-not-a-real-secret
#   a second user with no rights on the first one's buckets, for AccessDenied tests:
#   access key LOCALS3OUTSIDERKEY00, secret key local-s3-outsider-secret-not-a-real-secret
set -euo pipefail

readonly ACCESS_KEY=LOCALS3TESTACCESSKEY
readonly SECRET_KEY=local-s3-test-secret-key-not-a-real-secret
readonly OUTSIDER_ACCESS_KEY=LOCALS3OUTSIDERKEY00
readonly OUTSIDER_SECRET_KEY=local-s3-outsider-secret-not-a-real-secret
readonly PORT=${LOCAL_S3_RGW_PORT:-7480}
readonly ENDPOINT=http://127.0.0.1:${PORT}
readonly MARKER=.local-s3-state # proves the directory is ours before stop deletes it
readonly PACKAGES=(ceph-mon ceph-osd radosgw)
readonly POLICY_RC=/usr/sbin/policy-rc.d

DIR=${LOCAL_S3_RGW_DIR:-${TMPDIR:-/tmp}/s3-multipart-cleanup-rgw-$(id -u)}
[[ ${DIR} == /* ]] || DIR=${PWD}/${DIR}
readonly DIR CONF=${DIR}/ceph.conf

# The caller's Ceph settings must not leak into our cluster.
unset CEPH_ARGS CEPH_CONF

say() { printf 'local-s3: %s\n' "$*"; }
die() {
  say "$*" >&2
  exit 1
}

if [[ ! ${PORT} =~ ^[0-9]{1,5}$ ]] || ((PORT < 1 || PORT > 65535)); then
  die "LOCAL_S3_RGW_PORT must be a port number, got '${PORT}'"
fi
# ceph.conf has no quoting: '#' and ';' start comments, '$' expands metavariables.
[[ ${DIR} =~ ^[A-Za-z0-9/._+@:=,-]+$ ]] ||
  die "LOCAL_S3_RGW_DIR must be a plain path (letters, digits and /._+@:=,-), got '${DIR}'"

now_ms() { echo $((${EPOCHREALTIME//[!0-9]/} / 1000)); } # the separator follows the locale
port_in_use() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_file() { echo "${DIR}/run/$1.pid"; }

# The daemons by short name: executable and log files.
readonly DAEMONS=(mon osd rgw)
declare -rA EXE=([mon]=ceph-mon [osd]=ceph-osd [rgw]=radosgw)
declare -rA LOGS=([mon]=mon.a [osd]=osd.0 [rgw]=client.rgw)

# Those of the given PIDs whose process still runs (a zombie has finished).
alive() {
  local pid stat
  for pid; do
    read -r stat 2>/dev/null <"/proc/${pid}/stat" || continue
    stat=${stat##*) }
    [[ ${stat:0:1} == Z ]] || echo "${pid}"
  done
}

# PID of a daemon we started, if it still runs (a recycled PID has another name).
daemon_pid() {
  local pid comm
  read -r pid 2>/dev/null <"$(pid_file "$1")" || return 1
  [[ ${pid} =~ ^[0-9]+$ ]] || return 1
  read -r comm 2>/dev/null <"/proc/${pid}/comm" || return 1
  [[ ${comm} == "${EXE[$1]}" && -n $(alive "${pid}") ]] || return 1
  echo "${pid}"
}

# A plain request to our own server: no proxy, no ~/.curlrc, no CA-bundle variables.
s3_status() {
  env -i PATH="${PATH}" curl -q --noproxy '*' --silent --max-time 5 \
    --output /dev/null --write-out '%{http_code}' "$@" "${ENDPOINT}/" 2>/dev/null || true
}
endpoint_answers() { [[ $(s3_status) == [1-5]?? ]]; }
# curl 7.x leaves out the x-amz-content-sha256 header that S3 SigV4 requires.
signed_request_ok() {
  [[ $(s3_status --aws-sigv4 aws:amz:us-east-1:s3 --user "${ACCESS_KEY}:${SECRET_KEY}" \
    --header 'x-amz-content-sha256: UNSIGNED-PAYLOAD') == 200 ]]
}

recorded_port() { cat "${DIR}/port" 2>/dev/null || true; }
daemons_alive() {
  local d
  for d in "${DAEMONS[@]}"; do daemon_pid "${d}" >/dev/null || return 1; done
}
is_running() { daemons_alive && [[ $(recorded_port) == "${PORT}" ]] && endpoint_answers; }

ceph_version() {
  local v
  v=$(radosgw --version 2>/dev/null) || return 0
  v=${v#ceph version }
  echo "${v%% *}"
}

# Packages providing the commands this script needs that are not installed.
missing_packages() {
  local c ceph=0
  for c in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool; do
    command -v "${c}" >/dev/null || ceph=1
  done
  ((ceph == 0)) || echo "${PACKAGES[@]}"
  command -v curl >/dev/null || echo curl
  command -v setsid >/dev/null || echo util-linux
}

cmd_install() {
  local packages
  packages=$(missing_packages)
  if [[ -z ${packages} ]]; then
    say "Ceph $(ceph_version) is already installed"
    return 0
  fi
  # shellcheck disable=SC2206 # one package name per word
  packages=(${packages})
  command -v apt-get >/dev/null || die "no apt-get here; install ${packages[*]} yourself"
  SUDO=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "not root and no sudo; install ${packages[*]} as root"
    SUDO=(sudo)
  fi

  # A daemon package starts its service on install; a policy-rc.d answering 101 forbids
  # that. Someone else's policy-rc.d stays as it is.
  if [[ -e ${POLICY_RC} ]]; then
    say "keeping the existing ${POLICY_RC}"
  else
    trap '"${SUDO[@]}" rm -f "${POLICY_RC}"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    printf '#!/bin/sh\n# temporary, from local-s3.sh install: start no services\nexit 101\n' |
      "${SUDO[@]}" tee "${POLICY_RC}" >/dev/null
    "${SUDO[@]}" chmod 755 "${POLICY_RC}"
  fi

  local apt=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q)
  say "installing ${packages[*]}"
  # Lists can be missing (fresh image) or stale (404s): then update and try again.
  if ! apt-cache show "${packages[@]}" >/dev/null 2>&1; then
    "${apt[@]}" update
  fi
  if ! "${apt[@]}" install -y --no-install-recommends "${packages[@]}"; then
    "${apt[@]}" update
    "${apt[@]}" install -y --no-install-recommends "${packages[@]}"
  fi
  say "installed Ceph $(ceph_version)"
}

write_conf() {
  local fsid=$1 mon_port=$2
  cat >"${CONF}" <<EOF
# Written by local-s3.sh: a throwaway single-node cluster with all its files in ${DIR}.
[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${mon_port}
ms bind msgr1 = false
# Loopback only, so no cephx. Without cephx the default "secure" msgr2 mode of
# clients never gets through to the mon, hence crc.
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
keyring = /dev/null
# Nothing under /var/lib/ceph, /var/run/ceph or /var/log/ceph (works without root).
run dir = ${DIR}/run
admin socket = ${DIR}/run/\$name.asok
log file = ${DIR}/log/\$name.log
mon cluster log file = ${DIR}/log/\$cluster.\$channel.log
crash dir = ${DIR}/crash
# One OSD: one replica, few PGs; no mgr to autoscale them, no warnings about that.
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim = false
mon warn on insecure global id reclaim allowed = false

[mon]
mon data = ${DIR}/mon
mon initial members = a
# Otherwise every map change (each of the pools radosgw creates) waits up to 1 s.
paxos propose interval = 0.01

[osd]
osd data = ${DIR}/osd
osd objectstore = memstore
# Short PG logs keep the in-memory OSD small after many requests.
osd min pg log entries = 10
osd max pg log entries = 10
osd pg log dups tracked = 10
osd pg log trim min = 10
# Pacific's default; Ceph 17+ switched to mclock, which benchmarks the store on OSD start.
osd op queue = wpq
# The data is thrown away: do not wait long for the mon to acknowledge a shutdown.
osd mon shutdown timeout = 0.5

[client]
# The default (5 s) stalls radosgw at start until it notices its new pools' PGs;
# 0.1 rather than 0.5 saves another ~0.3 s.
objecter tick interval = 0.1
rgw data = ${DIR}/rgw
rgw enable usage log = false
rgw dynamic resharding = false

[client.rgw]
# Without tcp_nodelay every listing response waits ~45 ms (Nagle + delayed ACK).
rgw frontends = beast endpoint=127.0.0.1:${PORT} tcp_nodelay=1
EOF
}

# Runs a daemon in the foreground of a session of its own and records its PID.
spawn() {
  local name=$1
  shift
  # Few malloc arenas keep the daemons' memory small.
  (cd "${DIR}" && MALLOC_ARENA_MAX=2 exec setsid "$@" -c "${CONF}" -f \
    </dev/null >"${DIR}/log/${name}.out" 2>&1) &
  echo "$!" >"$(pid_file "${name}")"
  disown "$!" # no "Killed" job notice from bash when stop kills it
}

show_log() {
  local f
  for f in "${DIR}/log/${LOGS[$1]}.log" "${DIR}/log/$1.out"; do
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
      if [[ -e $(pid_file "${d}") ]] && ! daemon_pid "${d}" >/dev/null; then
        start_failed "${d}" "${EXE[${d}]} exited while waiting for ${what}"
      fi
    done
    (($(now_ms) < deadline)) || start_failed rgw "timed out waiting for ${what}"
    sleep 0.05
  done
}

cmd_start() {
  local t0 missing
  t0=$(now_ms)
  missing=$(missing_packages)
  [[ -z ${missing} ]] || die "${missing//$'\n'/ } not installed; run scripts/local-s3.sh install"

  if is_running; then
    say "already running at ${ENDPOINT} (state in ${DIR})"
    return 0
  fi
  if daemons_alive; then
    die "the server of ${DIR} runs at http://127.0.0.1:$(recorded_port), not on port ${PORT}; stop it or use another LOCAL_S3_RGW_DIR"
  fi
  clear_state # leftovers of a run that crashed or was killed
  if port_in_use "${PORT}"; then die "port ${PORT} on 127.0.0.1 is taken; set LOCAL_S3_RGW_PORT"; fi

  local mon_port=6789 fsid osd_uuid
  while port_in_use "${mon_port}"; do
    ((++mon_port < 6800)) || die "no free port for the monitor in 6789-6799"
  done
  fsid=$(</proc/sys/kernel/random/uuid)
  osd_uuid=$(</proc/sys/kernel/random/uuid)
  mkdir -p "${DIR}"/{run,log,mon,osd,rgw,crash}
  : >"${DIR}/${MARKER}"
  echo "${PORT}" >"${DIR}/port"
  write_conf "${fsid}" "${mon_port}"

  trap 'START_STATUS=130 start_failed "" interrupted' INT
  trap 'START_STATUS=143 start_failed "" terminated' TERM
  if ! { monmaptool --create --addv a "[v2:127.0.0.1:${mon_port}]" --fsid "${fsid}" "${DIR}/monmap" &&
    ceph-mon -c "${CONF}" -i a --mkfs --monmap "${DIR}/monmap"; } >"${DIR}/log/mon-mkfs.out" 2>&1; then
    start_failed "" "creating the mon failed: $(tail -n 5 "${DIR}/log/mon-mkfs.out")"
  fi
  ceph-osd -c "${CONF}" -i 0 --mkfs --osd-uuid "${osd_uuid}" >"${DIR}/log/osd-mkfs.out" 2>&1 &
  local osd_mkfs=$!
  spawn mon ceph-mon -i a
  # radosgw connects and creates its pools meanwhile; they become usable once the OSD is up.
  spawn rgw radosgw -n client.rgw
  # The mon lets only an OSD boot that its map has.
  ceph -c "${CONF}" --connect-timeout 15 osd new "${osd_uuid}" 0 >"${DIR}/log/osd-new.out" 2>&1 ||
    start_failed mon "could not add the OSD: $(tail -n 3 "${DIR}/log/osd-new.out")"
  wait "${osd_mkfs}" || start_failed "" "ceph-osd --mkfs failed: $(tail -n 5 "${DIR}/log/osd-mkfs.out")"
  spawn osd ceph-osd -i 0

  wait_for "radosgw to answer on ${ENDPOINT}" 60 endpoint_answers
  create_user local-s3 "${ACCESS_KEY}" "${SECRET_KEY}"
  create_user local-s3-outsider "${OUTSIDER_ACCESS_KEY}" "${OUTSIDER_SECRET_KEY}"
  wait_for "a signed request to succeed" 15 signed_request_ok
  trap - INT TERM

  local ms=$(($(now_ms) - t0))
  say "Ceph RGW $(ceph_version) ready at ${ENDPOINT} in $((ms / 1000)).$((ms % 1000 / 100)) s"
}

create_user() {
  radosgw-admin -c "${CONF}" user create --uid "$1" --display-name "$1 test user" \
    --access-key "$2" --secret-key "$3" >"${DIR}/log/user-create-$1.out" 2>&1 ||
    start_failed rgw "radosgw-admin user create failed: $(tail -n 5 "${DIR}/log/user-create-$1.out")"
}

# Stops the daemons the state directory records.
stop_daemons() {
  local d pid pids=() i
  # radosgw holds no state and takes ~5 s to exit on TERM.
  if pid=$(daemon_pid rgw); then kill -KILL "${pid}" 2>/dev/null || true; fi
  # TERM lets mon and OSD flush their logs; their data is thrown away, so there is
  # no point in waiting the 1-2 s they take to exit cleanly.
  for d in osd mon; do
    if pid=$(daemon_pid "${d}"); then
      kill -TERM "${pid}" 2>/dev/null || true
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
    rmdir "${DIR}" 2>/dev/null || die "${DIR} exists and was not made by local-s3.sh; not touching it"
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
    die "not running (leftovers in ${DIR}; scripts/stores/rgw.sh stop removes them)"
  else
    die "not running"
  fi
}

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p;}' "$0"; }

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
