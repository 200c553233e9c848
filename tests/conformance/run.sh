#!/bin/bash
# Conformance: decode every capture in tests/testdata/captures with our
# decoder and compare it with tshark field by field (compare.py), plus two
# fixed checks:
#   - pb_nhrp_1.pcap (deliberately malformed) is reported as
#     "NHRP malformed: <named reason>";
#   - nhrp-trace.pcap shows the Traffic Indication, both Resolution Requests
#     and the Reply, with GRE key 1000 and their extensions.
#
# Environment: DECODE (decoder command prefix; default ./dmvpnctl decode when
# built, else tests/conformance/decode_tool), TSHARK (default tshark),
# DMVPN_TESTDATA (default $top_srcdir/tests/testdata).
# Exit: 0 all agree, 1 a disagreement or a failed check, 77 tshark or
# python3 missing (skip).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/../.." && pwd)
testdata=${DMVPN_TESTDATA:-$top_srcdir/tests/testdata}
captures=$testdata/captures
TSHARK=${TSHARK:-tshark}

if ! command -v "$TSHARK" >/dev/null 2>&1; then
	echo "conformance: SKIP: tshark not found (apt-get install tshark)"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "conformance: SKIP: python3 not found"
	exit 77
fi
if [ ! -d "$captures" ]; then
	echo "conformance: FAIL: no captures at $captures (set DMVPN_TESTDATA)"
	exit 1
fi

if [ -z "${DECODE:-}" ]; then
	for cand in ./dmvpnctl "$top_srcdir/build/dmvpnctl"; do
		if [ -x "$cand" ]; then
			DECODE="$cand decode"
			break
		fi
	done
fi
if [ -z "${DECODE:-}" ]; then
	for cand in ./tests/conformance/decode_tool \
		"$top_srcdir/build/tests/conformance/decode_tool"; do
		if [ -x "$cand" ]; then
			DECODE=$cand
			break
		fi
	done
fi
if [ -z "${DECODE:-}" ]; then
	echo "conformance: FAIL: no decoder (build tests/conformance/decode_tool or set DECODE)"
	exit 1
fi
echo "conformance: decoder: $DECODE; $("$TSHARK" --version 2>/dev/null | head -1)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

check() { # check DESCRIPTION: prints PASS/FAIL for the condition in $?
	if [ "$1" -eq 0 ]; then
		echo "conformance: PASS: $2"
	else
		echo "conformance: FAIL: $2"
		failed=1
	fi
}

# ---- the captures, .gz unpacked to a temporary file ----
files=()
names=()
while IFS= read -r f; do
	rel=${f#"$captures"/}
	case "$f" in
	*.gz)
		out=$tmp/$(basename "${f%.gz}")
		gunzip -c "$f" >"$out" || { echo "conformance: FAIL: gunzip $rel"; exit 1; }
		files+=("$out")
		;;
	*) files+=("$f") ;;
	esac
	names+=(--name "$rel")
done < <(find "$captures" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.pcap.gz' \
	-o -name '*.pcapng.gz' \) | LC_ALL=C sort)
if [ "${#files[@]}" -eq 0 ]; then
	echo "conformance: FAIL: no capture files under $captures"
	exit 1
fi

# ---- pb_nhrp_1.pcap: rejected cleanly, with a named reason ----
pb=$captures/tcpdump/pb_nhrp_1.pcap
$DECODE "$pb" >"$tmp/pb.txt" 2>&1
rc=$?
$DECODE "$pb" --json >"$tmp/pb.json" 2>&1
[ $rc -eq 0 ] && grep -Eq '^1 .* NHRP malformed: [a-z$]+[^ ]* .+' "$tmp/pb.txt" &&
	grep -q '"error":"NHRP malformed: ..*"' "$tmp/pb.json"
check $? "pb_nhrp_1.pcap reported as \"$(grep -o 'NHRP malformed: [^[]*[^[ ]' "$tmp/pb.txt")\""

# ---- nhrp-trace.pcap: TI, two Resolution Requests, the Reply ----
trace=$captures/tcpdump/nhrp-trace.pcap
$DECODE "$trace" >"$tmp/trace.txt" 2>&1
$DECODE "$trace" --json >"$tmp/trace.json" 2>&1
ok=0
want=(
	'^1 192.168.200.1 > 192.168.200.3 GRE key 1000 NHRP traffic-indication .*src 10.255.255.1/192.168.200.1 dst 10.255.255.3 packet \[IPv4 10.255.255.3 > 10.255.255.2 ICMP.* ext \[forward-transit\(C\) reverse-transit\(C\) auth\(C\) "secret" nat-address end\(C\)\]'
	'^2 192.168.200.3 > 192.168.200.1 GRE key 1000 NHRP resolution-request id 5 .*src 10.255.255.3/192.168.200.3 dst 10.255.255.2 cies 1 .* ext \[responder-address\(C\) forward-transit\(C\) reverse-transit\(C\) auth\(C\) "secret" nat-address end\(C\)\]'
	'^3 192.168.200.1 > 192.168.200.2 GRE key 1000 NHRP resolution-request id 5 hops 254 .* ext \[responder-address\(C\) forward-transit\(C\) \[code 0 .*nbma 192.168.200.1 proto 10.255.255.1\] reverse-transit\(C\) auth\(C\) "secret"'
	'^4 192.168.200.2 > 192.168.200.3 GRE key 1000 NHRP resolution-reply id 5 .*cies 1 \[code 0 plen 32 .*nbma 192.168.200.2 proto 10.255.255.2\] ext \[responder-address\(C\) \[code 0 .*nbma 192.168.200.2 proto 10.255.255.2\] forward-transit\(C\) \[.*\] reverse-transit\(C\) auth\(C\) "secret" nat-address end\(C\)\]'
)
for i in 0 1 2 3; do
	sed -n "$((i + 1))p" "$tmp/trace.txt" | grep -Eq "${want[$i]}" || {
		echo "conformance: nhrp-trace.pcap line $((i + 1)) does not match: ${want[$i]}"
		sed -n "$((i + 1))p" "$tmp/trace.txt"
		ok=1
	}
done
[ "$(wc -l <"$tmp/trace.txt")" -eq 4 ] || ok=1
[ "$(grep -c '"key":1000' "$tmp/trace.json")" -eq 4 ] || ok=1
check $ok "nhrp-trace.pcap: Traffic Indication, 2 Resolution Requests, Reply, GRE key 1000, extensions"

# ---- every capture against tshark ----
python3 "$here/compare.py" --decode "$DECODE" --tshark "$TSHARK" "${names[@]}" "${files[@]}"
check $? "tshark agrees with our decoding of ${#files[@]} capture files"

exit $failed
