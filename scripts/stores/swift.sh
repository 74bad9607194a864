#!/usr/bin/env bash
# Throwaway single-node OpenStack Swift with the S3 API (s3api + tempauth) on 127.0.0.1
# for the integration tests. scripts/local-s3.sh runs it (and the other stores); it can
# also be used on its own.
#
# One account, one container and one object server, the proxy (its pipeline has s3api
# and tempauth) and a memcached of its own. One replica on one device, no replicators,
# auditors or updaters, no systemd, no Docker, nothing written to /etc. The daemons run
# as the invoking user and keep every file in one state directory; stop deletes it.
#
#   scripts/stores/swift.sh install   apt-get the packages (skipped when present)
#   scripts/stores/swift.sh start     start the server (no-op when it is running)
#   scripts/stores/swift.sh stop      stop it and delete the state directory
#   scripts/stores/swift.sh status    print the endpoint; exit 1 when not running
#
# Environment:
#   LOCAL_S3_SWIFT_PORT  S3 (proxy) port on 127.0.0.1 (default 8080). The account,
#                        container and object servers take the first free ports from
#                        6210 on, memcached the first free one from 11212 on: clear of
#                        Ceph's mon (6789-6799), OSD (6800-7300) and RGW (7480) ports.
#   LOCAL_S3_SWIFT_DIR   state directory: configuration, rings, storage, logs, PIDs
#                        (default ${TMPDIR:-/tmp}/s3-multipart-cleanup-swift-<uid>). It
#                        must be on a file system with user xattrs (ext4, xfs, btrfs).
#
# Credentials (throwaway values for a loopback-only server; path-style, SigV4 with
# region us-east-1, which is the only region this server accepts in signatures):
#   access key test:tester, secret key local-swift-test-secret-not-a-real-secret
#   (tempauth: the access key is "account:user", the secret its password; .admin of
#   the Swift account AUTH_test, so it can create buckets)
#   a second user with no rights on the first one's buckets, for AccessDenied tests:
#   access key outsider:user, secret key local-swift-outsider-secret-not-a-real-secret
#   (tempauth account "outsider", but it works in AUTH_test without .admin: each of its
#   requests there is AccessDenied, even ListBuckets and CreateBucket; see below why)
set -euo pipefail

readonly NAME=swift
readonly ACCESS_KEY=test:tester
readonly SECRET_KEY=local-swift-test-secret-not-a-real-secret
readonly OUTSIDER_ACCESS_KEY=outsider:user
readonly OUTSIDER_SECRET_KEY=local-swift-outsider-secret-not-a-real-secret
readonly PORT=${LOCAL_S3_SWIFT_PORT:-8080}
DIR=${LOCAL_S3_SWIFT_DIR:-${TMPDIR:-/tmp}/s3-multipart-cleanup-swift-$(id -u)}
readonly MARKER=.local-s3-swift-state
readonly PACKAGES=(swift-proxy swift-object swift-container swift-account memcached)
readonly SOFTWARE=Swift SERVER=Swift
# The daemons by short name, in start order. Each Swift server runs from a
# configuration file of its own in ${ETC}; memcached has none.
readonly DAEMONS=(memcached account container object proxy)
declare -rA SECTION=([account]=account-server [container]=container-server
  [object]=object-server [proxy]=proxy-server)
# The Swift servers exit on TERM at once; memcached takes ~0.8 s.
declare -rA STOP_SIGNAL=([memcached]=KILL)

# What the stores share: the commands, the state directory, the daemons' PIDs.
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

readonly ETC=${DIR}/etc
# Debian's python3-swift lives in /usr/lib/python3/dist-packages, which only Debian's
# own interpreter searches: a python3 that comes first on PATH (pyenv, a virtualenv)
# does not see it.
readonly PYTHON=/usr/bin/python3

# A process that got the PID after our daemon exited has another command line: ours
# name our configuration file, or our memcached port.
is_our_daemon() {
  local cmdline want
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$2/cmdline") || return 1
  if [[ $1 == memcached ]]; then
    want="-p $(cat "${DIR}/run/memcached.port" 2>/dev/null) "
    [[ ${cmdline} == memcached\ * ]] || return 1
  else
    want=" ${ETC}/${SECTION[$1]}.conf "
  fi
  [[ ${cmdline} == *"${want}"* ]]
}
daemon_title() { echo "the $1 server"; }
show_log() { tail_logs "${DIR}/log/$1.log"; }

# Read from the package metadata: importing swift itself takes half a second.
software_version() {
  "${PYTHON}" -I -c 'import importlib.metadata as m; print(m.version("swift"))' 2>/dev/null || true
}
store_installed() {
  have_commands swift-proxy-server swift-account-server swift-container-server \
    swift-object-server memcached &&
    "${PYTHON}" -I -c 'import importlib.util as u; assert u.find_spec("swift")' 2>/dev/null
}

# swift.conf and one paste.deploy file per server. Swift reads swift.conf from
# /etc/swift only; the launcher (write_launcher) points it at ours.
write_conf() {
  local account_port=$1 container_port=$2 object_port=$3 memcached_port=$4 name
  local -A ports=([account]=${account_port} [container]=${container_port}
    [object]=${object_port})
  cat >"${ETC}/swift.conf" <<EOF
# Written by stores/swift.sh: a throwaway single-node cluster with all its files in ${DIR}.
[swift-hash]
# Salts the hash that places objects on the ring; random, the data is thrown away.
swift_hash_path_prefix = $(</proc/sys/kernel/random/uuid)
swift_hash_path_suffix = $(</proc/sys/kernel/random/uuid)

[storage-policy:0]
name = Policy-0
default = yes
EOF

  # Settings every server shares. workers = 0 serves from the process we started (no
  # forked workers to track, half the memory) and keeps it running as the invoking
  # user: Swift drops privileges to "user" only in forked workers.
  local common="bind_ip = 127.0.0.1
workers = 0
swift_dir = ${ETC}
devices = ${DIR}/srv
# The device is a plain directory, not a mount point.
mount_check = false
# The ports were free a moment ago; failing at once beats retrying for 30 s.
bind_timeout = 2
log_level = INFO"

  for name in account container object; do
    cat >"${ETC}/${name}-server.conf" <<EOF
# Written by stores/swift.sh. Only the server: no replicator, auditor, updater or
# reaper runs on a one-node throwaway cluster.
[DEFAULT]
${common}
bind_port = ${ports[${name}]}
log_name = ${name}-server

[pipeline:main]
pipeline = ${name}-server

[app:${name}-server]
use = egg:swift#${name}
# The proxy logs every request already.
log_requests = false
EOF
  done

  # The pipeline is the sample proxy-server.conf's tempauth one with s3api put just
  # before tempauth, as s3api asks, less what needs more setup or is of no use here:
  # container_sync (realms file), ratelimit, tempurl, the quotas.
  cat >"${ETC}/proxy-server.conf" <<EOF
# Written by stores/swift.sh.
[DEFAULT]
${common}
bind_port = ${PORT}
log_name = proxy-server

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
# The first request of a user creates its Swift account.
account_autocreate = true
# With one node, error-limiting it would fail every request for a minute after ten
# errors (refused connections while the servers start count too): never do it.
error_suppression_interval = 0

[filter:s3api]
use = egg:swift#s3api
# Signatures must name this region; Swift has no other.
location = ${REGION}
# Path-style requests (http://127.0.0.1:PORT/bucket/key) need no storage_domain.
# Needs slo after s3api in the pipeline.
allow_multipart_uploads = true
# Defaults worth knowing: at most 1000 parts per upload (max_upload_part_num), 1000
# uploads per ListMultipartUploads page, 1000 parts per ListParts page
# (max_parts_listing); parts other than the last must be 5 MiB (min_segment_size).
# s3_acl stays off: Swift's own ACLs decide, which tempauth grants to .admin of the
# account only. check_bucket_owner works only with s3_acl and only filters
# ListBuckets, so it plays no part in who may list or abort uploads.

[filter:tempauth]
use = egg:swift#tempauth
# user_<account>_<user> = <password> [groups] [storage URL]; the S3 access key is
# <account>:<user>. .admin: full rights on its Swift account (AUTH_<account>).
user_${ACCESS_KEY/:/_} = ${SECRET_KEY} .admin
# Swift keeps buckets per account: in an account of its own the outsider would find
# no bucket of the main user (NoSuchBucket), not a forbidden one. Its storage URL puts
# it in AUTH_test without .admin, where it has no rights at all (AccessDenied).
user_${OUTSIDER_ACCESS_KEY/:/_} = ${OUTSIDER_SECRET_KEY} \$HOST/v1/AUTH_${ACCESS_KEY%%:*}

[filter:cache]
use = egg:swift#memcache
# tempauth refuses to work without a memcache client; this one is ours alone.
memcache_servers = 127.0.0.1:${memcached_port}

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:bulk]
use = egg:swift#bulk

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes

[filter:symlink]
use = egg:swift#symlink
EOF
}

# Runs one Swift server the way its swift-*-server command does, but with swift.conf
# from ${ETC}, logs on stderr only, and (for the proxy) the rings built first.
write_launcher() {
  cat >"${ETC}/launch.py" <<'EOF'
# Written by stores/swift.sh. Usage: launch.py CONF SECTION [KIND=PORT...]
# With KIND=PORT arguments it first builds KIND.ring.gz for one device on that port.
import logging
import os
import sys

conf_path, section, rings = sys.argv[1], sys.argv[2], sys.argv[3:]
swift_dir = os.path.dirname(conf_path)

# Swift monkey-patches (as here) only once it has imported itself, when eventlet has
# many more locks to replace, at the price of a full garbage collection each: ~1 s of
# CPU per process. Patching first is what eventlet recommends anyway.
import eventlet.patcher  # noqa: E402
eventlet.patcher.monkey_patch(all=False, socket=True, select=True, thread=True)

from swift.common import utils  # noqa: E402

# Swift reads /etc/swift/swift.conf when swift.common.utils is imported (the hash path
# prefix and suffix) and when the storage policies and constraints modules are: move
# SWIFT_CONF_FILE to our directory and reread it before those two are first imported.
utils.set_swift_dir(swift_dir)
if utils.SWIFT_CONF_FILE != os.path.join(swift_dir, 'swift.conf'):
    sys.exit('could not point Swift at %s/swift.conf' % swift_dir)
from swift.common import storage_policy, constraints  # noqa: E402
storage_policy.reload_storage_policies()
constraints.reload_constraints()


# Swift always adds a syslog handler (/dev/log, else UDP to localhost:514); the
# console handler ("verbose") writes to stderr, which is our log file. Drop syslog.
class NoSyslog(logging.NullHandler):
    def __init__(self, *args, **kwargs):
        logging.NullHandler.__init__(self)


utils.ThreadSafeSysLogHandler = NoSyslog

if rings:
    # What swift-ring-builder create/add/rebalance do, in this process: three rings
    # with the command take ~7 s of CPU (each call imports Swift anew).
    from swift.common.ring import RingBuilder
    for ring in rings:
        kind, port = ring.split('=')
        builder = RingBuilder(4, 1, 0)  # 16 partitions, 1 replica, no move delay
        builder.add_dev({'region': 1, 'zone': 1, 'ip': '127.0.0.1',
                         'port': int(port), 'replication_ip': '127.0.0.1',
                         'replication_port': int(port), 'device': 'd1',
                         'weight': 1.0})
        builder.rebalance()
        builder.get_ring().save(os.path.join(swift_dir, kind + '.ring.gz'))

from swift.common.wsgi import run_wsgi  # noqa: E402

options = {'verbose': True}
if section == 'object-server':
    from swift.obj import server
    options['global_conf_callback'] = server.global_conf_callback
sys.exit(run_wsgi(conf_path, section, **options))
EOF
}

# Object metadata lives in user xattrs; without them every object PUT fails.
check_xattrs() {
  "${PYTHON}" -I -c 'import os, sys; os.setxattr(sys.argv[1], "user.local-s3", b"1")' \
    "${DIR}/srv/d1" 2>"${DIR}/log/xattr.out"
}

# eventlet imports distutils, which setuptools' .pth file turns into its own copy, which
# imports all of setuptools: 0.25 s more per process, and as much again when eventlet
# replaces the locks that made. Python 3.11's own distutils still has what it needs.
# Exported for the daemons start_server spawns next.
python_env() {
  if "${PYTHON}" -I -S -c 'import os, sys, sysconfig
sys.exit(not os.path.isfile(os.path.join(sysconfig.get_paths()["stdlib"], "distutils", "version.py")))' \
    2>/dev/null; then
    export SETUPTOOLS_USE_DISTUTILS=stdlib
  fi
}

spawn_swift() {
  local name=$1
  shift
  spawn "${name}" "${DIR}/log/${name}.log" "${PYTHON}" -I "${ETC}/launch.py" \
    "${ETC}/${SECTION[${name}]}.conf" "${SECTION[${name}]}" "$@"
}

all_listening() {
  local port
  for port; do port_in_use "${port}" || return 1; done
}

start_server() {
  # Swift's own defaults (6200-6202) stay free for a real Swift; 11211 for the
  # system's memcached.
  local account_port container_port object_port memcached_port
  account_port=$(free_port 6210 6309 "${PORT}") || die "no free port in 6210-6309"
  container_port=$(free_port 6210 6309 "${PORT}" "${account_port}") || die "no free port in 6210-6309"
  object_port=$(free_port 6210 6309 "${PORT}" "${account_port}" "${container_port}") ||
    die "no free port in 6210-6309"
  memcached_port=$(free_port 11212 11311 "${PORT}") || die "no free port in 11212-11311"

  make_state_dir
  mkdir -p "${DIR}"/{etc,srv/d1}
  echo "${memcached_port}" >"${DIR}/run/memcached.port"
  check_xattrs || start_failed "" "${DIR} is on a file system without user xattrs," \
    "which Swift needs; set LOCAL_S3_SWIFT_DIR to a directory on ext4, xfs or btrfs" \
    "($(tail -n 1 "${DIR}/log/xattr.out"))"
  write_conf "${account_port}" "${container_port}" "${object_port}" "${memcached_port}"
  write_launcher
  python_env
  # Eventlet's green DNS resolver costs 0.2 s of import per process and is of no use
  # with IP addresses only.
  export EVENTLET_NO_GREENDNS=yes

  # As root memcached wants to be told which user to be; it stays the invoking one.
  local memcached_user=()
  ((EUID != 0)) || memcached_user=(-u root)
  spawn memcached "${DIR}/log/memcached.log" memcached -p "${memcached_port}" -l 127.0.0.1 \
    -U 0 -m 16 -t 1 -c 256 "${memcached_user[@]}"
  # All four import Swift (~0.4 s of CPU each) at the same time; the servers need no
  # rings, the proxy builds them before it loads.
  spawn_swift account
  spawn_swift container
  spawn_swift object
  spawn_swift proxy "account=${account_port}" "container=${container_port}" \
    "object=${object_port}"

  wait_for "the servers to listen" 60 all_listening "${memcached_port}" \
    "${account_port}" "${container_port}" "${object_port}" "${PORT}"
  wait_for "a signed request to succeed" 15 signed_request_ok
}

main "$@"
