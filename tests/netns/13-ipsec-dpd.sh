#!/usr/bin/env bash
# Scenario 13: dead peer detection. Profile `dpd 1 0.5 periodic retries 2`:
# SIGSTOP a spoke; the hub declares it dead within interval + retries x retry
# (2 s, +-10 % and the 0.1 s polling) of its last packet: SAs removed, peer
# removed from `show dmvpn`, routes withdrawn, an "ike" event "dead". Then
# the same with the hub stopped, seen from a spoke.
. "$(dirname "$0")/lib.sh"
setup
# a stopped daemon would make the teardown wait: continue them first
cont_all() { for n in hub1 spoke1 spoke2; do kill -CONT "$(lab pid $n 2>/dev/null)" 2>/dev/null; done; }
trap 'rc=$?; cont_all; (exit $rc); on_exit' EXIT
export DMVPN_LAB_DPD="1 0.5 periodic retries 2"
lab_up --hubs 1 --spokes 2 --ipsec
BOUND=2.0
jq_true hub1 'any(.sas[]; .remote == "198.18.0.12" and .dpd.interval_s == 1 and .dpd.mode == "periodic")' show ikev2 sa ||
	fail "hub1: SA with spoke2 does not show dpd 1 s periodic"
tmpdir
"$LAB" exec hub1 dmvpnctl monitor --json >"$TMPD/events" 2>/dev/null &
BG_PIDS+=("$!")
sleep 0.5
now_ms() { date +%s%3N; }
gone() { ! jq_true hub1 'any(.interfaces[].peers[]; .nbma == "198.18.0.12")' show dmvpn; }
kill -STOP "$(lab pid spoke2)"
t0=$(now_ms)
wait_for 10 "hub1 removed spoke2 from show dmvpn" gone || fail "hub1 still shows spoke2"
dt=$(($(now_ms) - t0))
log "spoke2 stopped -> removed on hub1 after ${dt} ms (bound ${BOUND} s +-10 %)"
# the hub's last packet from spoke2 was up to 1 s (the probe interval) before the stop
[ "$dt" -le 2350 ] || fail "declared dead after ${dt} ms, beyond $BOUND s + 10 % + 0.15 s polling"
[ "$dt" -ge 900 ] || fail "declared dead after only ${dt} ms"
jq_true hub1 'all(.sas[]; .remote != "198.18.0.12" or .state != "established")' show ikev2 sa ||
	fail "hub1 still has an established SA with spoke2"
ip -n "${DMVPN_LAB_PREFIX}hub1" route show 10.0.0.12 | grep -q . && fail "hub1 kept its route to 10.0.0.12"
[ "$(counter hub1 ipsec.peer_dead)" -ge 1 ] || fail "ipsec.peer_dead not counted"
grep -q '"state":"dead"' "$TMPD/events" || { cat "$TMPD/events"; fail "no ike dead event"; }
jq_true hub1 'any(.interfaces[].peers[]; .nbma == "198.18.0.11" and .state == "up")' show dmvpn ||
	fail "hub1 lost spoke1 too"
kill -CONT "$(lab pid spoke2)"
wait_for 20 "spoke2 back" all_nhs_up spoke2 || fail "spoke2 did not come back after SIGCONT"

# the other direction: the hub stops, spoke1 declares it dead
kill -STOP "$(lab pid hub1)"
t0=$(now_ms)
nhs_down() { jq_true spoke1 'all(.nhs[]; .state != "up")' show nhrp nhs; }
wait_for 10 "spoke1: hub dead (NHS down)" nhs_down || fail "spoke1 still has its NHS up"
dt=$(($(now_ms) - t0))
log "hub1 stopped -> spoke1 NHS down after ${dt} ms"
[ "$dt" -le 2350 ] || fail "spoke1 declared the hub dead after ${dt} ms"
jq_true spoke1 'all(.sas[]; .remote != "198.18.0.1" or .state != "established")' show ikev2 sa ||
	fail "spoke1 still has an established SA with the hub"
kill -CONT "$(lab pid hub1)"
wait_for 30 "spoke1 registered again" all_nhs_up spoke1 || fail "spoke1 did not register again"
pass
