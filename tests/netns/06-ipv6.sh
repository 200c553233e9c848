#!/usr/bin/env bash
# Scenario 6: IPv6 overlay (fd00::/64, LANs fd01:N::/64) over the IPv4 NBMA:
# registration and a shortcut.
. "$(dirname "$0")/lib.sh"
setup
lab_up --hubs 1 --spokes 2 --ipv6
lab exec spoke1 dmvpnctl show nhrp nhs
for s in 1 2; do
	jq_true "spoke$s" 'any(.nhs[]; .tunnel == "fd00::1" and .state == "up")' show nhrp nhs || fail "spoke$s: IPv6 NHS fd00::1 not up"
	jq_true hub1 "any(.entries[]; (.protocol | split(\"/\")[0]) == \"fd00::$((10 + s))\" and .type == \"dynamic\")" show nhrp cache ||
		fail "hub1: no dynamic IPv6 peer fd00::$((10 + s))"
done
lab exec host1 ping -6 -c 3 -i 0.2 -W 2 fd01:2::2 || fail "host1 -> host2 over IPv6: no reply"
bg_ping host1 fd01:2::2
wait_for 15 "spoke1 IPv6 shortcut to fd01:2::/64" has_shortcut spoke1 fd01:2::/64 || fail "spoke1: no IPv6 shortcut"
wait_for 15 "spoke2 IPv6 shortcut to fd01:1::/64" has_shortcut spoke2 fd01:1::/64 || fail "spoke2: no IPv6 shortcut"
stop_bg
lab exec spoke1 dmvpnctl show nhrp shortcut
R=overlay.dmvpn0.relayed
sleep 0.5
r0=$(counter hub1 $R)
lab exec host1 ping -6 -c 10 -i 0.1 -W 2 fd01:2::2 >/dev/null || fail "IPv6 pings over the shortcut lost"
r1=$(counter hub1 $R)
[ "$r0" = "$r1" ] || fail "hub still relays IPv6 traffic ($R $r0 -> $r1)"
pass
