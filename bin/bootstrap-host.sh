#!/usr/bin/env bash
# Leaves this host able to run lucid-harness: a Docker engine that answers, and arm64 emulation.
# It changes things only as root on Debian/Ubuntu with a local engine; anywhere else it changes nothing,
# says what is missing and how to get it, and exits 2. Idempotent: a second run takes no action.
#
# Environment (all optional):
#   DOCKER_HOST            engine to use (default unix:///var/run/docker.sock); tcp:// or ssh:// is only checked
#   LUCID_DOCKERD_LOG      dockerd log when we start it (default /var/log/lucid-dockerd.log)
#   LUCID_DOCKERD_PIDFILE  dockerd's --pidfile (default /var/run/docker.pid, dockerd's own default)
#   LUCID_DOCKERD_WAIT     seconds to wait for dockerd to answer (default 30)
#   LUCID_DOCKERD_ARGS     extra dockerd flags, e.g. a separate --data-root for a throw-away second engine
set -euo pipefail

ENDPOINT="${DOCKER_HOST:-unix:///var/run/docker.sock}"
LOG="${LUCID_DOCKERD_LOG:-/var/log/lucid-dockerd.log}"
PIDFILE="${LUCID_DOCKERD_PIDFILE:-/var/run/docker.pid}"
WAIT_S="${LUCID_DOCKERD_WAIT:-30}"
read -r -a EXTRA_ARGS <<<"${LUCID_DOCKERD_ARGS:-}"
BINFMT=/proc/sys/fs/binfmt_misc
# chromium renders the dashboard in the harness's own tests (headless screenshot).
TOOL_PACKAGES=(qemu-user-static binfmt-support docker-registry chromium)

actions=0
problems=0
say() { echo "bootstrap: $*"; }
act() { say "$*"; actions=$((actions + 1)); }
problem() { echo "bootstrap: missing: $*" >&2; problems=$((problems + 1)); }

# --- what kind of host is this ---------------------------------------------------------------------------
is_root() { [[ $(id -u) == 0 ]]; }
is_debian_like() {
  [[ $(uname -s) == Linux && -r /etc/os-release ]] || return 1
  local ids
  ids=$(. /etc/os-release && echo " ${ID:-} ${ID_LIKE:-} ")
  [[ $ids == *" debian "* || $ids == *" ubuntu "* ]]
}
can_change=false
if is_root && is_debian_like; then can_change=true; fi

# One bootstrap at a time: two `npm test` starting together must not start two engines.
if $can_change && command -v flock >/dev/null; then
  exec 9>/run/lucid-bootstrap.lock
  flock -w 120 9 || { say "another bootstrap holds /run/lucid-bootstrap.lock for 120 s; giving up"; exit 2; }
fi

# "Answers" = the API responds within a few seconds. curl on a unix socket is fastest; docker info handles
# TLS and ssh endpoints.
answers() {
  if [[ $ENDPOINT == unix://* ]] && command -v curl >/dev/null; then
    curl -sf --max-time 3 --unix-socket "${ENDPOINT#unix://}" http://localhost/_ping >/dev/null 2>&1
  elif command -v docker >/dev/null; then
    # macOS has no `timeout`; there the CLI's own connection timeout has to do.
    if command -v timeout >/dev/null; then t=(timeout 5); else t=(); fi
    DOCKER_HOST="$ENDPOINT" "${t[@]+"${t[@]}"}" docker info >/dev/null 2>&1
  elif [[ $ENDPOINT == tcp://* ]] && command -v curl >/dev/null; then
    curl -sf --max-time 3 "http://${ENDPOINT#tcp://}/_ping" >/dev/null 2>&1
  else
    return 1
  fi
}

installed() { [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]; }

summary() {
  if ((problems > 0)); then
    say "NOT ready: $problems thing(s) missing (see above); nothing was changed for them"
    exit 2
  elif ((actions == 0)); then
    say "ready; nothing to do ($1)"
  else
    say "ready after $actions action(s) ($1)"
  fi
  exit 0
}

# --- remote engine: never install or start anything here -------------------------------------------------
if [[ $ENDPOINT != unix://* ]]; then
  if answers; then
    say "remote engine at $ENDPOINT answers; its arm64 emulation is checked by \`npx lucid-harness doctor\`"
  else
    problem "no Docker engine answers at $ENDPOINT (remote: start it there, or unset DOCKER_HOST for a local engine)"
  fi
  summary "remote engine $ENDPOINT"
fi

# --- packages ---------------------------------------------------------------------------------------------
engine_ok=false
if answers; then engine_ok=true; fi

missing=()
if is_debian_like; then
  # docker.io only when there is no engine at all: a host with Docker CE's dockerd must not get a second one.
  if ! $engine_ok && ! command -v dockerd >/dev/null && ! installed docker.io; then missing+=(docker.io); fi
  for p in "${TOOL_PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
fi
if ((${#missing[@]} > 0)); then
  if $can_change; then
    # Update the package lists only now that something has to be installed.
    act "apt-get update (to install: ${missing[*]})"
    apt-get update -qq >/dev/null
    act "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    # docker.io's own scripts may have started the engine.
    if ! $engine_ok && answers; then engine_ok=true; fi
  else
    problem "packages ${missing[*]}: \`sudo apt-get install -y ${missing[*]}\`"
  fi
fi

# --- engine -----------------------------------------------------------------------------------------------
running_dockerd() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ && $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]] && echo "$pid"
}

if ! $engine_ok; then
  if $can_change; then
    if pid=$(running_dockerd); then
      say "dockerd (pid $pid) is running but not answering yet; waiting for it"
    else
      args=(--pidfile "$PIDFILE" "${EXTRA_ARGS[@]}")
      [[ -n ${DOCKER_HOST:-} ]] && args+=(-H "$ENDPOINT")
      # No systemd here: a session of its own keeps dockerd alive after this shell and its terminal go.
      # It must not inherit the lock (fd 9), or it would hold it for its whole life.
      setsid nohup dockerd "${args[@]}" >>"$LOG" 2>&1 </dev/null 9>&- &
      pid=$!
      act "started dockerd (pid $pid, log $LOG, pid file $PIDFILE)"
    fi
    deadline=$((SECONDS + WAIT_S))
    up=false
    while ((SECONDS < deadline)); do
      if answers; then up=true; break; fi
      kill -0 "$pid" 2>/dev/null || break # it died: its log says why
      sleep 0.25
    done
    if ! $up; then
      if kill -0 "$pid" 2>/dev/null; then why="did not answer at $ENDPOINT within ${WAIT_S} s"; else why="exited"; fi
      say "dockerd (pid $pid) $why; last lines of $LOG:" >&2
      tail -n 8 "$LOG" 2>/dev/null | sed 's/^/    /' >&2 || true
      exit 2
    fi
    say "engine at $ENDPOINT answers"
  else
    problem "no Docker engine answers at $ENDPOINT: install Docker Desktop, or \`sudo apt-get install docker.io\` and start it (\`sudo dockerd\` / \`sudo systemctl start docker\`)"
  fi
fi

# --- arm64 emulation --------------------------------------------------------------------------------------
emulation_hint="\`docker run --privileged --rm tonistiigi/binfmt --install arm64\`, or install qemu-user-static + binfmt-support"
entry=$BINFMT/qemu-aarch64
flags_of() { sed -n 's/^flags: *//p' "$entry" 2>/dev/null; }
binfmt_mounted() { grep -qs " $BINFMT binfmt_misc " /proc/mounts; }

# The F ("fix binary") flag makes the kernel open the interpreter when it is registered. Without it the
# interpreter path is resolved at exec time inside the container's root filesystem, where no qemu exists,
# so arm64 programs in containers fail with "exec format error" even though they run on the host.
reregister_with_f() {
  local interp offset magic mask flags
  interp=$(sed -n 's/^interpreter //p' "$entry")
  offset=$(sed -n 's/^offset //p' "$entry")
  magic=$(sed -n 's/^magic //p' "$entry" | sed 's/../\\x&/g')
  mask=$(sed -n 's/^mask //p' "$entry" | sed 's/../\\x&/g')
  flags=$(flags_of)
  echo -1 >"$entry"
  printf ':qemu-aarch64:M:%s:%s:%s:%s:%s' "$offset" "$magic" "$mask" "$interp" "${flags}F" >"$BINFMT/register"
}

machine=$(uname -m)
if [[ $(uname -s) != Linux ]]; then
  say "not Linux: arm64 emulation is Docker Desktop's; \`npx lucid-harness doctor\` proves it"
elif [[ $machine == aarch64 || $machine == arm64 ]]; then
  : # arm64 host: linux/arm64 is native, nothing to emulate
elif [[ $machine != x86_64 ]]; then
  problem "host architecture $machine: only x86_64 and arm64 hosts are supported"
else
  if ! binfmt_mounted; then
    if $can_change; then
      mount -t binfmt_misc binfmt_misc "$BINFMT"
      act "mounted binfmt_misc at $BINFMT"
    else
      problem "binfmt_misc is not mounted at $BINFMT: \`sudo mount -t binfmt_misc binfmt_misc $BINFMT\`"
    fi
  fi
  if binfmt_mounted && ! grep -qx enabled "$entry" 2>/dev/null; then
    if $can_change && command -v update-binfmts >/dev/null; then
      update-binfmts --enable qemu-aarch64
      act "enabled binfmt qemu-aarch64"
    else
      problem "arm64 emulation missing: $emulation_hint"
    fi
  fi
  if grep -qx enabled "$entry" 2>/dev/null && [[ $(flags_of) != *F* ]]; then
    if $can_change; then
      reregister_with_f
      act "re-registered binfmt qemu-aarch64 with the F flag (flags now $(flags_of))"
    else
      problem "binfmt qemu-aarch64 lacks the F flag, so emulation fails inside containers: $emulation_hint"
    fi
  fi
  if ((problems == 0)) && ! { grep -qx enabled "$entry" 2>/dev/null && [[ $(flags_of) == *F* ]]; }; then
    problem "arm64 emulation still not enabled with the F flag at $entry: $emulation_hint"
  fi
fi

summary "engine $ENDPOINT answers; arm64 emulation: $(
  if [[ $machine == x86_64 && $(uname -s) == Linux ]]; then echo "qemu-aarch64 enabled, flags $(flags_of)"; else echo "not needed here"; fi
)"
