# shellcheck shell=bash
# apt_install PACKAGE...: installs Debian packages, through sudo when not root, starting no
# service. Sourced by scripts that define say and die.

readonly POLICY_RC=/usr/sbin/policy-rc.d

apt_install() {
  local packages=("$@")
  command -v apt-get >/dev/null || die "no apt-get here; install ${packages[*]} yourself"
  SUDO=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "not root and no sudo; install ${packages[*]} as root"
    SUDO=(sudo)
  fi

  # A daemon package starts its service on install (ceph-mon, memcached on 11211, the
  # Swift services from /etc/swift); a policy-rc.d answering 101 forbids that. Someone
  # else's policy-rc.d stays as it is.
  if [[ -e ${POLICY_RC} ]]; then
    say "keeping the existing ${POLICY_RC}"
  else
    trap '"${SUDO[@]}" rm -f "${POLICY_RC}"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    printf '#!/bin/sh\n# temporary, from %s: start no services\nexit 101\n' "$0" |
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
}
