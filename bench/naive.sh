#!/usr/bin/env bash
# The smoke checks written by hand, as one would without a harness: for each image and platform, one
# after the other, docker run, curl until healthy, docker exec / top / inspect, then the hardened run.
# Timings are the contract's (health interval 1 s native, 2 s emulated); polls every NAIVE_POLL_S (0.5 s).
# Not slowed on purpose, not tuned either. Labels only so the harness's sweeps can clean up after a crash.
#
# env: NAIVE_ENV_DIR (one <service>.env per service, passed as --env-file), NAIVE_PLATFORMS, NAIVE_POLL_S,
#      NAIVE_RUN_ID (label value), NAIVE_IMAGE_PREFIX (default lucid-ref/lucid-: image <prefix><service>:<arch>),
#      NAIVE_NETWORK (a network where the stand-ins the services need already run, e.g. data-chain's Mongo).
#      Exit 0 all checks passed, 1 some failed.
set -u
POLL=${NAIVE_POLL_S:-0.5}
PLATFORMS=${NAIVE_PLATFORMS:-linux/amd64 linux/arm64}
RUN=${NAIVE_RUN_ID:-naive-$$}
LABELS=(--label io.lucid.harness=true --label "io.lucid.harness.run=$RUN" --label "io.lucid.harness.host=$(hostname)" --label "io.lucid.harness.pid=$$")
# name port health-path extra-health-paths writable-dirs
SERVICES=(
  "api-gateway 8080 /api/v1/meta/health /health /tmp"
  "service-mesh-controller 8500 /health - /tmp"
  "blockchain-engine 8084 /health /api/v1/health /tmp,/app/logs"
  "session-anchoring 8085 /health /api/v1/health /tmp,/app/logs"
  "block-manager 8086 /health /api/v1/health /tmp,/app/logs"
  "data-chain 8087 /health - /tmp"
)
checks=0
failed=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); failed=$((failed + 1)); echo "FAIL $*" >&2; }
cleanup() { docker ps -aq --filter "label=io.lucid.harness.run=$RUN" | xargs -r docker rm -f >/dev/null 2>&1; }
trap cleanup EXIT

wait_http() { # url timeout-seconds
  local end=$((SECONDS + $2))
  until curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; do
    [ $SECONDS -ge $end ] && return 1
    sleep "$POLL"
  done
}
wait_healthy() { # container timeout-seconds
  local end=$((SECONDS + $2)) s
  while :; do
    s=$(docker inspect -f '{{.State.Health.Status}}' "$1")
    [ "$s" = healthy ] && return 0
    [ "$s" = unhealthy ] || [ $SECONDS -ge $end ] && return 1
    sleep "$POLL"
  done
}
start() { # platform image port interval env-file extra-args...
  local p=$1 img=$2 port=$3 interval=$4 envf=$5
  shift 5
  local envarg=()
  [ -f "$envf" ] && envarg=(--env-file "$envf")
  local net=()
  [ -n "${NAIVE_NETWORK:-}" ] && net=(--network "$NAIVE_NETWORK")
  docker run -d --platform "$p" "${LABELS[@]}" "${net[@]}" --label "io.lucid.harness.platform=$p" -p "127.0.0.1::$port" \
    --health-interval "$interval" --health-retries 3 --health-timeout 10s "${envarg[@]}" "$@" "$img"
}

for p in $PLATFORMS; do
  arch=${p#linux/}
  if [ "$arch" = amd64 ]; then interval=1s; budget=20; machine=x86_64; else interval=2s; budget=90; machine=aarch64; fi
  for row in "${SERVICES[@]}"; do
    read -r name port health extra writable <<<"$row"
    img="${NAIVE_IMAGE_PREFIX:-lucid-ref/lucid-}$name:$arch"
    envf="${NAIVE_ENV_DIR:-/nonexistent}/$name.env"
    what="$name [$p]"
    [ "$(docker image inspect -f '{{.Config.User}}' "$img")" = 65532:65532 ] && ok || bad "$what: image user"
    [ "$(docker image inspect -f '{{if .Config.Healthcheck}}yes{{end}}' "$img")" = yes ] && ok || bad "$what: no HEALTHCHECK"

    c=$(start "$p" "$img" "$port" "$interval" "$envf")
    hp=$(docker port "$c" "$port/tcp" | head -1)
    wait_http "http://$hp$health" "$budget" && ok || bad "$what: $health"
    if [ "$extra" != - ]; then curl -fsS -o /dev/null "http://$hp$extra" && ok || bad "$what: $extra"; fi
    wait_healthy "$c" "$budget" && ok || bad "$what: docker health"
    docker exec "$c" sh -c true >/dev/null 2>&1 && bad "$what: a shell runs" || ok
    uids=$(docker top "$c" -eo pid,uid | awk 'NR > 1 { print $2 }' | sort -u)
    [ "$uids" = 65532 ] && ok || bad "$what: processes run as $uids"
    [ "$(docker exec "$c" python3 -c 'import os; print(os.uname().machine)')" = "$machine" ] && ok || bad "$what: machine"
    docker stop -t 2 "$c" >/dev/null && docker rm "$c" >/dev/null

    tmpfs=()
    for d in ${writable//,/ }; do tmpfs+=(--tmpfs "$d:rw,nosuid,nodev,size=64m,uid=65532,gid=65532"); done
    c=$(start "$p" "$img" "$port" "$interval" "$envf" --read-only --cap-drop ALL --security-opt no-new-privileges "${tmpfs[@]}")
    hp=$(docker port "$c" "$port/tcp" | head -1)
    wait_http "http://$hp$health" "$budget" && ok || bad "$what hardened: $health"
    wait_healthy "$c" "$budget" && ok || bad "$what hardened: docker health"
    docker stop -t 2 "$c" >/dev/null && docker rm "$c" >/dev/null
  done
done
echo "naive: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
