#!/usr/bin/env bash
# Scenario 5: spoke3 sits behind a NAT namespace (nftables masquerade from
# 198.19.3.0/24 to 198.18.0.103): it registers, the hub knows it at its
# post-NAT NBMA address, and shortcuts form both ways with spoke1.
. "$(dirname "$0")/lib.sh"
setup nft
lab_up --hubs 1 --spokes 3 --nat
lab exec hub1 dmvpnctl show dmvpn
jq_true hub1 'any(.interfaces[].peers[]; .tunnel == "10.0.0.13" and .nbma == "198.18.0.103" and .state == "up")' show dmvpn ||
	fail "hub1 does not know spoke3 at its post-NAT NBMA 198.18.0.103"
bg_ping host1 10.1.3.2
wait_for 15 "spoke1 shortcut to 10.1.3.0/24 via the NAT address" \
	jq_true spoke1 'any(.shortcuts[]; .prefix == "10.1.3.0/24" and .nbma == "198.18.0.103")' show nhrp shortcut ||
	fail "spoke1: no shortcut to 10.1.3.0/24 at 198.18.0.103"
wait_for 15 "spoke3 shortcut to 10.1.1.0/24" has_shortcut spoke3 10.1.1.0/24 || fail "spoke3: no shortcut to 10.1.1.0/24"
stop_bg
lab exec spoke1 dmvpnctl show nhrp shortcut
lab exec spoke3 dmvpnctl show nhrp shortcut
R=overlay.dmvpn0.relayed
sleep 0.5
r0=$(counter hub1 $R)
lab exec host1 ping -c 10 -i 0.1 -W 2 10.1.3.2 >/dev/null || fail "pings host1 -> host3 over the shortcut lost"
lab exec host3 ping -c 10 -i 0.1 -W 2 10.1.1.2 >/dev/null || fail "pings host3 -> host1 over the shortcut lost"
r1=$(counter hub1 $R)
log "hub1 $R while pinging over the NAT shortcut: $r0 -> $r1"
[ "$r0" = "$r1" ] || fail "hub still relays spoke1 <-> spoke3 traffic"
pass
