#!/bin/bash
# A real systemd as PID 1 of its own pid+mount+uts+ipc+net+cgroup namespaces, for the e2e tests.
# The root is an overlay of the machine's / (read-only lower layer; every write lands in an upper
# layer that `down` deletes), so packaged daemons run as their real units and `dpkg -i` inside
# never touches the host. Only util-linux (unshare, nsenter, script, setpriv) and overlayfs.
#
#   systemd.sh up            boot (to basic.target: only journald), return once booted
#   systemd.sh exec CMD...   run CMD inside (namespaces + root of the sandbox; in NO unit)
#   systemd.sh down          power off, kill what is left, remove cgroups and the upper layer
#
# Environment:
#   SANDBOX_NAME=afterpatch           several sandboxes side by side
#   SANDBOX_CGROUP_MODE=unified       unified | hybrid | legacy: the cgroup layout systemd sees
#   SANDBOX_BINDS="DIR..."            host folders bind-mounted read-write at the same path
#                                     (default: the project checkout)
#   SANDBOX_OWNER_PID=<pid>           `up` starts a watchdog that runs `down` once this process is
#                                     gone (default: the caller of `up`; 0 = no watchdog), so a
#                                     killed test run leaves no sandbox behind
#   SANDBOX_BOOT_TIMEOUT=60           seconds
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
NAME="${SANDBOX_NAME:-afterpatch}"
case "$NAME" in *[!A-Za-z0-9_-]* | '') echo "SANDBOX_NAME must match [A-Za-z0-9_-]+" >&2; exit 2 ;; esac
MODE="${SANDBOX_CGROUP_MODE:-unified}"
case "$MODE" in unified | hybrid | legacy) ;; *) echo "SANDBOX_CGROUP_MODE: unified|hybrid|legacy" >&2; exit 2 ;; esac
# Host-side state: pid files, console log, the overlay's upper layer (on the root filesystem, so
# overlayfs runs in "samefs" mode: maps and stat() agree on device and inode numbers).
STATE="/var/lib/afterpatch-sandbox/$NAME"
BINDS="${SANDBOX_BINDS-$(cd "$(dirname "$SELF")/../.." && pwd)}"
# The host's cgroup2 mount: /sys/fs/cgroup on a unified host, .../unified on a hybrid one. The
# sandbox's cgroup namespace is rooted at a directory below it (and, for hybrid/legacy, at one of
# the same name in the name=systemd v1 hierarchy).
if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then CG2=/sys/fs/cgroup; else CG2=/sys/fs/cgroup/unified; fi
CGDIR="$CG2/afterpatch-sandbox-$NAME"
CGV1="afterpatch-sandbox-$NAME"

die() { echo "sandbox: $*" >&2; exit 1; }

# Host PID of the sandbox's systemd, if it runs (and the PID was not recycled: it must be PID 1
# of its own pid namespace).
sandbox_pid() {
  local pid
  pid="$(cat "$STATE/systemd.pid" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ "$(awk '/^NSpid:/{print $NF}' "/proc/$pid/status" 2>/dev/null)" = 1 ] || return 1
  echo "$pid"
}

enter() { # pid cmd...: run inside, cwd /
  local pid="$1"; shift
  nsenter --target "$pid" --mount --uts --ipc --net --pid --cgroup --root --wd="/proc/$pid/root/" \
    /usr/bin/env -i SYSTEMD_PAGER=cat SYSTEMD_COLORS=0 LANG=C.UTF-8 HOME=/root \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# Runs "$@" with the name=systemd v1 hierarchy mounted at $STATE/v1, in a private mount namespace.
with_v1() {
  mkdir -p "$STATE/v1"
  # shellcheck disable=SC2016
  unshare --mount --propagation private -- /bin/sh -c \
    'mount -t cgroup -o none,name=systemd sandbox-v1 "$0" && exec "$@"' "$STATE/v1" "$@"
}

wait_gone() { # pid tenths-of-a-second
  local i
  for ((i = 0; i < $2; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}

cmd_down() {
  local pid spid
  if pid=$(sandbox_pid); then
    kill -s SIGRTMIN+4 "$pid" 2>/dev/null || true # systemd: poweroff.target
    # PID 1 gone = the whole pid namespace gone (the kernel kills the rest).
    wait_gone "$pid" 150 || { kill -KILL "$pid" 2>/dev/null || true; wait_gone "$pid" 50 || true; }
  fi
  spid="$(cat "$STATE/script.pid" 2>/dev/null)" || spid=
  if [ -n "$spid" ] && { tr '\0' ' ' <"/proc/$spid/cmdline"; } 2>/dev/null | grep -q "$SELF stage1"; then
    wait_gone "$spid" 30 || kill -KILL "$spid" 2>/dev/null || true
  fi
  # Cgroup directories systemd left (empty once every process is gone).
  local _
  for _ in $(seq 30); do
    [ -d "$CGDIR" ] || break
    find "$CGDIR" -depth -type d -exec rmdir {} + 2>/dev/null || sleep 0.1
  done
  [ ! -d "$CGDIR" ] || echo "sandbox: could not remove $CGDIR" >&2
  if grep -qs '^1$' "$STATE/v1-used"; then
    # shellcheck disable=SC2016
    with_v1 /bin/sh -c '[ ! -d "$0/$1" ] || find "$0/$1" -depth -type d -exec rmdir {} +' \
      "$STATE/v1" "$CGV1" || echo "sandbox: could not remove v1 cgroup $CGV1" >&2
  fi
  # The upper layer: nothing is mounted on it any more (its mount namespace died with PID 1).
  if [ -d "$STATE" ] && ! grep -qs " $STATE/" /proc/self/mountinfo; then rm -rf --one-file-system "$STATE"; fi
  rmdir "${STATE%/*}" 2>/dev/null || true
  return 0
}

cmd_up() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  for c in unshare nsenter script setpriv; do command -v "$c" >/dev/null || die "missing $c (util-linux)"; done
  [ -x /lib/systemd/systemd ] || die "systemd is not installed"
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
  grep -qw overlay /proc/filesystems || die "the kernel lacks overlayfs"
  mountpoint -q "$CG2" || die "no cgroup2 mounted at $CG2"
  ! sandbox_pid >/dev/null || die "sandbox '$NAME' already runs; use down first"
  cmd_down # leftovers of a killed run
  mkdir -p "$STATE"
  echo "$MODE" >"$STATE/mode"
  [ "$MODE" = unified ] && echo 0 >"$STATE/v1-used" || echo 1 >"$STATE/v1-used"
  : >"$STATE/console.log"
  trap 'cmd_down' ERR INT TERM
  # Background part: keeps none of our fds (a test runner waiting for EOF on a pipe would hang),
  # `script` gives systemd the pty it insists on for /dev/console (logged to console.log).
  (
    cd /
    for fd in /proc/self/fd/*; do fd=${fd##*/}; [ "$fd" -le 2 ] || eval "exec $fd>&-" 2>/dev/null; done
    export SANDBOX_NAME="$NAME" SANDBOX_CGROUP_MODE="$MODE" SANDBOX_BINDS="$BINDS"
    SHELL=/bin/sh exec setsid script -qfec \
      "exec unshare --pid --fork --kill-child --mount --uts --ipc --net --propagation private -- '$SELF' stage1" \
      "$STATE/console.log"
  ) </dev/null >/dev/null 2>&1 &
  echo $! >"$STATE/script.pid"

  local deadline=$(($(date +%s) + ${SANDBOX_BOOT_TIMEOUT:-60})) pid="" state=""
  until pid=$(sandbox_pid) && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd ] &&
    state=$(enter "$pid" systemctl is-system-running 2>/dev/null || true) &&
    { [ "$state" = running ] || [ "$state" = degraded ]; }; do
    if [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 "$(cat "$STATE/script.pid")" 2>/dev/null; then
      tail -n 30 "$STATE/console.log" >&2
      cmd_down
      die "boot failed (state: '${state:-none}')"
    fi
    sleep 0.1
  done
  trap - ERR INT TERM
  # Watchdog: tear the sandbox down when the test process that owns it is gone, however it died.
  local owner="${SANDBOX_OWNER_PID:-$PPID}"
  if [ "$owner" != 0 ]; then
    (
      trap '' HUP
      while kill -0 "$owner" 2>/dev/null && [ "$(sandbox_pid)" = "$pid" ]; do sleep 1; done
      # Only the sandbox we watched: a later `up` of the same name is not ours to stop.
      [ "$(sandbox_pid)" != "$pid" ] || cmd_down
    ) </dev/null >/dev/null 2>&1 &
    disown
  fi
  echo "sandbox '$NAME' ($MODE) is $state; systemd host PID $pid"
}

# --- inside the new namespaces (we are PID 1 of the new pid namespace) -------------------------

stage1() {
  # Move into our own cgroup (v2, and name=systemd v1 for hybrid/legacy), then make it the root of
  # a new cgroup namespace: systemd sees it as "/".
  read -r hostpid _ </proc/self/stat # /proc is still the host's: our host PID
  echo "$hostpid" >"$STATE/systemd.pid"
  mkdir -p "$CGDIR"
  echo 0 >"$CGDIR/cgroup.procs"
  if [ "$MODE" != unified ]; then
    mkdir -p "$STATE/v1"
    mount -t cgroup -o none,name=systemd sandbox-v1 "$STATE/v1" # our mount namespace: private
    mkdir -p "$STATE/v1/$CGV1"
    echo 0 >"$STATE/v1/$CGV1/cgroup.procs"
    umount "$STATE/v1"
  fi
  exec unshare --cgroup -- "$SELF" stage2
}

stage2() {
  local R="$STATE/root" RW="$STATE/rw" p CG
  mkdir -p "$R" "$RW/upper" "$RW/work"
  mount -t overlay -o "lowerdir=/,upperdir=$RW/upper,workdir=$RW/work" sandbox-root "$R"
  mount -t tmpfs -o mode=0755,size=1m sandbox-hide "$R$STATE" # hide the upper layer from inside
  for p in $BINDS; do
    [ -d "$p" ] || continue
    mkdir -p "$R$p"
    mount --rbind "$p" "$R$p"
  done
  # A fresh /proc for the new pid namespace, kernel knobs read-only.
  mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
  for p in sys sysrq-trigger; do
    [ -e "$R/proc/$p" ] || continue
    mount --bind "$R/proc/$p" "$R/proc/$p"
    mount -o remount,bind,ro "$R/proc/$p"
  done
  # Read-only /sys (udev & co. skip themselves); systemd picks its cgroup mode from what is
  # mounted at /sys/fs/cgroup: cgroup2 (unified), tmpfs + name=systemd v1 + cgroup2 at unified/
  # (hybrid), or tmpfs + name=systemd v1 only (legacy). The host's v1 controllers, read-only.
  mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$R/sys"
  CG="$R/sys/fs/cgroup"
  if [ "$MODE" = unified ]; then
    mount -t cgroup2 -o rw,nosuid,nodev,noexec cgroup2 "$CG"
  else
    mount -t tmpfs -o mode=0755,nosuid,nodev,noexec,size=1m sandbox-cgroup "$CG"
    awk '!/^#/ && $2 != 0 && $4 == 1 { c[$2] = c[$2] ? c[$2] "," $1 : $1 } END { for (h in c) print c[h] }' \
      /proc/cgroups | while read -r ctrls; do
      mkdir -p "$CG/$ctrls"
      mount -t cgroup -o "ro,nosuid,nodev,noexec,$ctrls" cgroup "$CG/$ctrls"
      if [[ $ctrls == *,* ]]; then for c in ${ctrls//,/ }; do ln -s "$ctrls" "$CG/$c"; done; fi
    done
    mkdir -p "$CG/systemd"
    mount -t cgroup -o rw,nosuid,nodev,noexec,none,name=systemd cgroup "$CG/systemd"
    if [ "$MODE" = hybrid ]; then
      mkdir -p "$CG/unified"
      mount -t cgroup2 -o rw,nosuid,nodev,noexec cgroup2 "$CG/unified"
    fi
    mount -o remount,ro,nosuid,nodev,noexec "$CG"
  fi
  # A minimal /dev, as systemd-nspawn makes it.
  mount -t tmpfs -o mode=0755,nosuid,size=4m sandbox-dev "$R/dev"
  for p in null zero full random urandom tty; do
    touch "$R/dev/$p"
    mount --bind "/dev/$p" "$R/dev/$p"
  done
  mkdir -p "$R/dev/pts" "$R/dev/shm" "$R/dev/mqueue"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec devpts "$R/dev/pts"
  mount -t tmpfs -o mode=1777,nosuid,nodev sandbox-shm "$R/dev/shm"
  ln -s pts/ptmx "$R/dev/ptmx"
  ln -s /proc/self/fd "$R/dev/fd"
  for p in 0:stdin 1:stdout 2:stderr; do ln -s "/proc/self/fd/${p%%:*}" "$R/dev/${p#*:}"; done
  touch "$R/dev/console" # systemd wants a tty as console: the pty of `script`
  mount --bind "$(tty 2>/dev/null || echo /dev/null)" "$R/dev/console"
  mount -t tmpfs -o mode=0755,nosuid,nodev sandbox-run "$R/run"
  mount -t tmpfs -o mode=1777,nosuid,nodev sandbox-tmp "$R/tmp"
  # Configuration inside (upper layer only): a name, no gettys, no timers; package scripts may
  # (re)start services as on a real machine, so drop a Docker-style policy-rc.d.
  echo "sandbox-$NAME" >"$R/etc/hostname"
  for p in console-getty.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer \
    dpkg-db-backup.timer e2scrub_all.timer fstrim.timer man-db.timer; do
    ln -sfn /dev/null "$R/etc/systemd/system/$p"
  done
  rm -f "$R/usr/sbin/policy-rc.d"
  cd "$R"
  mkdir -p .oldroot
  pivot_root . .oldroot
  umount -l /.oldroot
  rmdir /.oldroot
  # Withhold what could change the host kernel (as systemd-nspawn does); keep the rest. Boot to
  # basic.target: journald and little else; the test starts the units it needs.
  exec setpriv --bounding-set -sys_module,-sys_time,-sys_rawio,-syslog,-wake_alarm,-block_suspend,-mac_admin,-mac_override -- \
    /usr/bin/env -i container=other TERM=dumb /lib/systemd/systemd --system --unit=basic.target
}

case "${1:-}" in
  up) cmd_up ;;
  down) [ "$(id -u)" = 0 ] || die "must run as root"; cmd_down ;;
  exec)
    shift
    [ $# -gt 0 ] || set -- bash
    pid=$(sandbox_pid) || die "sandbox '$NAME' is not running"
    enter "$pid" "$@"
    ;;
  stage1) stage1 ;;
  stage2) stage2 ;;
  *) echo "usage: $0 up|exec CMD...|down" >&2; exit 2 ;;
esac
