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

readonly NAME=rgw
readonly ACCESS_KEY=LOCALS3TESTACCESSKEY
readonly SECRET_KEY=local-s3-test-secret-key-not-a-real-secret
readonly OUTSIDER_ACCESS_KEY=LOCALS3OUTSIDERKEY00
readonly OUTSIDER_SECRET_KEY=local-s3-outsider-secret-not-a-real-secret
readonly PORT=${LOCAL_S3_RGW_PORT:-7480}
DIR=${LOCAL_S3_RGW_DIR:-${TMPDIR:-/tmp}/s3-multipart-cleanup-rgw-$(id -u)}
readonly MARKER=.local-s3-state
readonly PACKAGES=(ceph-mon ceph-osd radosgw)
readonly SOFTWARE=Ceph SERVER="Ceph RGW"
# The daemons by short name, in start order: executable and log files.
readonly DAEMONS=(mon osd rgw)
declare -rA EXE=([mon]=ceph-mon [osd]=ceph-osd [rgw]=radosgw)
declare -rA LOGS=([mon]=mon.a [osd]=osd.0 [rgw]=client.rgw)
# radosgw holds no state and takes ~5 s to exit on TERM.
declare -rA STOP_SIGNAL=([rgw]=KILL)

# What the stores share: the commands, the state directory, the daemons' PIDs.
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

readonly CONF=${DIR}/ceph.conf
# The caller's Ceph settings must not leak into our cluster.
unset CEPH_ARGS CEPH_CONF

# A process that got the PID after our daemon exited has another name.
is_our_daemon() {
  local comm
  read -r comm 2>/dev/null <"/proc/$2/comm" && [[ ${comm} == "${EXE[$1]}" ]]
}
daemon_title() { echo "${EXE[$1]}"; }
show_log() { tail_logs "${DIR}/log/${LOGS[$1]}.log" "${DIR}/log/$1.out"; }

software_version() {
  local v
  v=$(radosgw --version 2>/dev/null) || return 0
  v=${v#ceph version }
  echo "${v%% *}"
}
store_installed() { have_commands ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool; }

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

spawn_ceph() {
  local name=$1
  shift
  spawn "${name}" "${DIR}/log/${name}.out" "$@" -c "${CONF}" -f
}

create_user() {
  radosgw-admin -c "${CONF}" user create --uid "$1" --display-name "$1 test user" \
    --access-key "$2" --secret-key "$3" >"${DIR}/log/user-create-$1.out" 2>&1 ||
    start_failed rgw "radosgw-admin user create failed: $(tail -n 5 "${DIR}/log/user-create-$1.out")"
}

start_server() {
  local mon_port fsid osd_uuid
  mon_port=$(free_port 6789 6799) || die "no free port for the monitor in 6789-6799"
  fsid=$(</proc/sys/kernel/random/uuid)
  osd_uuid=$(</proc/sys/kernel/random/uuid)
  make_state_dir
  mkdir -p "${DIR}"/{mon,osd,rgw,crash}
  write_conf "${fsid}" "${mon_port}"

  if ! { monmaptool --create --addv a "[v2:127.0.0.1:${mon_port}]" --fsid "${fsid}" "${DIR}/monmap" &&
    ceph-mon -c "${CONF}" -i a --mkfs --monmap "${DIR}/monmap"; } >"${DIR}/log/mon-mkfs.out" 2>&1; then
    start_failed "" "creating the mon failed: $(tail -n 5 "${DIR}/log/mon-mkfs.out")"
  fi
  ceph-osd -c "${CONF}" -i 0 --mkfs --osd-uuid "${osd_uuid}" >"${DIR}/log/osd-mkfs.out" 2>&1 &
  local osd_mkfs=$!
  spawn_ceph mon ceph-mon -i a
  # radosgw connects and creates its pools meanwhile; they become usable once the OSD is up.
  spawn_ceph rgw radosgw -n client.rgw
  # The mon lets only an OSD boot that its map has.
  ceph -c "${CONF}" --connect-timeout 15 osd new "${osd_uuid}" 0 >"${DIR}/log/osd-new.out" 2>&1 ||
    start_failed mon "could not add the OSD: $(tail -n 3 "${DIR}/log/osd-new.out")"
  wait "${osd_mkfs}" || start_failed "" "ceph-osd --mkfs failed: $(tail -n 5 "${DIR}/log/osd-mkfs.out")"
  spawn_ceph osd ceph-osd -i 0

  wait_for "radosgw to answer on ${ENDPOINT}" 60 endpoint_answers
  create_user local-s3 "${ACCESS_KEY}" "${SECRET_KEY}"
  create_user local-s3-outsider "${OUTSIDER_ACCESS_KEY}" "${OUTSIDER_SECRET_KEY}"
  wait_for "a signed request to succeed" 15 signed_request_ok
}

main "$@"
