#!/bin/sh
# Data plane end to end (root only; exit 77 otherwise): a hub and a spoke
# dmvpnd in two network namespaces joined by a veth. Checks that the spoke
# registers (NHS up on the spoke, one dynamic peer up on the hub), that a
# ping crosses the overlay in both directions (hub -> an address behind the
# spoke, via the lab's route model), that `show` JSON has the SPEC fields,
# and that SIGTERM exits 0 and leaves no TAP and no route of protocol 77.
set -u
if [ "$(id -u)" != 0 ]; then
	echo "dp_netns: needs root (network namespaces, TAP): skipped"
	exit 77
fi
for t in ip python3; do
	command -v $t >/dev/null 2>&1 || { echo "dp_netns: no $t: skipped"; exit 77; }
done
B=${DMVPND:-./dmvpnd}
C=${DMVPNCTL:-./cli/dmvpnctl}
[ -x "$C" ] || C=./dmvpnctl
[ -x "$B" ] && [ -x "$C" ] || { echo "dp_netns: run from the build directory"; exit 99; }
H=dp-t$$-hub
S=dp-t$$-spk
D=$(mktemp -d /tmp/dp-test.XXXXXX)
HP= SP=
fail() { echo "FAIL: $*"; echo "--- hub log"; cat $D/hub.log; echo "--- spoke log"; cat $D/spk.log; exit 1; }
cleanup() {
	[ -n "$HP" ] && kill $HP 2>/dev/null
	[ -n "$SP" ] && kill $SP 2>/dev/null
	sleep 0.3
	ip netns del $H 2>/dev/null
	ip netns del $S 2>/dev/null
	rm -rf $D
}
trap cleanup EXIT INT TERM
ip netns add $H && ip netns add $S || exit 99
ip -n $H link add eth0 type veth peer name eth0 netns $S || exit 99
ip -n $H addr add 198.18.0.1/24 dev eth0
ip -n $S addr add 198.18.0.11/24 dev eth0
for n in $H $S; do ip -n $n link set lo up; ip -n $n link set eth0 up; done
ip -n $S addr add 10.1.1.1/32 dev lo
cat > $D/hub.conf <<E
hostname hub
interface dmvpn0
 ip address 10.0.0.1/32
 tunnel source 198.18.0.1
 tunnel key 42
 ip nhrp network-id 1
 ip nhrp holdtime 60
 ip nhrp map multicast dynamic
 ip nhrp redirect
E
cat > $D/spk.conf <<E
hostname spoke1
interface dmvpn0
 ip address 10.0.0.11/32
 tunnel source 198.18.0.11
 tunnel key 42
 ip nhrp network-id 1
 ip nhrp holdtime 60
 ip nhrp nhs 10.0.0.1 nbma 198.18.0.1 priority 1
 ip nhrp map multicast nhs
 ip nhrp shortcut
E
ip netns exec $H $B -f $D/hub.conf -N $H >$D/hub.log 2>&1 &
HP=$!
ip netns exec $S $B -f $D/spk.conf -N $S >$D/spk.log 2>&1 &
SP=$!

json() { # NS FIELD-EXPR COMMAND...: prints python expression over the data
	ns=$1; expr=$2; shift 2
	ip netns exec $ns $C -N $ns "$@" --json 2>/dev/null |
		python3 -c "import json,sys; d=json.load(sys.stdin); d=d.get('data', d); print($expr)" 2>/dev/null
}
i=0
while [ "$(json $S "d['nhs'][0]['state']" show nhrp nhs)" != up ]; do
	i=$((i + 1)); [ $i -gt 50 ] && fail "spoke did not register"
	sleep 0.2
done
echo "ok: spoke NHS up"
[ "$(json $H "[(p['type'],p['state'],p['tunnel'],p['nbma']) for p in d['interfaces'][0]['peers']]" show dmvpn)" = \
  "[('dynamic', 'up', '10.0.0.11', '198.18.0.11')]" ] || fail "hub peers"
[ "$(json $H "d['interfaces'][0]['role']" show dmvpn)" = hub ] || fail "hub role"
[ "$(json $S "sorted(d['interfaces'][0]['peers'][0].keys())" show dmvpn)" = \
  "['ike', 'keepalive_rtt_ms', 'nbma', 'state', 'tunnel', 'type', 'uptime_s']" ] || fail "peer fields"
[ "$(json $H "sorted(d['entries'][0].keys())" show nhrp cache)" = \
  "['expires_s', 'flags', 'interface', 'nbma', 'prefix_len', 'protocol', 'type']" ] || fail "cache fields"
echo "ok: show JSON"

# the lab's route model
ip -n $S route add 10.0.0.0/24 via 10.0.0.1 dev dmvpn0 onlink || fail "spoke route"
ip -n $H route add 10.1.1.0/24 via 10.0.0.11 dev dmvpn0 onlink || fail "hub route"
ip netns exec $H ping -c 3 -i 0.2 -W 2 10.1.1.1 >/dev/null || fail "ping hub -> 10.1.1.1 over the overlay"
echo "ok: ping over the overlay"
ip -n $H neigh show dev dmvpn0 | grep -q "10.0.0.11 lladdr 02:d7:" || fail "hub neighbour is not a peer MAC"
echo "ok: hub's neighbour 10.0.0.11 has a peer MAC"
v=$(ip netns exec $H $C -N $H show counters --json | python3 -c \
	"import json,sys; c=json.load(sys.stdin); c=c.get('data', c)['counters']; print(c['overlay.dmvpn0.gre_tx'] > 0 and c['overlay.dmvpn0.arp_answered'] > 0)")
[ "$v" = True ] || fail "hub counters"

# clean exit
kill -TERM $SP; wait $SP; rc=$?; SP=
[ $rc = 0 ] || fail "spoke exit status $rc"
ip -n $S link show dmvpn0 >/dev/null 2>&1 && fail "spoke TAP left behind"
kill -TERM $HP; wait $HP; rc=$?; HP=
[ $rc = 0 ] || fail "hub exit status $rc"
[ -z "$(ip -n $H route show proto 77)" ] || fail "routes of protocol 77 left on the hub"
ip -n $H link show dmvpn0 >/dev/null 2>&1 && fail "hub TAP left behind"
grep -q "deregistered" $D/hub.log || fail "hub did not see the deregistration"
echo "ok: SIGTERM: exit 0, deregistered, TAP and routes gone"
if grep -E "runtime error|AddressSanitizer|LeakSanitizer" $D/hub.log $D/spk.log; then
	fail "sanitizer report"
fi
exit 0
