#!/usr/bin/env bash
# Scenario 12: registration hijack under tunnel protection. spoke3 holds a
# valid identity (spoke3.lab, authorized for 10.0.0.13 only) and tries to
# register spoke1's address 10.0.0.11: the hub refuses (NHRP code 4,
# administratively prohibited), counts it, and spoke1's binding stays.
. "$(dirname "$0")/lib.sh"
setup
lab_up --hubs 1 --spokes 3 --ipsec
binding() { # the hub's NBMA for 10.0.0.11
	ctl_json hub1 show nhrp cache | jq -r '.entries[] | select(.protocol == "10.0.0.11" and .type == "dynamic") | .nbma'
}
b0=$(binding)
[ "$b0" = 198.18.0.11 ] || fail "hub1: 10.0.0.11 not bound to spoke1 before the attempt ($b0)"
R=nhrp.dmvpn0.reg_refused_identity
r0=$(counter hub1 $R)
log "spoke3 restarts claiming 10.0.0.11 (its identity spoke3.lab may hold 10.0.0.13 only)"
lab stop spoke3 TERM || fail "spoke3 did not stop"
conf="$DMVPN_LAB_STATE/spoke3.conf"
sed -i 's#^ ip address 10.0.0.13/32# ip address 10.0.0.11/32#' "$conf"
grep -q '^ ip address 10.0.0.11/32' "$conf" || fail "could not rewrite spoke3's address"
lab start spoke3 || fail "spoke3 did not start again"
refused() { [ "$(counter hub1 $R)" -gt "$r0" ]; }
wait_for 20 "hub1 refused the registration ($R)" refused || fail "$R did not increment"
r1=$(counter hub1 $R)
log "hub1 $R: $r0 -> $r1"
# spoke3 got the refusal: its NHS is not up
sleep 1
jq_true spoke3 'all(.nhs[]; .state != "up")' show nhrp nhs || fail "spoke3's NHS is up despite the refusal"
lab exec spoke3 dmvpnctl show counters --json | jq -r '(.data // .).counters | to_entries[] |
	select(.key | test("reg_nak_rx|ipsec.child_up")) | "  spoke3 \(.key)=\(.value)"'
# the victim's binding is intact and spoke1 still reachable through the hub
b1=$(binding)
[ "$b1" = 198.18.0.11 ] || fail "hub1: 10.0.0.11 now bound to $b1"
jq_true hub1 'any(.interfaces[].peers[]; .tunnel == "10.0.0.11" and .nbma == "198.18.0.11" and .state == "up")' show dmvpn ||
	fail "hub1: spoke1's peer not up"
lab exec host2 ping -c 3 -i 0.2 -W 2 10.1.1.2 >/dev/null || fail "host2 -> host1 after the attempt: no reply"
# the attempt went over an authenticated SA (the identity was checked, not the SA refused)
jq_true hub1 'any(.sas[]; .remote == "198.18.0.13" and .remote_id == "spoke3.lab" and .state == "established")' show ikev2 sa ||
	fail "hub1: no established SA with spoke3.lab"
pass
