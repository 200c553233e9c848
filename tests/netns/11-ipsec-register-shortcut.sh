#!/usr/bin/env bash
# Scenario 11: tunnel protection. 1 hub + 3 spokes with --ipsec: every spoke
# registers through its IKE/ESP SA with the hub; host1 -> host2 forms a
# shortcut and with it a spoke-to-spoke IKE SA visible on both spokes; the
# underlay bridge carries ESP and not one cleartext GRE packet (protocol 47).
. "$(dirname "$0")/lib.sh"
setup tcpdump
tmpdir
chmod 755 "$TMPD"
UL="${DMVPN_LAB_PREFIX}ul"
PCAP="$TMPD/underlay.pcap"
lab_up --hubs 1 --spokes 3 --ipsec
# capture everything from now on; restart the spokes so that registrations
# (and their IKE) are on the wire too
ip netns exec "$UL" tcpdump -i br0 -U -s 0 -w "$PCAP" 2>"$TMPD/tcpdump.err" &
CAP=$!
BG_PIDS+=("$CAP")
sleep 1
for n in spoke1 spoke2 spoke3; do lab stop "$n" TERM; lab start "$n" >/dev/null; done
for n in spoke1 spoke2 spoke3; do
	wait_for 30 "$n registered (through IPsec)" all_nhs_up "$n" || fail "$n did not register"
done
sa_up() { # NODE REMOTE: an established IKE SA with a CHILD SA to REMOTE
	jq_true "$1" "any(.sas[]; .remote == \"$2\" and .state == \"established\" and (.children | length) > 0)" show ikev2 sa
}
wait_for 10 "hub1 has established SAs with 3 spokes" jq_true hub1 \
	'[.sas[] | select(.state == "established")] | length >= 3' show ikev2 sa ||
	fail "hub1: not 3 established IKE SAs"
for i in 1 2 3; do
	sa_up "spoke$i" 198.18.0.1 || fail "spoke$i: no established IKE SA with the hub"
done
jq_true hub1 '[.interfaces[].peers[] | select(.state == "up")] | length == 3' show dmvpn ||
	fail "hub1 show dmvpn: not 3 spokes up"
jq_true hub1 'all(.interfaces[].peers[]; .ike == "established")' show dmvpn ||
	fail "hub1 show dmvpn: a peer's ike is not established"

# (not bg_ping: stop_bg would stop the capture too)
lab exec host1 ping -q -i 0.2 -W 1 10.1.2.2 >/dev/null 2>&1 &
PING=$!
BG_PIDS+=("$PING")
wait_for 20 "spoke1 shortcut to 10.1.2.0/24" has_shortcut spoke1 10.1.2.0/24 || fail "no shortcut on spoke1"
wait_for 10 "spoke1 IKE SA with spoke2" sa_up spoke1 198.18.0.12 || fail "spoke1: no IKE SA with spoke2"
wait_for 10 "spoke2 IKE SA with spoke1" sa_up spoke2 198.18.0.11 || fail "spoke2: no IKE SA with spoke1"
kill "$PING" 2>/dev/null; wait "$PING" 2>/dev/null
lab exec host1 ping -c 10 -i 0.05 -W 2 10.1.2.2 >/dev/null || fail "pings over the protected shortcut lost"
log "spoke1 show ikev2 sa:"
lab exec spoke1 dmvpnctl show ikev2 sa
out=$(ctl_json spoke1 show ikev2 sa)
echo "$out" | jq -e '.sas[] | select(.remote == "198.18.0.12") | .children[0] |
	(.packets_out > 0 and .packets_in > 0)' >/dev/null || fail "spoke1 -> spoke2 CHILD SA carried no traffic: $out"
echo "$out" | jq -e 'all(.sas[]; has("dpd") and (.dpd | has("interval_s") and has("misses")))' >/dev/null ||
	fail "show ikev2 sa --json lacks dpd.interval_s/misses"
lab exec host2 ping -c 3 -i 0.2 -W 2 10.1.1.2 >/dev/null || fail "host2 -> host1: no reply"
sleep 0.5
kill -INT "$CAP"; wait "$CAP" 2>/dev/null; BG_PIDS=()
[ -s "$PCAP" ] || fail "empty capture: $(cat "$TMPD/tcpdump.err")"
gre=$(tcpdump -nr "$PCAP" 'ip proto 47' 2>/dev/null | wc -l)
esp=$(tcpdump -nr "$PCAP" 'ip proto 50' 2>/dev/null | wc -l)
ike=$(tcpdump -nr "$PCAP" 'udp port 500 or udp port 4500' 2>/dev/null | wc -l)
log "underlay: $esp ESP, $ike IKE/NAT-T, $gre cleartext GRE packets"
if command -v tshark >/dev/null 2>&1; then
	tgre=$(tshark -r "$PCAP" -Y 'gre || nhrp' 2>/dev/null | wc -l)
	log "tshark: $tgre GRE/NHRP packets dissected in clear"
	[ "$tgre" = 0 ] || fail "tshark sees $tgre cleartext GRE/NHRP packets"
fi
[ "$gre" = 0 ] || { tcpdump -nr "$PCAP" 'ip proto 47' 2>/dev/null | head; fail "$gre cleartext GRE packets on the underlay"; }
[ "$esp" -gt 0 ] || fail "no ESP on the underlay"
[ "$ike" -gt 0 ] || fail "no IKE on the underlay"
for n in hub1 spoke1 spoke2; do
	c=$(counter "$n" overlay.dmvpn0.drop_cleartext_gre)
	[ "$c" = 0 ] || fail "$n counted $c cleartext GRE packets"
done
pass
