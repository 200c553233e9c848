# shellcheck shell=bash
# Shared helpers for the end-to-end scenarios (sourced, bash).
# Each scenario: exit 0 pass, 1 fail, 77 skip (with a message on the last line).
# Binaries come from $DMVPN_BUILD, else $BUILD (tests/run-all), else ../../build.
# Each scenario gets its own lab prefix ($DMVPN_LAB_PREFIX, default "t<N>-"),
# so scenarios may run in parallel with each other and with a demo lab.

NETNS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$NETNS_DIR/../.." && pwd)
LAB="$TOP/tests/dmvpn-lab"
T_NAME=$(basename "$0" .sh)
: "${DMVPN_LAB_PREFIX:=t${T_NAME%%-*}-}"
export DMVPN_LAB_PREFIX
export DMVPN_LAB_STATE="/run/dmvpn-lab/$DMVPN_LAB_PREFIX"
# IPSEC=1: every lab of the scenario runs with tunnel protection (dmvpn-lab --ipsec)
[ "${IPSEC:-0}" = 1 ] && export DMVPN_LAB_IPSEC=1

log() { printf '%s [%s] %s\n' "$(date -u +%T.%3N)" "$T_NAME" "$*"; }
skip() { log "SKIP: $*"; echo "skip: $*"; exit 77; }
fail() {
	log "FAIL: $*"
	exit 1
}
pass() { log "PASS"; exit 0; }

require_root() { [ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"; }
require_tools() { # TOOL... -> skip naming the first missing one
	local t
	for t in "$@"; do command -v "$t" >/dev/null 2>&1 || skip "needs '$t' (see .ci/packages)"; done
}
require_build() {
	local d
	for d in "${DMVPN_BUILD:-}" "${BUILD:-}" "$TOP/build"; do
		if [ -n "$d" ] && [ -x "$d/dmvpnd" ] && [ -x "$d/dmvpnctl" ]; then
			DMVPN_BUILD=$(cd "$d" && pwd)
			export DMVPN_BUILD
			return 0
		fi
	done
	skip "no dmvpnd build (set DMVPN_BUILD or BUILD to a build directory)"
}
require_netns() {
	ip netns add "${DMVPN_LAB_PREFIX}probe" 2>/dev/null || skip "cannot create network namespaces here"
	ip netns del "${DMVPN_LAB_PREFIX}probe"
}

# Standard preamble: checks, then a trap that dumps diagnostics on failure
# and always tears the lab down.
setup() { # TOOL...
	require_root
	require_tools ip jq "$@"
	require_build
	require_netns

	trap on_exit EXIT
	trap 'exit 1' INT TERM
	# a lab left by a killed earlier run of this scenario
	"$LAB" down >/dev/null 2>&1 || true
}

on_exit() {
	local rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ -d "$DMVPN_LAB_STATE" ]; then
		log "diagnostics (rc $rc):"
		dump_state
	fi
	for p in "${BG_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	"$LAB" down >/dev/null 2>&1 || true
	[ -n "${TMPD:-}" ] && rm -rf -- "$TMPD"
	exit "$rc"
}
BG_PIDS=()

dump_state() {
	local node role
	while read -r node role _; do
		case $role in hub | spoke) ;; *) continue ;; esac
		echo "----- $node: show dmvpn / nhrp nhs / nhrp cache / nhrp shortcut"
		for c in "show dmvpn" "show nhrp nhs" "show nhrp cache" "show nhrp shortcut"; do
			# shellcheck disable=SC2086
			"$LAB" exec "$node" dmvpnctl $c 2>&1 | sed 's/^/  /'
		done
		echo "----- $node: routes"
		"$LAB" exec "$node" ip route 2>&1 | sed 's/^/  /'
		echo "----- $node: nonzero counters"
		"$LAB" exec "$node" dmvpnctl show counters --json 2>/dev/null |
			jq -r '(.data // .).counters | to_entries[] | select(.value != 0) | "  \(.key)=\(.value)"' 2>/dev/null
		echo "----- $node: log (last 30 lines)"
		tail -30 "$DMVPN_LAB_STATE/$node.log" 2>/dev/null | sed 's/^/  /'
	done <"$DMVPN_LAB_STATE/nodes"
}

lab() { "$LAB" "$@"; }
lab_up() { # ARGS... (fails the scenario when the lab does not come up)
	log "dmvpn-lab up $*"
	"$LAB" up "$@" || fail "dmvpn-lab up $* failed"
}

# ctl NODE ARGS...: dmvpnctl in that node, JSON with the {"status","data"}
# envelope (if any) removed.
ctl_json() {
	local node=$1
	shift
	"$LAB" exec "$node" dmvpnctl "$@" --json 2>/dev/null | jq -c '.data // .'
}

# jq_true NODE FILTER ARGS...: does jq FILTER hold on `dmvpnctl ARGS --json`?
jq_true() {
	local node=$1 filter=$2 out
	shift 2
	out=$(ctl_json "$node" "$@") || return 1
	[ -n "$out" ] && echo "$out" | jq -e "$filter" >/dev/null 2>&1
}

counter() { # NODE NAME -> integer (0 when absent)
	ctl_json "$1" show counters | jq -r --arg n "$2" '.counters[$n] // 0'
}

# wait_for TIMEOUT_S DESCRIPTION CMD...: polls CMD every 0.1 s
wait_for() {
	local timeout=$1 what=$2 t0=$SECONDS
	shift 2
	while ! "$@"; do
		if [ $((SECONDS - t0)) -ge "$timeout" ]; then
			log "timeout (${timeout}s) waiting for: $what"
			return 1
		fi
		sleep 0.1
	done
	log "ok: $what ($((SECONDS - t0))s)"
}

has_shortcut() { # NODE PREFIX
	jq_true "$1" "any(.shortcuts[]?; .prefix == \"$2\")" show nhrp shortcut
}
no_shortcut() { ! has_shortcut "$@"; }
all_nhs_up() { jq_true "$1" '(.nhs | length) > 0 and all(.nhs[]; .state == "up")' show nhrp nhs; }

tmpdir() { TMPD=$(mktemp -d /tmp/dmvpn-netns.XXXXXX); }

# bg_ping NODE DST: pings every 0.2 s in the background until the scenario ends
# (or stop_bg); keeps traffic flowing while we wait for state to form.
bg_ping() {
	"$LAB" exec "$1" ping -q -i 0.2 -W 1 "$2" >/dev/null 2>&1 &
	BG_PIDS+=("$!")
}
stop_bg() {
	local p
	for p in "${BG_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	BG_PIDS=()
}
