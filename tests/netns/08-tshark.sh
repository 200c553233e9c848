#!/usr/bin/env bash
# Scenario 8: capture the underlay bridge while spokes register and a shortcut
# forms; every GRE/NHRP packet must dissect in tshark without malformed or
# expert warnings/errors. Prints a summary of the NHRP packet types seen.
. "$(dirname "$0")/lib.sh"
[ "${IPSEC:-0}" = 1 ] && skip "dissects cleartext GRE/NHRP; with protection, scenario 11 checks the underlay (ESP only)"
setup tshark tcpdump
tmpdir
chmod 755 "$TMPD"
UL="${DMVPN_LAB_PREFIX}ul"
PCAP="$TMPD/underlay.pcap"
# the bridge exists only once the lab is up: start the capture in a lab with
# daemons stopped, then restart them so registrations are captured too
lab_up --hubs 1 --spokes 3
ip netns exec "$UL" tcpdump -i br0 -U -s 0 -w "$PCAP" ip proto 47 2>"$TMPD/tcpdump.err" &
CAP=$!
BG_PIDS+=("$CAP")
sleep 1
for n in spoke1 spoke2 spoke3; do lab stop "$n" TERM; lab start "$n" >/dev/null; done
wait_for 20 "spokes registered again" all_nhs_up spoke3 || fail "spokes did not register again"
lab exec host1 ping -c 5 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "host1 -> host2: no reply"
wait_for 10 "spoke1 shortcut" has_shortcut spoke1 10.1.2.0/24 || fail "no shortcut"
lab exec host2 ping -c 3 -i 0.2 -W 2 10.1.1.2 >/dev/null
lab stop spoke2 TERM   # purge / deregistration on the wire too
sleep 1
kill -INT "$CAP"; wait "$CAP" 2>/dev/null; BG_PIDS=()
[ -s "$PCAP" ] || fail "empty capture: $(cat "$TMPD/tcpdump.err")"
total=$(tshark -r "$PCAP" 2>/dev/null | wc -l)
nhrp=$(tshark -r "$PCAP" -Y nhrp 2>/dev/null | wc -l)
bad=$(tshark -r "$PCAP" -Y '_ws.malformed || _ws.expert.severity >= 4194304' 2>/dev/null)
log "captured $total GRE packets, $nhrp NHRP"
echo "== NHRP packet types seen (count, type):"
tshark -r "$PCAP" -Y nhrp -T fields -e nhrp.hdr.op.type 2>/dev/null | sort | uniq -c |
	while read -r c t; do
		case $t in 1) n="Resolution Request" ;; 2) n="Resolution Reply" ;; 3) n="Registration Request" ;;
		4) n="Registration Reply" ;; 5) n="Purge Request" ;; 6) n="Purge Reply" ;; 7) n="Error Indication" ;;
		8) n="Traffic Indication" ;; *) n="type $t" ;; esac
		printf '  %5d  %s\n' "$c" "$n"
	done
echo "== GRE keys seen:"
tshark -r "$PCAP" -T fields -e gre.key 2>/dev/null | sort | uniq -c | sed 's/^/  /'
echo "== tshark expert info:"
tshark -r "$PCAP" -q -z expert 2>/dev/null | sed 's/^/  /'
[ "$nhrp" -gt 0 ] || fail "no NHRP packet captured"
if [ -n "$bad" ]; then
	echo "$bad"
	fail "malformed or expert warning/error packets (above)"
fi
tshark -r "$PCAP" -T fields -e gre.key 2>/dev/null | grep -Eqv '^(42|0x0*2a)$' && fail "a GRE packet without key 42"
pass
