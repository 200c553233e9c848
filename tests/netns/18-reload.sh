#!/usr/bin/env bash
# Scenario 18: reload adds, recreates and removes interfaces (SPEC: SIGHUP or
# `dmvpnctl reload` applies a changed configuration; unchanged peers stay up).
# 1 hub + 2 spokes on dmvpn0 (key 42, 10.0.0.0/24). hub1 and spoke1 get a
# second interface dmvpn1 (key 43, 10.2.0.0/24) by reload: it comes up and
# registers; each TAP has its own IPv6 link-local; a key change recreates
# it; removing it again shuts it down cleanly (TAP and its routes gone, the
# hub forgets spoke1 on dmvpn1) while dmvpn0's peers keep their uptime.
. "$(dirname "$0")/lib.sh"
setup
lab_up --hubs 1 --spokes 2
STATE=$(lab dir)
NS_HUB="${DMVPN_LAB_PREFIX}hub1"
NS_S1="${DMVPN_LAB_PREFIX}spoke1"
for s in 1 2; do
	wait_for 10 "spoke$s: NHS up" all_nhs_up "spoke$s" || fail "spoke$s: NHS not up"
done

peer_uptime() { # NODE IFACE TUNNEL -> uptime_s (empty when no such up peer)
	ctl_json "$1" show dmvpn |
		jq -r --arg i "$2" --arg t "$3" \
			'.interfaces[] | select(.name == $i) | .peers[] | select(.tunnel == $t and .state == "up") | .uptime_s'
}
ll6() { # NS IFACE -> its fe80:: address
	ip -n "$1" -6 -o addr show dev "$2" scope link | awk '{print $4}' | head -1
}
dmvpn1_conf() { # ROLE KEY
	echo "interface dmvpn1"
	if [ "$1" = hub ]; then
		echo " ip address 10.2.0.1/32"
		echo " tunnel source 198.18.0.1"
	else
		echo " ip address 10.2.0.11/32"
		echo " tunnel source $(awk '/^ tunnel source/ {print $3; exit}' "$STATE/spoke1.conf")"
	fi
	echo " tunnel key $2"
	echo " ip nhrp network-id 2"
	echo " ip nhrp holdtime 30"
	if [ "$1" = hub ]; then
		echo " ip nhrp map multicast dynamic"
	else
		echo " ip nhrp nhs 10.2.0.1 nbma 198.18.0.1"
	fi
}
reload() { # NODE -> text output of dmvpnctl reload (fails the scenario on error)
	local out
	out=$(lab exec "$1" dmvpnctl reload 2>&1) || fail "$1: reload failed: $out"
	log "$1: reload:"
	printf '%s\n' "$out" | sed 's/^/  /' >&2
	printf '%s\n' "$out"
}
spoke1_dmvpn1_up() {
	jq_true spoke1 'any(.nhs[]?; .interface == "dmvpn1" and .tunnel == "10.2.0.1" and .state == "up")' show nhrp nhs
}

sleep 3 # dmvpn0's peers have some uptime to lose
cp "$STATE/hub1.conf" "$STATE/hub1.conf.orig"
cp "$STATE/spoke1.conf" "$STATE/spoke1.conf.orig"
up0=$(peer_uptime hub1 dmvpn0 10.0.0.12)
[ -n "$up0" ] || fail "hub1: spoke2 is not an up peer on dmvpn0"
s1_up0=$(peer_uptime spoke1 dmvpn0 10.0.0.1)
[ -n "$s1_up0" ] || fail "spoke1: hub1 is not an up peer on dmvpn0"
t0=$SECONDS

# --- add dmvpn1 on the hub, then on spoke1
dmvpn1_conf hub 43 >>"$STATE/hub1.conf"
out=$(reload hub1)
grep -q "interface dmvpn1: added" <<<"$out" || fail "hub1: reload does not list dmvpn1 as added"
ip -n "$NS_HUB" link show dmvpn1 >/dev/null 2>&1 || fail "hub1: no dmvpn1 after the reload"
dmvpn1_conf spoke 43 >>"$STATE/spoke1.conf"
out=$(reload spoke1)
grep -q "interface dmvpn1: added" <<<"$out" || fail "spoke1: reload does not list dmvpn1 as added"
grep -q "dmvpn0" <<<"$out" && fail "spoke1: reload touched dmvpn0: $out"
wait_for 10 "spoke1: dmvpn1 registered with 10.2.0.1" spoke1_dmvpn1_up || fail "spoke1: dmvpn1 did not register"
lab exec spoke1 dmvpnctl show nhrp nhs >&2
# (the lab routes the overlay prefix itself; do the same for 10.2.0.0/24)
ip -n "$NS_S1" route add 10.2.0.0/24 via 10.2.0.1 dev dmvpn1 onlink || fail "spoke1: route to 10.2.0.0/24"
lab exec spoke1 ping -c 2 -i 0.2 -W 2 10.2.0.1 >/dev/null || fail "spoke1 cannot ping 10.2.0.1 over dmvpn1"
jq_true hub1 'any(.interfaces[]; .name == "dmvpn1" and any(.peers[]; .tunnel == "10.2.0.11" and .state == "up"))' show dmvpn ||
	fail "hub1: spoke1 is not an up peer on dmvpn1"

# --- each TAP its own link-local address
a=$(ll6 "$NS_S1" dmvpn0) b=$(ll6 "$NS_S1" dmvpn1) c=$(ll6 "$NS_HUB" dmvpn0)
log "link-local: spoke1 dmvpn0 $a, spoke1 dmvpn1 $b, hub1 dmvpn0 $c"
[ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] || fail "a TAP without an IPv6 link-local address"
case $a$b$c in fe80::*fe80::*fe80::*) ;; *) fail "not fe80:: addresses: $a $b $c" ;; esac
[ "$a" != "$b" ] || fail "spoke1: dmvpn0 and dmvpn1 share the link-local $a"
[ "$a" != "$c" ] || fail "spoke1 and hub1 dmvpn0 share the link-local $a"
n=$(ip -n "$NS_S1" -6 -o addr show dev dmvpn0 scope link | wc -l)
[ "$n" = 1 ] || fail "spoke1 dmvpn0 has $n link-local addresses, want 1"

# --- a key change recreates dmvpn1 (both ends), which registers again
sed -i '/^interface dmvpn1/,$ s/tunnel key 43/tunnel key 44/' "$STATE/hub1.conf" "$STATE/spoke1.conf"
out=$(reload hub1)
grep -q "interface dmvpn1: recreated (tunnel key changed)" <<<"$out" || fail "hub1: no recreation listed"
out=$(reload spoke1)
grep -q "interface dmvpn1: recreated (tunnel key changed)" <<<"$out" || fail "spoke1: no recreation listed"
wait_for 10 "spoke1: dmvpn1 registered again (key 44)" spoke1_dmvpn1_up || fail "spoke1: recreated dmvpn1 did not register"
jq_true spoke1 '.interfaces[] | select(.name == "dmvpn1") | .key == 44' show dmvpn detail ||
	fail "spoke1: dmvpn1 does not use key 44"

# --- an unchanged file changes nothing
out=$(reload spoke1)
grep -q "no changes" <<<"$out" || fail "spoke1: an unchanged reload reported changes"

# --- remove dmvpn1 from spoke1, then from the hub
cp "$STATE/spoke1.conf.orig" "$STATE/spoke1.conf"
out=$(reload spoke1)
grep -q "interface dmvpn1: removed" <<<"$out" || fail "spoke1: reload does not list dmvpn1 as removed"
ip -n "$NS_S1" link show dmvpn1 >/dev/null 2>&1 && fail "spoke1: dmvpn1 still exists"
[ -z "$(ip -n "$NS_S1" route show proto 77 | grep -E '10\.2\.0\.|dmvpn1')" ] ||
	fail "spoke1: proto 77 routes of dmvpn1 left: $(ip -n "$NS_S1" route show proto 77)"
hub_forgot() { ! jq_true hub1 'any(.interfaces[]; .name == "dmvpn1" and any(.peers[]; .tunnel == "10.2.0.11" and .state == "up"))' show dmvpn; }
wait_for 5 "hub1: spoke1 deregistered from dmvpn1" hub_forgot || fail "hub1 still has spoke1 up on dmvpn1"
[ -z "$(ip -n "$NS_HUB" route show 10.2.0.11 proto 77)" ] || fail "hub1: route to 10.2.0.11 left after the deregistration"
cp "$STATE/hub1.conf.orig" "$STATE/hub1.conf"
out=$(reload hub1)
grep -q "interface dmvpn1: removed" <<<"$out" || fail "hub1: reload does not list dmvpn1 as removed"
ip -n "$NS_HUB" link show dmvpn1 >/dev/null 2>&1 && fail "hub1: dmvpn1 still exists"
[ -z "$(ip -n "$NS_HUB" route show proto 77 | grep -E '10\.2\.0\.|dmvpn1')" ] || fail "hub1: proto 77 routes of dmvpn1 left"

# --- dmvpn0 was not disturbed: the same peers, uptime kept growing
sleep 2
el=$((SECONDS - t0))
up1=$(peer_uptime hub1 dmvpn0 10.0.0.12)
s1_up1=$(peer_uptime spoke1 dmvpn0 10.0.0.1)
log "dmvpn0 uptimes: hub1->spoke2 $up0 -> $up1, spoke1->hub1 $s1_up0 -> $s1_up1 (${el}s elapsed)"
[ -n "$up1" ] && [ "$up1" -ge $((up0 + el - 1)) ] || fail "hub1: spoke2's dmvpn0 peer was reset ($up0 -> $up1)"
[ -n "$s1_up1" ] && [ "$s1_up1" -ge $((s1_up0 + el - 1)) ] || fail "spoke1: hub1's dmvpn0 peer was reset ($s1_up0 -> $s1_up1)"
all_nhs_up spoke1 || fail "spoke1: dmvpn0 NHS not up at the end"
lab exec spoke1 ping -c 2 -i 0.2 -W 2 10.0.0.1 >/dev/null || fail "spoke1 cannot ping the hub over dmvpn0"

# --- IPSEC=1: a changed profile recreates the protected dmvpn0, which comes
# back protected (the IPsec module gets the new profile), never in cleartext
if [ "${IPSEC:-0}" = 1 ]; then
	sed -i 's/^ dpd .*/ dpd 7 2 on-demand/' "$STATE/spoke1.conf"
	grep -q '^ dpd 7 2 on-demand' "$STATE/spoke1.conf" || fail "could not change the profile"
	# (dmvpn1's cleartext GRE earlier reached hub1's dmvpn0 socket too: count from here)
	clear0=$(counter hub1 overlay.dmvpn0.drop_cleartext_gre)
	out=$(reload spoke1)
	grep -q "interface dmvpn0: recreated (profile LAB changed)" <<<"$out" ||
		fail "spoke1: the profile change did not recreate dmvpn0"
	wait_for 15 "spoke1: dmvpn0 registered again (protected)" all_nhs_up spoke1 ||
		fail "spoke1: recreated dmvpn0 did not register"
	jq_true spoke1 'any(.interfaces[]; .name == "dmvpn0" and any(.peers[]; .tunnel == "10.0.0.1" and .ike == "established"))' show dmvpn ||
		fail "spoke1: dmvpn0's NHS has no established IKE SA after the recreation"
	# a new TAP: routes someone else put on the old one (the lab's) are gone
	ip -n "$NS_S1" route replace 10.0.0.0/24 via 10.0.0.1 dev dmvpn0 onlink
	lab exec spoke1 ping -c 2 -i 0.2 -W 2 10.0.0.1 >/dev/null || fail "spoke1 cannot ping the hub after the recreation"
	clear1=$(counter hub1 overlay.dmvpn0.drop_cleartext_gre)
	[ "$clear1" = "$clear0" ] || fail "hub1 got cleartext GRE on dmvpn0 ($clear0 -> $clear1)"
fi

# --- sanitizer builds: clean exits, nothing reported
for n in spoke1 hub1; do lab stop "$n" || fail "$n: did not stop"; done
if grep -l "Sanitizer\|runtime error:" "$STATE"/*.log 2>/dev/null; then
	grep -h -A20 "Sanitizer\|runtime error:" "$STATE"/*.log | head -60
	fail "sanitizer reports in the daemon logs"
fi
pass
