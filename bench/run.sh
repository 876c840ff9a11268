#!/usr/bin/env bash
# afterpatch benchmark: afterpatch vs needrestart -b, checkrestart, lsof +L1 and a floor, on the same
# N processes (half of them map a library that was replaced the way dpkg replaces it), timed by one
# hyperfine invocation per N. See bench/README.md.
#
#   bash bench/run.sh [N ...]          (as root; default N: $BENCH_N or "200 1000 3000")
#   bash bench/run.sh --hold [N]       only start the N processes (default 1000) and keep them until
#                                      Ctrl-C / SIGTERM, for profiling by hand; then clean up as usual
#
# Environment (all optional):
#   BENCH_N="200 1000 3000"      process counts (arguments win)
#   BENCH_SKIP="needrestart lsof" tools to leave out: afterpatch afterpatch-json needrestart checkrestart
#                                lsof floor-c floor-node reads-c reads-node
#   BENCH_NEEDRESTART_MAX_N=1000 needrestart (minutes per run) is skipped above this N unless raised
#   BENCH_ROUNDS=5               hyperfine invocations per N, all fast commands in each (see bench_one)
#   BENCH_WARMUP=1  BENCH_MIN_RUNS=3  BENCH_MAX_RUNS=6   per command and round (needrestart: one round,
#                                with BENCH_MIN_RUNS runs)
#   BENCH_DETACH=1               holders are reparented to PID 1 like daemons (0: children of the launcher)
#   BENCH_PACKAGE=1              the library comes from a Debian package the bench installs (version 1),
#                                upgrades with `dpkg -i` (version 2) and purges at the end; 0: the
#                                library belongs to no package and is replaced by cp + mv
#   BENCH_WORKDIR=/var/lib/afterpatch-bench   must not be under /tmp, /var/tmp, /run or /dev/shm
#   BENCH_INSTALL=1              apt-get install missing tools (0: use what is installed)
#   BENCH_BUILD=auto             npm run build when dist/ is missing or older than src/ (1: always, 0: never)
#   BENCH_RSS_RUNS=3             /usr/bin/time -v runs of afterpatch for peak RSS (max is reported)
#   BENCH_NODE=node              the node that runs afterpatch and the `node -e 0` floor
#   BENCH_PROFILE=0              1: also record `node --cpu-prof` of afterpatch per N and print the top functions
#   BENCH_STRICT=0               1: exit 1 when a target FAILs or cannot be measured
#   BENCH_ENV=clean              clean: every timed command runs in the environment `sudo` leaves (env -i
#                                with PATH, HOME, LC_ALL=C); inherit: in the caller's own. The caller's can
#                                move the figures: NODE_EXTRA_CA_CERTS makes every Node start-up parse
#                                those certificates (see bench/README.md, "The environment")
set -Eeuo pipefail
export LC_ALL=C
shopt -s nullglob

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
HOLD=0
if [ "${1:-}" = --hold ]; then
  HOLD=1
  shift
  set -- "${1:-1000}"
fi
NS=${*:-${BENCH_N:-200 1000 3000}}
SKIP=" ${BENCH_SKIP:-} "
SKIP=${SKIP//,/ }
NEEDRESTART_MAX_N=${BENCH_NEEDRESTART_MAX_N:-1000}
ROUNDS=${BENCH_ROUNDS:-5}
WARMUP=${BENCH_WARMUP:-1}
MIN_RUNS=${BENCH_MIN_RUNS:-3}
MAX_RUNS=${BENCH_MAX_RUNS:-6}
DETACH=${BENCH_DETACH:-1}
WORK=${BENCH_WORKDIR:-/var/lib/afterpatch-bench}
RSS_RUNS=${BENCH_RSS_RUNS:-3}
ENV_MODE=${BENCH_ENV:-clean}
case $ENV_MODE in
clean) RUN_ENV=(env -i "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "HOME=${HOME:-/root}" LC_ALL=C) ;;
inherit) RUN_ENV=() ;;
*)
  echo "bench: BENCH_ENV must be clean or inherit, not '$ENV_MODE'" >&2
  exit 2
  ;;
esac
# Variables of the caller's that change how the timed programs start or run (Node, libuv, the loader).
ENV_DROPPED=$(env | sed -n 's/^\(NODE_[A-Z_]*\|UV_[A-Z_]*\|LD_[A-Z_]*\|PYTHON[A-Z_]*\|PERL[A-Z0-9_]*\)=.*/\1/p' | sort | paste -sd' ')
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$BENCH_DIR/results/$STAMP
AFTERPATCH=$REPO/dist/afterpatch.cjs
NODE=$(command -v "${BENCH_NODE:-node}" || true) # the node afterpatch and the `node -e 0` floor run with
LIB=libapbench.so.1
PACKAGED=${BENCH_PACKAGE:-1}
PKG=libapbench1 # ships $LIB when BENCH_PACKAGE=1; named by Debian policy after the soname
PKG_MAINTAINER="afterpatch bench <bench@afterpatch.invalid>" # how the bench knows the package is its own
SHM_FILE=/dev/shm/afterpatch-bench.$$
TMP_FILE=/tmp/afterpatch-bench.$$
LOG_FILE=/var/log/afterpatch-bench.$$.log

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
fail() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || fail "run as root: the tools compared read every process's /proc entries"
for n in $NS; do
  [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 2 ] || fail "N must be an integer >= 2, got '$n'"
done
case "$(realpath -m "$WORK")/" in
/tmp/* | /var/tmp/* | /run/* | /var/run/* | /dev/shm/*)
  fail "BENCH_WORKDIR=$WORK: afterpatch (and needrestart, checkrestart) ignore deleted files there by design"
  ;;
esac

mkdir -p "$BENCH_DIR/results"
exec 9>"$BENCH_DIR/results/.lock"
flock -n 9 || fail "another bench/run.sh is running"
mkdir -p "$OUT"
if [ -e "$WORK" ] && [ ! -e "$WORK/.afterpatch-bench" ]; then
  fail "BENCH_WORKDIR=$WORK exists and was not made by this bench: not touching it"
fi

# ---------------------------------------------------------------- cleanup: nothing survives the bench
LAUNCHER=
HF_PID=
kill_holders() {
  # The launcher SIGKILLs its holders on SIGTERM; holders also exit when its lifeline pipe closes.
  # Then check every recorded pid: one still named apbench-holder is killed by its pid.
  if [ -n "$LAUNCHER" ]; then
    kill -TERM "$LAUNCHER" 2>/dev/null || true
    wait "$LAUNCHER" 2>/dev/null || true
    LAUNCHER=
  fi
  local f pid left=0 tries
  for tries in 1 2 3 4 5 6 7 8 9 10; do
    left=0
    for f in "$WORK"/run/*.pids; do
      while read -r pid; do
        if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = apbench-holder ] &&
          ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
          left=$((left + 1))
          [ "$tries" -gt 3 ] && kill -KILL "$pid" 2>/dev/null
        fi
      done <"$f"
    done
    [ "$left" = 0 ] && return 0
    sleep 0.2
  done
  warn "$left benchmark processes still alive after cleanup"
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [ -n "$HF_PID" ]; then kill -TERM -- "-$HF_PID" 2>/dev/null || true; fi
  kill_holders
  purge_package || true
  rm -f "$SHM_FILE" "$TMP_FILE" "$LOG_FILE"
  if [ -e "$WORK/.afterpatch-bench" ]; then rm -rf "$WORK"; fi
  exit "$rc"
}
# The bench's package, when installed, is purged; a package of that name that is not ours never is.
purge_package() {
  [ "$PACKAGED" = 1 ] || return 0
  [ "$(dpkg-query -W -f '${db:Status-Status}' "$PKG" 2>/dev/null)" = installed ] || return 0
  if [ "$(dpkg-query -W -f '${Maintainer}' "$PKG")" != "$PKG_MAINTAINER" ]; then
    warn "a package named $PKG is installed and is not the bench's: left alone"
    return 1
  fi
  dpkg --purge "$PKG" >/dev/null 2>&1 || warn "dpkg --purge $PKG failed"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------- tools
install_tools() {
  local need=()
  command -v hyperfine >/dev/null || need+=(hyperfine)
  [ -x /usr/sbin/checkrestart ] || need+=(debian-goodies)
  [ -x /usr/sbin/needrestart ] || need+=(needrestart)
  command -v lsof >/dev/null || need+=(lsof)
  [ -x /usr/bin/time ] || need+=(time)
  command -v gcc >/dev/null || need+=(gcc libc6-dev)
  [ ${#need[@]} = 0 ] && return 0
  if [ "${BENCH_INSTALL:-1}" = 0 ] || ! command -v apt-get >/dev/null; then
    warn "missing: ${need[*]} (not installing)"
    return 0
  fi
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y "${need[@]}" >&2 || { apt-get update >&2 && apt-get install -y "${need[@]}" >&2; } ||
    warn "apt-get install ${need[*]} failed"
}
if [ "$HOLD" = 1 ]; then
  command -v gcc >/dev/null || fail "gcc is required"
  BENCH_SKIP="${BENCH_SKIP:-} afterpatch afterpatch-json"
  SKIP=" ${BENCH_SKIP//,/ } "
else
  install_tools
fi
[ "$HOLD" = 1 ] || command -v hyperfine >/dev/null || fail "hyperfine is required"
command -v gcc >/dev/null || fail "gcc is required"
[ -n "$NODE" ] || fail "node is required (BENCH_NODE=${BENCH_NODE:-node} not found)"
if [ "$PACKAGED" = 1 ]; then
  command -v dpkg-deb >/dev/null || fail "BENCH_PACKAGE=1 needs dpkg (or run with BENCH_PACKAGE=0)"
  purge_package || fail "remove the other $PKG package, or run with BENCH_PACKAGE=0"
fi

skipped() { [[ $SKIP == *" $1 "* ]]; }

# ---------------------------------------------------------------- afterpatch bundle
AFTERPATCH_OK=1
AFTERPATCH_WHY=
if ! skipped afterpatch || ! skipped afterpatch-json; then
  build=${BENCH_BUILD:-auto}
  if [ "$build" = 1 ] || { [ "$build" = auto ] && { [ ! -f "$AFTERPATCH" ] ||
    [ -n "$(find "$REPO/src" "$REPO/scripts" "$REPO/package.json" -newer "$AFTERPATCH" -print -quit 2>/dev/null)" ]; }; }; then
    say "building afterpatch (npm run build)"
    if ! (cd "$REPO" && npm run build) >"$OUT/build.log" 2>&1; then
      AFTERPATCH_OK=0 AFTERPATCH_WHY="npm run build failed (${OUT#"$REPO"/}/build.log)"
      grep -m5 -E 'ERROR|rror' "$OUT/build.log" | sed 's/^/    /' >&2 || true
    fi
  fi
  [ -f "$AFTERPATCH" ] || { AFTERPATCH_OK=0 && AFTERPATCH_WHY=${AFTERPATCH_WHY:-"$AFTERPATCH does not exist"}; }
else
  AFTERPATCH_OK=0 AFTERPATCH_WHY="BENCH_SKIP"
fi

# ---------------------------------------------------------------- test programs
mkdir -p "$WORK"/{bin,build,lib,run} "$OUT"
touch "$WORK/.afterpatch-bench"
# Measure a frozen copy of the bundle: a rebuild of dist/ during the run must not change what is timed.
AFTERPATCH_SHA=none
if [ "$AFTERPATCH_OK" = 1 ]; then
  cp "$AFTERPATCH" "$WORK/afterpatch.cjs"
  AFTERPATCH_SHA=$(sha256sum "$WORK/afterpatch.cjs" | cut -c1-12)
  AFTERPATCH=$WORK/afterpatch.cjs
fi
say "compiling test programs into $WORK"
CFLAGS=(-O2 -Wall -Wextra)
gcc "${CFLAGS[@]}" -shared -fPIC -Wl,-soname,$LIB -DAPBENCH_VERSION=1 -o "$WORK/build/$LIB.v1" "$BENCH_DIR/src/libapbench.c"
gcc "${CFLAGS[@]}" -shared -fPIC -Wl,-soname,$LIB -DAPBENCH_VERSION=2 -o "$WORK/build/$LIB.v2" "$BENCH_DIR/src/libapbench.c"
# Linked against the build copy; its soname makes the holder load $WORK/lib/$LIB at run time.
gcc "${CFLAGS[@]}" -o "$WORK/bin/apbench-holder" "$BENCH_DIR/src/holder.c" "$WORK/build/$LIB.v1" -Wl,-rpath,"$WORK/lib"
gcc "${CFLAGS[@]}" -o "$WORK/bin/apbench-launcher" "$BENCH_DIR/src/launcher.c"
gcc "${CFLAGS[@]}" -o "$WORK/bin/apbench-maps-floor" "$BENCH_DIR/src/maps-floor.c"
gcc "${CFLAGS[@]}" -o "$WORK/bin/apbench-reads-floor" "$BENCH_DIR/src/reads-floor.c"

# BENCH_PACKAGE=1: versions 1 and 2 of the library as Debian packages, so that the stale library has
# an owner, a version before and after, and a line in dpkg.log, as after a real upgrade.
make_deb() { # VERSION
  local v=$1 d="$WORK/build/deb-$1"
  rm -rf "$d" && mkdir -p "$d/DEBIAN" "$d$WORK/lib"
  cp "$WORK/build/$LIB.v$v" "$d$WORK/lib/$LIB"
  printf '%s\n' "Package: $PKG" "Version: $v" "Architecture: $(dpkg --print-architecture)" \
    "Maintainer: $PKG_MAINTAINER" "Section: misc" "Priority: optional" \
    "Description: afterpatch benchmark library" " Installed, upgraded and purged by afterpatch's bench/run.sh." \
    >"$d/DEBIAN/control"
  dpkg-deb --root-owner-group -Zgzip -z1 --build "$d" "$WORK/build/$PKG-$v.deb" >/dev/null
}
if [ "$PACKAGED" = 1 ]; then
  make_deb 1
  make_deb 2
fi
# install_lib VERSION: version 1 before the stale holders start (a new inode each time), version 2
# over it once they run: with `dpkg -i` (which writes PATH.dpkg-new and renames it over PATH) or,
# with BENCH_PACKAGE=0, by doing just that by hand.
install_lib() {
  if [ "$PACKAGED" = 1 ]; then
    dpkg -i "$WORK/build/$PKG-$1.deb" >"$OUT/dpkg-i.log" 2>&1 ||
      fail "dpkg -i $PKG-$1.deb failed: $(tail -3 "$OUT/dpkg-i.log")"
  else
    cp "$WORK/build/$LIB.v$1" "$WORK/lib/$LIB.dpkg-new"
    sync -f "$WORK/lib/$LIB.dpkg-new" 2>/dev/null || true
    mv -f "$WORK/lib/$LIB.dpkg-new" "$WORK/lib/$LIB"
  fi
}

# ---------------------------------------------------------------- machine description
version_of() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo none; }
json_str() { node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$1"; }
{
  printf '{\n  "date": %s,\n' "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
  printf '  "kernel": %s,\n' "$(json_str "$(uname -r)")"
  printf '  "os": %s,\n' "$(json_str "$(. /etc/os-release && echo "$PRETTY_NAME")")"
  printf '  "cpu": %s,\n' "$(json_str "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')")"
  printf '  "cores": %s,\n  "mem_gib": %s,\n' "$(nproc)" "$(awk '/MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo)"
  printf '  "node": %s,\n  "hyperfine": %s,\n' "$(json_str "$("$NODE" --version) ($NODE)")" "$(json_str "$(hyperfine --version | cut -d' ' -f2)")"
  printf '  "needrestart": %s,\n  "debian_goodies": %s,\n  "lsof": %s,\n' "$(json_str "$(version_of needrestart)")" \
    "$(json_str "$(version_of debian-goodies)")" "$(json_str "$(version_of lsof)")"
  printf '  "afterpatch_commit": %s,\n' "$(json_str "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)")"
  printf '  "afterpatch_bundle_sha256": %s,\n' "$(json_str "$AFTERPATCH_SHA")"
  [ "$ENV_MODE" = clean ] || ENV_DROPPED=
  printf '  "env": %s,\n  "env_dropped": %s,\n' "$(json_str "$ENV_MODE")" "$(json_str "$ENV_DROPPED")"
  printf '  "detach": %s,\n  "packaged": %s\n}\n' "$DETACH" "$PACKAGED"
} >"$OUT/machine.json"

# ---------------------------------------------------------------- processes
count_procs() { # processes on the host (a glob: never fails when a process exits meanwhile)
  local d n=0
  for d in /proc/[0-9]*; do n=$((n + 1)); done
  echo "$n"
}
wait_for() { # FILE WHAT
  local i
  for ((i = 0; i < 1200; i++)); do
    [ -e "$1" ] && return 0
    kill -0 "$LAUNCHER" 2>/dev/null || fail "launcher died while $2"
    sleep 0.1
  done
  fail "timed out while $2"
}

start_processes() { # N
  local half=$(($1 / 2)) procs
  procs=$(count_procs)
  local pid_max threads_max
  pid_max=$(cat /proc/sys/kernel/pid_max)
  threads_max=$(cat /proc/sys/kernel/threads-max)
  if [ $((procs + 2 * half + 500)) -gt "$pid_max" ] || [ $((procs + 2 * half + 500)) -gt "$threads_max" ]; then
    fail "N=$1 needs more pids: kernel.pid_max=$pid_max threads-max=$threads_max (raise with sysctl)"
  fi
  rm -rf "$WORK/run" && mkdir -p "$WORK/run"
  # A fresh copy of the old library: a new inode, like a package installed earlier.
  install_lib 1
  "$WORK/bin/apbench-launcher" "$half" "$WORK/bin/apbench-holder" "$WORK/run" \
    "$SHM_FILE" "$TMP_FILE" "$LOG_FILE" "$DETACH" &
  LAUNCHER=$!
  wait_for "$WORK/run/stale.ready" "starting $half stale holders"
  # The upgrade: the new file is written beside the old one, then rename(2)d over it.
  install_lib 2
  kill -USR1 "$LAUNCHER"
  wait_for "$WORK/run/fresh.ready" "starting $half fresh holders"
  sort "$WORK/run/stale.pids" >"$WORK/run/stale.sorted"
  sort "$WORK/run/fresh.pids" >"$WORK/run/fresh.sorted"
  # The state every tool must see.
  local stale_del fresh_del fresh_lib
  stale_del=$(sed "s|.*|/proc/&/maps|" "$WORK/run/stale.pids" | xargs grep -l -F "$LIB (deleted)" | wc -l)
  fresh_del=$(sed "s|.*|/proc/&/maps|" "$WORK/run/fresh.pids" | xargs grep -l -F "$LIB (deleted)" | wc -l) || true
  fresh_lib=$(sed "s|.*|/proc/&/maps|" "$WORK/run/fresh.pids" | xargs grep -l -F "$WORK/lib/$LIB" | wc -l)
  [ "$stale_del" = "$half" ] && [ "$fresh_del" = 0 ] && [ "$fresh_lib" = "$half" ] ||
    fail "maps check failed: stale mapping '(deleted)': $stale_del/$half, fresh: $fresh_del (want 0), fresh mapping the new library: $fresh_lib/$half"
  say "N=$1: $half holders map the replaced (deleted) $LIB, $half map the new one; $(count_procs) processes on the host"
  local one
  one=$(head -1 "$WORK/run/stale.pids")
  echo "    e.g. PID $one (ppid $(awk '{print $4}' "/proc/$one/stat")):" >&2
  grep -E "deleted|SYSV|memfd" "/proc/$one/maps" | sed 's/^/      /' >&2 || true
  ls -l "/proc/$one/fd" | grep -F deleted | sed 's/^/      /' >&2 || true
}

# ---------------------------------------------------------------- sanity: does each tool find the stale holders?
# count_pids FILE → "stale_found fresh_found" against this run's holder pids
count_pids() {
  sort -u "$1" >"$1.sorted" # comm(1) wants lexical order
  echo "$(comm -12 "$1.sorted" "$WORK/run/stale.sorted" | wc -l) $(comm -12 "$1.sorted" "$WORK/run/fresh.sorted" | wc -l)"
}
rss_of() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }
elapsed_of() { awk '/Elapsed \(wall clock\)/ {print $NF}' "$1"; }

# sanity TOOL OUTPUT-PIDS-CMD COMMAND...: one run under /usr/bin/time -v, output kept in $OUT
sanity_run() {
  local tool=$1 n=$2
  shift 2
  local base="$OUT/N$n.$tool"
  local rc=0
  "${RUN_ENV[@]}" /usr/bin/time -v -o "$base.time" "$@" >"$base.out" 2>"$base.err" || rc=$?
  echo "$rc"
}

declare -A SANITY
sanity() { # N
  local n=$1 half=$(($1 / 2)) rc counts f
  SANITY=()
  if [ "$AFTERPATCH_OK" = 1 ]; then
    rc=$(sanity_run afterpatch "$n" "$NODE" "$AFTERPATCH" --json)
    f="$OUT/N$n.afterpatch"
    if node "$BENCH_DIR/report.mjs" --afterpatch-pids "$f.out" >"$f.pids" 2>"$f.why"; then
      counts=$(count_pids "$f.pids")
      SANITY[afterpatch]="$rc $counts $(rss_of "$f.time") $(elapsed_of "$f.time")"
      "$NODE" "$AFTERPATCH" >"$OUT/N$n.afterpatch-human.out" 2>&1 || true
    else
      AFTERPATCH_OK=0
      AFTERPATCH_WHY="node dist/afterpatch.cjs --json exited $rc, $(head -c 300 "$f.why" "$f.err" | tr '\n' ' ')"
      warn "afterpatch does not work yet: $AFTERPATCH_WHY — benchmarking the others"
    fi
  fi
  if want needrestart "$n"; then
    # -v prints "#PID uses deleted PATH" for each stale process (stage 1, the per-process scan).
    rc=$(sanity_run needrestart "$n" needrestart -b -r l -v)
    f="$OUT/N$n.needrestart"
    grep -oE '#[0-9]+ uses (deleted|obsolete|non-existing) ' "$f.err" | tr -dc '0-9\n' >"$f.pids" || true
    SANITY[needrestart]="$rc $(count_pids "$f.pids") $(rss_of "$f.time") $(elapsed_of "$f.time")"
  fi
  if want checkrestart "$n"; then
    # -v prints "[DEBUG] Process PROGRAM (PID: N)" for each process it would restart.
    rc=$(sanity_run checkrestart "$n" checkrestart -v)
    f="$OUT/N$n.checkrestart"
    grep -oE '\(PID: [0-9]+\)' "$f.out" | tr -dc '0-9\n' >"$f.pids" || true
    SANITY[checkrestart]="$rc $(count_pids "$f.pids") $(rss_of "$f.time") $(elapsed_of "$f.time")"
  fi
  if want lsof "$n"; then
    # lsof +L1 selects open files with link count < 1: here the deleted log file every holder holds
    # open (so all holders, stale and fresh). A replaced *mapped* library is "DEL" to lsof, with no
    # link count, and +L1 does not select it.
    rc=$(sanity_run lsof "$n" lsof -n -P -w +L1)
    f="$OUT/N$n.lsof"
    awk 'NR > 1 {print $2}' "$f.out" >"$f.pids"
    SANITY[lsof]="$rc $(count_pids "$f.pids") $(rss_of "$f.time") $(elapsed_of "$f.time")"
  fi
  if want floor-c "$n"; then
    rc=$(sanity_run floor-c "$n" "$WORK/bin/apbench-maps-floor" -v)
    SANITY[floor-c]="$rc - - $(rss_of "$OUT/N$n.floor-c.time") $(elapsed_of "$OUT/N$n.floor-c.time")"
    echo "    C floor: $(cat "$OUT/N$n.floor-c.out")" >&2
  fi
  if want reads-c "$n"; then
    rc=$(sanity_run reads-c "$n" "$WORK/bin/apbench-reads-floor" -v)
    SANITY[reads-c]="$rc - - $(rss_of "$OUT/N$n.reads-c.time") $(elapsed_of "$OUT/N$n.reads-c.time")"
    echo "    C reads: $(cat "$OUT/N$n.reads-c.out")" >&2
  fi
  if want reads-node "$n"; then
    rc=$(sanity_run reads-node "$n" "$NODE" "$BENCH_DIR/src/reads-floor.cjs" -v)
    SANITY[reads-node]="$rc - - $(rss_of "$OUT/N$n.reads-node.time") $(elapsed_of "$OUT/N$n.reads-node.time")"
    echo "    Node reads: $(cat "$OUT/N$n.reads-node.out")" >&2
  fi
  if want floor-node "$n"; then
    rc=$(sanity_run floor-node "$n" "$NODE" -e 0)
    SANITY[floor-node]="$rc - - $(rss_of "$OUT/N$n.floor-node.time") $(elapsed_of "$OUT/N$n.floor-node.time")"
  fi
  local t
  for t in "${!SANITY[@]}"; do
    read -r rc s fr rss el <<<"${SANITY[$t]}"
    if [ "$s" != - ]; then
      local verdict=OK want_fresh=0 note="false positives"
      [ "$t" = lsof ] && want_fresh=$half && note="all expected: the deleted log fd"
      [ "$s" = "$half" ] && [ "$fr" = "$want_fresh" ] || verdict=MISMATCH
      printf '    sanity %-12s exit %-3s found %s/%s stale holders, %s of %s fresh (%s): %s\n' \
        "$t" "$rc" "$s" "$half" "$fr" "$half" "$note" "$verdict" >&2
    fi
  done
}

# ---------------------------------------------------------------- which tools run at this N
declare -A WHY_SKIPPED
want() { # TOOL N
  local t=$1 n=$2
  if skipped "$t"; then
    WHY_SKIPPED[$t]="BENCH_SKIP"
    return 1
  fi
  case $t in
  afterpatch | afterpatch-json)
    [ "$AFTERPATCH_OK" = 1 ] || {
      WHY_SKIPPED[$t]="not working: $AFTERPATCH_WHY"
      return 1
    }
    ;;
  needrestart)
    [ -x /usr/sbin/needrestart ] || {
      WHY_SKIPPED[$t]="not installed"
      return 1
    }
    [ "$n" -le "$NEEDRESTART_MAX_N" ] || {
      WHY_SKIPPED[$t]="N > BENCH_NEEDRESTART_MAX_N=$NEEDRESTART_MAX_N (about 30 s per 1000 processes per run; raise it to include)"
      return 1
    }
    ;;
  checkrestart)
    [ -x /usr/sbin/checkrestart ] || {
      WHY_SKIPPED[$t]="not installed"
      return 1
    }
    ;;
  lsof)
    command -v lsof >/dev/null || {
      WHY_SKIPPED[$t]="not installed"
      return 1
    }
    ;;
  esac
  return 0
}

# ---------------------------------------------------------------- one N
cpu_busy() { # percent of CPU time not idle over one second, all cores
  local a b
  a=$(awk '/^cpu / {print $2+$3+$4+$5+$6+$7+$8+$9 " " $5+$6}' /proc/stat)
  sleep 1
  b=$(awk '/^cpu / {print $2+$3+$4+$5+$6+$7+$8+$9 " " $5+$6}' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {split(a, x, " "); split(b, y, " "); t = y[1] - x[1]; i = y[2] - x[2];
    print (t > 0 ? int(100 * (t - i) / t) : 0)}'
}

bench_one() { # N
  local n=$1 t
  WHY_SKIPPED=()
  say "N=$n: starting processes"
  start_processes "$n"
  sanity "$n"

  # needrestart takes about half a minute per run: it is timed apart, once; the fast commands are
  # timed together in every round.
  local args=() slow=()
  add() { # TOOL NAME COMMAND
    if want "$1" "$n"; then
      if [ "$1" = needrestart ]; then slow+=(-n "$2" "$3"); else args+=(-n "$2" "$3"); fi
    fi
  }
  add afterpatch "afterpatch" "$NODE $AFTERPATCH"
  add afterpatch-json "afterpatch --json" "$NODE $AFTERPATCH --json"
  add needrestart "needrestart -b" "needrestart -b -r l"
  add checkrestart "checkrestart" "checkrestart"
  add lsof "lsof +L1" "lsof -n -P -w +L1"
  add floor-c "floor: C maps reader" "$WORK/bin/apbench-maps-floor"
  add floor-node "floor: node -e 0" "$NODE -e 0"
  add reads-c "C: afterpatch's reads" "$WORK/bin/apbench-reads-floor"
  add reads-node "Node: afterpatch's reads" "$NODE $BENCH_DIR/src/reads-floor.cjs"
  for t in "${!WHY_SKIPPED[@]}"; do echo "    skipped $t: ${WHY_SKIPPED[$t]}" >&2; done

  if [ "$AFTERPATCH_OK" = 1 ]; then
    local i rss max=0
    for ((i = 0; i < RSS_RUNS; i++)); do
      "${RUN_ENV[@]}" /usr/bin/time -v -o "$OUT/N$n.rss.time" "$NODE" "$AFTERPATCH" --json >/dev/null 2>&1 || true
      rss=$(rss_of "$OUT/N$n.rss.time")
      [ "${rss:-0}" -gt "$max" ] && max=$rss
    done
    AFTERPATCH_RSS_KIB=$max
    echo "    afterpatch --json peak RSS (max of $RSS_RUNS runs of /usr/bin/time -v): $((max / 1024)) MiB ($max KiB)" >&2
  else
    AFTERPATCH_RSS_KIB=null
  fi
  if [ "$AFTERPATCH_OK" = 1 ] && [ "${BENCH_PROFILE:-0}" = 1 ]; then
    "$NODE" --cpu-prof --cpu-prof-interval 100 --cpu-prof-dir "$OUT/N$n.cpuprof" "$AFTERPATCH" --json >/dev/null 2>&1 || true
    echo "    afterpatch --json CPU profile (node --cpu-prof), top self time:" >&2
    node "$BENCH_DIR/report.mjs" --cpuprofile "$OUT/N$n.cpuprof"/*.cpuprofile | sed 's/^/      /' >&2 || true
  fi

  # The machine should be quiet: other work on 2 cores moves every median.
  local busy others
  busy=$(cpu_busy) && [[ $busy =~ ^[0-9]+$ ]] || busy=0
  others=$(($(count_procs) - 2 * (n / 2)))
  echo "    CPU busy before timing: ${busy}% (of all cores); processes besides the holders: $others" >&2
  [ "$busy" -le 10 ] || warn "the machine is not idle (${busy}% CPU busy): medians will be inflated and noisy"
  # hyperfine times one command after the other; on a machine whose speed drifts (a VM beside other
  # tenants) the commands timed last would meet another machine than those timed first. So the fast
  # commands take turns: ROUNDS invocations with every one of them, and report.mjs takes each
  # command's median over all its runs.
  local r
  for ((r = 1; r <= ROUNDS; r++)); do
    say "N=$n: hyperfine round $r/$ROUNDS (warmup $WARMUP, runs $MIN_RUNS..$MAX_RUNS per command)"
    setsid "${RUN_ENV[@]}" hyperfine -N -i --warmup "$WARMUP" -m "$MIN_RUNS" -M "$MAX_RUNS" \
      --export-json "$OUT/N$n.hyperfine.r$r.json" "${args[@]}" &
    HF_PID=$!
    wait "$HF_PID" || fail "hyperfine failed"
    HF_PID=
  done
  if [ ${#slow[@]} -gt 0 ]; then
    say "N=$n: hyperfine, needrestart ($MIN_RUNS runs)"
    setsid "${RUN_ENV[@]}" hyperfine -N -i --warmup 0 -r "$MIN_RUNS" --export-json "$OUT/N$n.hyperfine.slow.json" "${slow[@]}" &
    HF_PID=$!
    wait "$HF_PID" || fail "hyperfine failed"
    HF_PID=
  fi

  {
    printf '{\n  "n": %s,\n  "stale": %s,\n  "fresh": %s,\n' "$n" "$((n / 2))" "$((n / 2))"
    printf '  "processes_on_host": %s,\n  "cpu_busy_before_pct": %s,\n' "$(count_procs)" "$busy"
    printf '  "rounds": %s,\n  "min_runs": %s,\n  "max_runs": %s,\n  "warmup": %s,\n' "$ROUNDS" "$MIN_RUNS" "$MAX_RUNS" "$WARMUP"
    printf '  "afterpatch_rss_kib": %s,\n  "sanity": {' "$AFTERPATCH_RSS_KIB"
    local sep=
    for t in "${!SANITY[@]}"; do
      read -r rc s fr rss el <<<"${SANITY[$t]}"
      [ "$s" = - ] && s=null && fr=null
      printf '%s\n    "%s": {"exit": %s, "stale_found": %s, "fresh_found": %s, "rss_kib": %s, "elapsed": "%s"}' \
        "$sep" "$t" "$rc" "$s" "$fr" "${rss:-null}" "$el"
      sep=,
    done
    printf '\n  },\n  "skipped": {'
    sep=
    for t in "${!WHY_SKIPPED[@]}"; do
      printf '%s\n    "%s": %s' "$sep" "$t" "$(json_str "${WHY_SKIPPED[$t]}")"
      sep=,
    done
    printf '\n  }\n}\n'
  } >"$OUT/N$n.meta.json"

  kill_holders
  node "$BENCH_DIR/report.mjs" --only "$n" "$OUT" >&2
}

if [ "$HOLD" = 1 ]; then
  start_processes "$NS"
  echo "holding $NS processes: stale PIDs in $WORK/run/stale.pids, fresh in $WORK/run/fresh.pids" >&2
  echo "Ctrl-C or kill -TERM $$ to stop (everything is cleaned up)" >&2
  rm -rf "$OUT" # nothing measured
  wait "$LAUNCHER" || true
  exit 0
fi

say "results in ${OUT#"$REPO"/}"
for n in $NS; do bench_one "$n"; done

say "summary"
rc=0
node "$BENCH_DIR/report.mjs" "$OUT" | tee "$OUT/summary.txt" || rc=$?
echo "raw hyperfine JSON and tool outputs: ${OUT#"$REPO"/}/" >&2
if [ "${BENCH_STRICT:-0}" = 1 ]; then exit "$rc"; fi
exit 0
