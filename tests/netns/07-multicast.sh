#!/usr/bin/env bash
# Scenario 7: multicast (as OSPF uses it) over the overlay. The hub
# (`map multicast dynamic`) replicates to every registered spoke; a spoke
# (`map multicast nhs`) replicates to its NHS. A UDP sender to 224.0.0.9 (TTL 1)
# on one side, receivers joined on dmvpn0 on the other.
. "$(dirname "$0")/lib.sh"
setup python3
lab_up --hubs 1 --spokes 3
M="$NETNS_DIR/mcast.py" G=224.0.0.9 P=5520
for n in hub1 spoke1 spoke2 spoke3; do
	ip netns exec "${DMVPN_LAB_PREFIX}$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.dmvpn0.rp_filter=0
done
tmpdir
# hub -> all spokes
for s in 1 2 3; do
	lab exec "spoke$s" python3 "$M" recv $G $P "10.0.0.$((10 + s))" 6 >"$TMPD/spoke$s.out" 2>&1 &
	BG_PIDS+=("$!")
done
sleep 0.5
m0=$(counter hub1 overlay.dmvpn0.mcast_tx)
lab exec hub1 python3 "$M" send $G $P 10.0.0.1 10 "hello-from-hub1" || fail "hub1: sender failed"
ok=1
for s in 1 2 3; do
	wait "${BG_PIDS[$((s - 1))]}" && log "spoke$s: $(cat "$TMPD/spoke$s.out")" || { log "spoke$s: $(cat "$TMPD/spoke$s.out")"; ok=0; }
done
BG_PIDS=()
m1=$(counter hub1 overlay.dmvpn0.mcast_tx)
log "hub1 overlay.dmvpn0.mcast_tx: $m0 -> $m1"
[ "$ok" = 1 ] || fail "multicast from the hub did not reach every spoke"
# spoke -> hub (its NHS)
lab exec hub1 python3 "$M" recv $G $P 10.0.0.1 6 >"$TMPD/hub1.out" 2>&1 &
BG_PIDS+=("$!")
sleep 0.5
lab exec spoke2 python3 "$M" send $G $P 10.0.0.12 10 "hello-from-spoke2" || fail "spoke2: sender failed"
wait "${BG_PIDS[0]}" || fail "multicast from spoke2 did not reach the hub: $(cat "$TMPD/hub1.out")"
BG_PIDS=()
log "hub1: $(cat "$TMPD/hub1.out")"
pass
