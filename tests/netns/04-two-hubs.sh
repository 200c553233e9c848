#!/usr/bin/env bash
# Scenario 4: two hubs with priorities (hub1 priority 1 preferred, hub2
# priority 2): every spoke registers with both; spoke-to-spoke traffic and the
# resolution go through the preferred hub only.
. "$(dirname "$0")/lib.sh"
setup
lab_up --hubs 2 --spokes 2
for s in 1 2; do
	jq_true "spoke$s" '[.nhs[] | select(.state == "up")] | length == 2' show nhrp nhs || fail "spoke$s: not both NHS up"
	jq_true "spoke$s" 'any(.nhs[]; .tunnel == "10.0.0.1" and .priority == 1) and any(.nhs[]; .tunnel == "10.0.0.2" and .priority == 2)' show nhrp nhs ||
		fail "spoke$s: NHS priorities not as configured"
done
for h in 1 2; do
	jq_true "hub$h" '[.interfaces[].peers[] | select(.type == "dynamic" and .state == "up")] | length == 2' show dmvpn ||
		fail "hub$h: does not list both spokes"
done
lab exec spoke1 dmvpnctl show nhrp nhs
R=overlay.dmvpn0.relayed
a1=$(counter hub1 $R) a2=$(counter hub2 $R)
n1=$(counter hub1 nhrp.dmvpn0.res_req_rx) n2=$(counter hub2 nhrp.dmvpn0.res_req_rx)
lab exec host1 ping -c 3 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "host1 -> host2: no reply"
wait_for 10 "spoke1 shortcut to 10.1.2.0/24" has_shortcut spoke1 10.1.2.0/24 || fail "no shortcut"
b1=$(counter hub1 $R) b2=$(counter hub2 $R)
m1=$(counter hub1 nhrp.dmvpn0.res_req_rx) m2=$(counter hub2 nhrp.dmvpn0.res_req_rx)
log "relayed: hub1 $a1 -> $b1, hub2 $a2 -> $b2; resolution requests: hub1 $n1 -> $m1, hub2 $n2 -> $m2"
[ "$b1" -gt "$a1" ] || fail "the preferred hub1 relayed nothing"
[ "$b2" = "$a2" ] || fail "hub2 (priority 2) relayed traffic"
[ "$m2" = "$n2" ] || fail "hub2 (priority 2) received resolution requests"
pass
