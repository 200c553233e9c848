#!/usr/bin/env bash
# Scenario 17: the FRR route sink. dmvpn-lab --frr (zebra in every hub and
# spoke, `frr zapi` in each dmvpnd), 1 hub + 2 spokes, `keepalive 0.3 3`.
#  1. host1 -> host2 forms a shortcut: spoke1's zebra has 10.1.2.0/24 as an
#     NHRP route (distance 10) installed in the FIB via 10.0.0.12 on dmvpn0
#     (and the kernel has it from zebra, proto nhrp); the hub's zebra has
#     both spokes' /32 host routes as NHRP routes.
#  2. SIGSTOP spoke2: hub1's zebra loses 10.0.0.12/32 within KA_MAX_MS
#     (default 1600 ms: keepalives declare the peer dead after 3-4 intervals,
#     then one ZAPI delete); the measured time is printed.
#  3. SIGCONT spoke2, shortcut again; kill zebra on spoke1 (SIGKILL) and
#     start it again: dmvpnd reconnects and replays, the shortcut route is
#     back in the new zebra (frr.disconnects, frr.replays counted).
#  4. Clean dmvpnd shutdown on hub1: its NHRP routes leave zebra.
#  5. Teardown: no namespace, process or mount of the lab is left.
. "$(dirname "$0")/lib.sh"
ZEBRA=${DMVPN_LAB_ZEBRA:-/usr/lib/frr/zebra}
[ -x "$ZEBRA" ] || skip "needs FRR ($ZEBRA missing: Debian package frr, see .ci/packages)"
setup vtysh unshare
P=$DMVPN_LAB_PREFIX
NODES="hub1 spoke1 spoke2"
cont_all() { for n in $NODES; do kill -CONT "$(lab pid $n 2>/dev/null)" 2>/dev/null; done; }
trap 'rc=$?; cont_all; (exit $rc); on_exit' EXIT
export DMVPN_LAB_KEEPALIVE="0.3 3"
KA_MAX_MS=${KA_MAX_MS:-1600}
now_ms() { date +%s%3N; }

# nhrp_routes NODE: zebra's `show ip route nhrp json`
nhrp_routes() { lab vtysh "$1" -c 'show ip route nhrp json' 2>/dev/null; }
# zroute NODE PREFIX [VIA]: zebra has PREFIX as a selected NHRP route of
# distance 10, installed in the FIB through dmvpn0 (via VIA, onlink)
zroute() {
	nhrp_routes "$1" | jq -e --arg p "$2" --arg via "${3:-}" '.[$p] // [] | any(.[];
		.protocol == "nhrp" and .selected == true and .installed == true and .distance == 10 and
		any(.nexthops[]; .fib == true and .interfaceName == "dmvpn0" and .onLink == true and
			($via == "" or .ip == $via)))' >/dev/null 2>&1
}
no_zroute() { nhrp_routes "$1" | jq -e --arg p "$2" '(.[$p] // []) | length == 0' >/dev/null 2>&1; }
no_nhrp_routes() { nhrp_routes "$1" | jq -e 'length == 0' >/dev/null 2>&1; }
kroute_nhrp() { ip -n "${P}$1" route show "$2" | grep -q "proto nhrp"; }
poll_ms() { # MAX_MS CMD...: prints ms since $T0 once CMD holds
	local max=$1 t
	shift
	while :; do
		t=$(($(now_ms) - T0))
		"$@" && { echo "$t"; return 0; }
		[ "$t" -gt "$max" ] && return 1
		sleep 0.01
	done
}

# ---- 1. routes in zebra ----------------------------------------------------
lab_up --frr --hubs 1 --spokes 2
for n in $NODES; do
	[ "$(counter "$n" frr.connects)" -ge 1 ] || fail "$n: dmvpnd did not connect to zebra (frr.connects)"
done
lab exec host1 ping -c 3 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "host1 -> host2: no reply"
bg_ping host1 10.1.2.2
wait_for 10 "spoke1 shortcut to 10.1.2.0/24" has_shortcut spoke1 10.1.2.0/24 || fail "no shortcut on spoke1"
wait_for 5 "spoke1 zebra: 10.1.2.0/24 nhrp via 10.0.0.12 in the FIB" zroute spoke1 10.1.2.0/24 10.0.0.12 ||
	{ nhrp_routes spoke1; fail "spoke1: shortcut route not in zebra"; }
kroute_nhrp spoke1 10.1.2.0/24 || fail "spoke1: kernel route 10.1.2.0/24 not installed by zebra (proto nhrp)"
for s in 11 12; do
	wait_for 5 "hub1 zebra: 10.0.0.$s/32 nhrp" zroute hub1 10.0.0.$s/32 10.0.0.$s ||
		{ nhrp_routes hub1; fail "hub1: host route 10.0.0.$s/32 not in zebra"; }
done
[ "$(counter spoke1 frr.notify_installed)" -ge 1 ] || fail "spoke1: no ROUTE_NOTIFY_OWNER installed counted"
[ "$(counter hub1 frr.notify_installed)" -ge 2 ] || fail "hub1: fewer than 2 installed notes"
[ "$(counter hub1 frr.rx_bad)" = 0 ] || fail "hub1: frr.rx_bad"
nhrp_routes hub1 | jq -c 'to_entries[] | {prefix: .key, protocol: .value[0].protocol, installed: .value[0].installed, via: .value[0].nexthops[0].ip}'

# ---- 2. a dead peer's route leaves zebra at once ------------------------------
del0=$(counter hub1 frr.tx_route_del)
stop_bg
kill -STOP "$(lab pid spoke2)"
T0=$(now_ms)
dt=$(poll_ms 5000 no_zroute hub1 10.0.0.12/32) || fail "hub1's zebra kept 10.0.0.12/32 for 5 s after spoke2 stopped"
log "spoke2 stopped -> 10.0.0.12/32 gone from hub1's zebra after ${dt} ms (bound ${KA_MAX_MS} ms)"
[ "$dt" -le "$KA_MAX_MS" ] || fail "hub1's zebra needed ${dt} ms"
! ip -n "${P}hub1" route show 10.0.0.12/32 | grep -q . || fail "hub1: kernel still routes 10.0.0.12/32"
zroute hub1 10.0.0.11/32 || fail "hub1's zebra lost spoke1's route too"
[ "$(counter hub1 frr.tx_route_del)" -gt "$del0" ] || fail "hub1: frr.tx_route_del not counted"
echo "RESULT frr_withdraw_ms=$dt" >>"${FRR_RESULTS:-/dev/null}"

# ---- 3. zebra restarts: reconnect and replay -----------------------------------
kill -CONT "$(lab pid spoke2)"
wait_for 15 "spoke2 NHS up again" all_nhs_up spoke2 || fail "spoke2 did not register again"
wait_for 10 "hub1 zebra: 10.0.0.12/32 back" zroute hub1 10.0.0.12/32 10.0.0.12 || fail "hub1: 10.0.0.12/32 not back"
bg_ping host1 10.1.2.2
wait_for 10 "spoke1 zebra: shortcut route again" zroute spoke1 10.1.2.0/24 10.0.0.12 ||
	fail "spoke1: shortcut route not back in zebra"
disc0=$(counter spoke1 frr.disconnects) rep0=$(counter spoke1 frr.replays)
lab zebra spoke1 stop KILL || fail "cannot kill zebra on spoke1"
wait_for 5 "spoke1 dmvpnd saw zebra go" eval '[ "$(counter spoke1 frr.disconnects)" -gt "$disc0" ]' ||
	fail "spoke1: frr.disconnects not counted"
T0=$(now_ms)
lab zebra spoke1 start || fail "cannot start zebra on spoke1 again"
dt_re=$(poll_ms 10000 zroute spoke1 10.1.2.0/24 10.0.0.12) || { nhrp_routes spoke1; fail "spoke1: no replay into the new zebra"; }
log "zebra started again on spoke1 -> shortcut route replayed into it ${dt_re} ms after the start command"
[ "$(counter spoke1 frr.replays)" -gt "$rep0" ] || fail "spoke1: frr.replays not counted"
lab exec host1 ping -c 3 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "host1 -> host2 after the zebra restart"
kroute_nhrp spoke1 10.1.2.0/24 || fail "spoke1: kernel route not reinstalled by the new zebra"

# ---- 4. clean shutdown withdraws our routes ------------------------------------
stop_bg
zroute hub1 10.0.0.11/32 || fail "hub1: 10.0.0.11/32 missing before the shutdown"
lab stop hub1 || fail "hub1: dmvpnd did not stop"
wait_for 2 "hub1 zebra: no nhrp routes after dmvpnd stopped" no_nhrp_routes hub1 ||
	{ nhrp_routes hub1; fail "hub1: NHRP routes left in zebra after a clean shutdown"; }

# ---- 5. teardown leaves nothing ---------------------------------------------------
pids=$(for n in $NODES; do cat "$DMVPN_LAB_STATE/$n.zebra" "$DMVPN_LAB_STATE/$n.pid" 2>/dev/null; done)
lab down >/dev/null || fail "dmvpn-lab down failed"
for p in $pids; do kill -0 "$p" 2>/dev/null && fail "pid $p (zebra or dmvpnd) survived the teardown"; done
ip netns list | grep -q "^$P" && fail "namespaces left: $(ip netns list | grep "^$P" | tr '\n' ' ')"
grep -q "lab-vartmp" /proc/mounts && fail "a lab tmpfs is still mounted on the host"
[ -e "$DMVPN_LAB_STATE" ] && fail "$DMVPN_LAB_STATE left behind"
pass
