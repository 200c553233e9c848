#!/usr/bin/env bash
# Scenario 14: per-peer GRE keepalives, `keepalive 0.3 3` on every node.
#  1. hub + 2 spokes: keepalive RTTs shown on both sides (NHS, dynamic and
#     shortcut peers). SIGSTOP spoke2: the hub declares it dead between 3 and
#     4 intervals after the stop (bounds KA_MIN_MS..KA_MAX_MS, default
#     850..1500 ms): host route withdrawn, NHRP entry gone, a "keepalive"
#     event, ka_dead counted; spoke1 drops its shortcut to spoke2 as fast.
#     SIGCONT: spoke2's own keepalives are no longer answered by the hub, so
#     it registers again and comes back.
#  2. two hubs (NHS priorities 1 and 2), no shortcuts, 3 spokes: host1 pings
#     host3 every 20 ms through hub1; SIGSTOP hub1: spoke1 and spoke3 declare
#     their NHS hub1 dead within ~1 s and the traffic routed to it goes to
#     hub2. Prints the detection time and the measured outage.
# IPSEC=1 (or 15-keepalive-ipsec.sh): the same inside tunnel protection.
. "$(dirname "$0")/lib.sh"
setup
P=$DMVPN_LAB_PREFIX
NODES="hub1 hub2 spoke1 spoke2 spoke3"
cont_all() { for n in $NODES; do kill -CONT "$(lab pid $n 2>/dev/null)" 2>/dev/null; done; }
trap 'rc=$?; cont_all; (exit $rc); on_exit' EXIT
export DMVPN_LAB_KEEPALIVE="0.3 3"
KA_MIN_MS=${KA_MIN_MS:-850}
KA_MAX_MS=${KA_MAX_MS:-1500}
MODE=cleartext
[ "${IPSEC:-0}" = 1 ] && MODE=ipsec
tmpdir
now_ms() { date +%s%3N; }

# poll_ms MAX_MS CMD...: polls CMD every 10 ms; prints the elapsed ms since
# $T0 when it holds, fails after MAX_MS
poll_ms() {
	local max=$1 t
	shift
	while :; do
		t=$(($(now_ms) - T0))
		"$@" && { echo "$t"; return 0; }
		[ "$t" -gt "$max" ] && return 1
		sleep 0.01
	done
}
rtt_of() { # NODE NBMA -> keepalive_rtt_ms or null
	ctl_json "$1" show dmvpn | jq -r --arg n "$2" '[.interfaces[].peers[] | select(.nbma == $n)][0].keepalive_rtt_ms'
}
has_rtt() { local r; r=$(rtt_of "$1" "$2"); [ -n "$r" ] && [ "$r" != null ]; }
peer_up() { jq_true "$1" "any(.interfaces[].peers[]; .nbma == \"$2\" and .state == \"up\")" show dmvpn; }
route_gone() { ! ip -n "${P}$1" route show "$2" | grep -q .; }
nhs_state() { # NODE NBMA STATE
	jq_true "$1" "any(.nhs[]; .nbma == \"$2\" and .state == \"$3\")" show nhrp nhs
}
nhs_not_up() { ! nhs_state "$1" "$2" up; }

# ---- 1. one hub, two spokes -------------------------------------------------
lab_up --hubs 1 --spokes 2
lab exec host1 ping -c 3 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "host1 -> host2: no reply"
wait_for 10 "spoke1 shortcut to 10.1.2.0/24" has_shortcut spoke1 10.1.2.0/24 || fail "no shortcut on spoke1"
for pair in "hub1 198.18.0.11" "hub1 198.18.0.12" "spoke1 198.18.0.1" "spoke2 198.18.0.1" \
	"spoke1 198.18.0.12" "spoke2 198.18.0.11"; do
	# shellcheck disable=SC2086
	wait_for 5 "keepalive RTT on $pair" has_rtt $pair || fail "no keepalive_rtt_ms on $pair"
	# shellcheck disable=SC2086
	log "  keepalive_rtt_ms $pair: $(rtt_of $pair)"
done
ctl_json hub1 show dmvpn | jq -c '.interfaces[].peers[] | {nbma, type, state, keepalive_rtt_ms, keepalive}'
jq_true hub1 'all(.interfaces[].peers[]; .keepalive.misses <= 1)' show dmvpn || fail "hub1: misses > 1 with live peers"
tx0=$(counter hub1 overlay.dmvpn0.ka_tx)
[ "$tx0" -gt 0 ] || fail "hub1 sent no keepalives (ka_tx)"
[ "$(counter spoke2 overlay.dmvpn0.ka_reflected)" -gt 0 ] || fail "spoke2 reflected nothing"
dead0=$(counter hub1 overlay.dmvpn0.ka_dead)

"$LAB" exec hub1 dmvpnctl monitor --json >"$TMPD/events" 2>/dev/null &
BG_PIDS+=("$!")
sleep 0.5
kill -STOP "$(lab pid spoke2)"
T0=$(now_ms)
dt_hub=$(poll_ms 5000 route_gone hub1 10.0.0.12) || fail "hub1 kept its host route to spoke2 for 5 s"
dt_sc=$(poll_ms 5000 no_shortcut spoke1 10.1.2.0/24) || fail "spoke1 kept its shortcut to spoke2 for 5 s"
log "[$MODE] spoke2 stopped -> hub1 withdrew 10.0.0.12 after ${dt_hub} ms; spoke1 dropped its shortcut after ${dt_sc} ms (bounds ${KA_MIN_MS}..${KA_MAX_MS} ms)"
[ "$dt_hub" -ge "$KA_MIN_MS" ] || fail "hub1 declared spoke2 dead after only ${dt_hub} ms"
[ "$dt_hub" -le "$KA_MAX_MS" ] || fail "hub1 needed ${dt_hub} ms to declare spoke2 dead"
[ "$dt_sc" -le $((KA_MAX_MS + 200)) ] || fail "spoke1 needed ${dt_sc} ms to drop the shortcut"
jq_true hub1 'all(.entries[]; .protocol != "10.0.0.12")' show nhrp cache || fail "hub1 still has an NHRP entry for spoke2"
jq_true hub1 'all(.interfaces[].peers[]; .nbma != "198.18.0.12" or .state != "up")' show dmvpn ||
	fail "hub1 still shows spoke2 up"
peer_up hub1 198.18.0.11 || fail "hub1 lost spoke1 too"
[ "$(counter hub1 overlay.dmvpn0.ka_dead)" -gt "$dead0" ] || fail "overlay.dmvpn0.ka_dead not counted on hub1"
sleep 0.2
grep -q '"event":"keepalive"' "$TMPD/events" || { cat "$TMPD/events"; fail "no keepalive event on hub1"; }
grep '"event":"keepalive"' "$TMPD/events" | head -1
grep -q '"reason":"keepalive: 3 missed"' "$TMPD/events" || fail "keepalive event without the reason"

kill -CONT "$(lab pid spoke2)"
T0=$(now_ms)
dt_back=$(poll_ms 15000 peer_up hub1 198.18.0.12) || fail "spoke2 did not come back on hub1 within 15 s of SIGCONT"
log "[$MODE] spoke2 continued -> registered with hub1 again after ${dt_back} ms"
wait_for 10 "spoke2 NHS up" all_nhs_up spoke2 || fail "spoke2 NHS not up"
wait_for 5 "hub1 RTT to spoke2 again" has_rtt hub1 198.18.0.12 || fail "no RTT to spoke2 after its return"
lab exec host1 ping -c 3 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "host1 -> host2 after spoke2's return"
"$LAB" down >/dev/null

# ---- 2. two hubs: hub failover ------------------------------------------------
DMVPN_LAB_SHORTCUT=0 lab_up --hubs 2 --spokes 3
for s in spoke1 spoke3; do
	for h in 198.18.0.1 198.18.0.2; do
		wait_for 5 "$s keepalive RTT to $h" has_rtt $s $h || fail "$s: no RTT to $h"
	done
done
lab exec host1 ping -c 3 -i 0.2 -W 2 10.1.3.2 >/dev/null || fail "host1 -> host3: no reply"
R=overlay.dmvpn0.relayed
r1a=$(counter hub1 $R) r2a=$(counter hub2 $R)
# 20 ms pings for 6 s; replies carry timestamps (-D) to find the outage
"$LAB" exec host1 ping -D -i 0.02 -c 300 -W 1 10.1.3.2 >"$TMPD/ping" 2>&1 &
PING=$!
sleep 1.5
kill -STOP "$(lab pid hub1)"
T0=$(now_ms)
dt_s1=$(poll_ms 5000 nhs_not_up spoke1 198.18.0.1) || fail "spoke1: NHS hub1 still up after 5 s"
dt_s3=$(poll_ms 5000 nhs_not_up spoke3 198.18.0.1) || fail "spoke3: NHS hub1 still up after 5 s"
log "[$MODE] hub1 stopped -> NHS hub1 down on spoke1 after ${dt_s1} ms, on spoke3 after ${dt_s3} ms"
[ "$dt_s1" -le "$KA_MAX_MS" ] || fail "spoke1 needed ${dt_s1} ms"
nhs_state spoke1 198.18.0.2 up || fail "spoke1: NHS hub2 not up"
wait "$PING"
tail -3 "$TMPD/ping"
# the longest gap between two replies, minus the 20 ms interval
outage=$(awk -F'[][]' '/bytes from/ { t = $2 * 1000; if (last && t - last > gap) gap = t - last; last = t }
	END { printf "%d", gap - 20 }' "$TMPD/ping")
rx=$(grep -c 'bytes from' "$TMPD/ping")
log "[$MODE] host1 -> host3 during the failover: $rx/300 replies, outage ${outage} ms"
r2b=$(counter hub2 $R) # (hub1 is stopped: it cannot answer)
log "relayed before the stop: hub1 $r1a, hub2 $r2a; after: hub2 $r2b"
[ "$r2b" -gt $((r2a + 50)) ] || fail "traffic did not move to hub2 ($R $r2a -> $r2b)"
[ "$outage" -le 2000 ] || fail "outage ${outage} ms"
[ "$(counter spoke1 overlay.dmvpn0.nhs_fallback)" -gt 0 ] || fail "spoke1 counted no nhs_fallback"
lab exec host1 ping -c 3 -i 0.2 -W 2 10.1.3.2 >/dev/null || fail "host1 -> host3 through hub2"
echo "RESULT mode=$MODE detect_hub_ms=$dt_hub shortcut_ms=$dt_sc rejoin_ms=$dt_back nhs_down_ms=$dt_s1/$dt_s3 outage_ms=$outage" >>"${KA_RESULTS:-/dev/null}"

kill -CONT "$(lab pid hub1)"
wait_for 30 "spoke1 registered with hub1 again" nhs_state spoke1 198.18.0.1 up || fail "spoke1 did not return to hub1"
wait_for 30 "spoke3 registered with hub1 again" nhs_state spoke3 198.18.0.1 up || fail "spoke3 did not return to hub1"
lab exec host1 ping -c 3 -i 0.2 -W 2 10.1.3.2 >/dev/null || fail "host1 -> host3 after hub1's return"
pass
