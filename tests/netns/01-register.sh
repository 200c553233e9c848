#!/usr/bin/env bash
# Scenario 1: 1 hub + 3 spokes; every spoke has all its NHS up and the hub
# lists the 3 spokes as dynamic peers (show dmvpn --json).
. "$(dirname "$0")/lib.sh"
setup
lab_up --hubs 1 --spokes 3
for s in 1 2 3; do
	all_nhs_up "spoke$s" || fail "spoke$s: not every NHS up"
done
log "hub1 show dmvpn:"
lab exec hub1 dmvpnctl show dmvpn
for s in 1 2 3; do
	jq_true hub1 "[.interfaces[].peers[] | select(.type == \"dynamic\" and .state == \"up\" and .tunnel == \"10.0.0.$((10 + s))\" and .nbma == \"198.18.0.$((10 + s))\")] | length == 1" show dmvpn ||
		fail "hub1: no single dynamic up peer 10.0.0.$((10 + s)) at 198.18.0.$((10 + s))"
done
jq_true hub1 '[.interfaces[] | select(.role == "hub") | .peers[] | select(.type == "dynamic")] | length == 3' show dmvpn ||
	fail "hub1: not exactly 3 dynamic peers"
jq_true spoke1 'any(.interfaces[]; .role == "spoke")' show dmvpn || fail "spoke1: role is not spoke"
# SPEC ("Routes"): every live peer's overlay address gets a host route on the
# hub (its own address is a /32), so the hub reaches each spoke's tunnel address.
for s in 1 2 3; do
	r=$(ip -n "${DMVPN_LAB_PREFIX}hub1" route show "10.0.0.$((10 + s))/32" proto 77)
	[ -n "$r" ] || fail "hub1 has no proto 77 host route for peer 10.0.0.$((10 + s))"
	lab exec hub1 ping -c 2 -i 0.2 -W 2 "10.0.0.$((10 + s))" >/dev/null ||
		fail "hub1 cannot ping spoke tunnel address 10.0.0.$((10 + s))"
done
pass
