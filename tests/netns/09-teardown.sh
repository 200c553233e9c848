#!/usr/bin/env bash
# Scenario 9: SIGTERM makes every dmvpnd remove its TAP and routes; `down`
# leaves no namespace, process, TAP, route (proto 77), runtime dir or file.
. "$(dirname "$0")/lib.sh"
setup nft
lab_up --hubs 2 --spokes 3 --nat --ipv6
lab exec host1 ping -c 5 -i 0.2 -W 2 10.1.2.2 >/dev/null
wait_for 10 "a shortcut (proto 77 route) on spoke1" has_shortcut spoke1 10.1.2.0/24 || log "note: no shortcut formed"
STATE=$DMVPN_LAB_STATE
pids=$(cat "$STATE"/*.pid)
nss=$(cat "$STATE/namespaces")
log "daemons: $(echo $pids); namespaces: $(echo $nss)"
r77=$(ip -n "${DMVPN_LAB_PREFIX}spoke1" route show proto 77; ip -n "${DMVPN_LAB_PREFIX}spoke1" -6 route show proto 77)
log "spoke1 proto 77 routes while up: $(echo $r77)"
# 1. clean shutdown of each daemon
while read -r node role _; do
	case $role in hub | spoke) ;; *) continue ;; esac
	lab stop "$node" TERM || fail "$node: dmvpnd did not exit on SIGTERM"
	ns=${DMVPN_LAB_PREFIX}$node
	ip -n "$ns" link show dmvpn0 >/dev/null 2>&1 && fail "$node: dmvpn0 left after dmvpnd exited"
	left=$(ip -n "$ns" route show proto 77; ip -n "$ns" -6 route show proto 77)
	[ -z "$left" ] || fail "$node: proto 77 routes left after dmvpnd exited: $left"
	[ -e "/run/dmvpn/$ns/dmvpnd.sock" ] && log "note: $node left /run/dmvpn/$ns/dmvpnd.sock"
	grep -q 'dmvpnd stopped' "$STATE/$node.log" || log "note: $node log has no 'dmvpnd stopped'"
done < <(cat "$STATE/nodes")
# 2. down
lab down || fail "dmvpn-lab down failed"
for p in $pids; do kill -0 "$p" 2>/dev/null && fail "process $p still alive"; done
for ns in $nss; do ip netns list | grep -qw "$ns" && fail "namespace $ns left"; done
ip netns list | grep -q "^${DMVPN_LAB_PREFIX}" && fail "a namespace with our prefix is left: $(ip netns list | grep "^${DMVPN_LAB_PREFIX}")"
[ -e "$STATE" ] && fail "state directory $STATE left"
ls -d /run/dmvpn/"${DMVPN_LAB_PREFIX}"* 2>/dev/null && fail "runtime directories left"
[ -z "$(ip route show proto 77; ip -6 route show proto 77)" ] || fail "proto 77 routes in the root namespace"
ip link show dmvpn0 >/dev/null 2>&1 && fail "dmvpn0 in the root namespace"
pass
