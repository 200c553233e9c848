#!/usr/bin/env bash
# Scenario 2: host1 -> host2. The first packets cross the hub, the hub sends a
# Traffic Indication, shortcuts form in both directions, and then the hub's
# relayed-packet counter stops growing while the pings go on.
. "$(dirname "$0")/lib.sh"
setup
lab_up --hubs 1 --spokes 3
R=overlay.dmvpn0.relayed
TI=nhrp.dmvpn0.traffic_ind_tx
r0=$(counter hub1 $R)
t0=$(counter hub1 $TI)
log "hub1 before: $R=$r0 $TI=$t0"
lab exec host1 ping -c 3 -i 0.2 -W 2 10.1.2.2 || fail "host1 -> host2: no reply"
r1=$(counter hub1 $R)
t1=$(counter hub1 $TI)
log "hub1 after 3 pings: $R=$r1 $TI=$t1"
[ "$r1" -gt "$r0" ] || fail "the first packets did not cross the hub ($R $r0 -> $r1)"
[ "$t1" -gt "$t0" ] || fail "hub sent no Traffic Indication ($TI $t0 -> $t1)"
wait_for 10 "spoke1 shortcut to 10.1.2.0/24" has_shortcut spoke1 10.1.2.0/24 || fail "no shortcut on spoke1"
lab exec host1 ping -c 2 -i 0.2 -W 2 10.1.2.2 >/dev/null
wait_for 10 "spoke2 shortcut to 10.1.1.0/24" has_shortcut spoke2 10.1.1.0/24 || fail "no shortcut on spoke2"
log "spoke1 show nhrp shortcut:"; lab exec spoke1 dmvpnctl show nhrp shortcut
log "spoke2 show nhrp shortcut:"; lab exec spoke2 dmvpnctl show nhrp shortcut
jq_true spoke1 'any(.shortcuts[]; .prefix == "10.1.2.0/24" and .nbma == "198.18.0.12")' show nhrp shortcut ||
	fail "spoke1 shortcut does not point at spoke2's NBMA"
jq_true spoke1 'any(.interfaces[].peers[]; .type == "shortcut" and .nbma == "198.18.0.12")' show dmvpn ||
	fail "spoke1 show dmvpn has no shortcut peer 198.18.0.12"
# settle, then the hub must not relay any more while 20 pings go on
sleep 0.5
r2=$(counter hub1 $R)
lab exec host1 ping -c 20 -i 0.05 -W 2 10.1.2.2 >/dev/null || fail "pings over the shortcut lost"
r3=$(counter hub1 $R)
log "hub1 $R during 20 pings over the shortcut: $r2 -> $r3"
[ "$r3" = "$r2" ] || fail "hub still relaying after the shortcut formed ($R $r2 -> $r3)"
pass
