#!/bin/bash
# Interop of our IKEv2 engine (tests/interop/ike_peer) with a real
# strongSwan 5.9 charon. Root only; exits 77 when it cannot run.
#
#   tests/interop/strongswan/run.sh [BUILD_DIR]     (default: ./ or $IKE_PEER)
#
# Scenarios:
#   1. PSK, we initiate (aes256gcm16-prfsha256-x25519 / esp aes256gcm16), we
#      rekey the CHILD SA (CREATE_CHILD_SA, then DELETE of the old one), then
#      we DELETE the IKE SA and charon must have no SA left.
#   2. PSK, strongSwan initiates (`swanctl --initiate`), aes128-sha256-modp2048
#      / esp aes128-sha256 (CBC + HMAC keys); then strongSwan rekeys the CHILD
#      SA (`swanctl --rekey`, CREATE_CHILD_SA with REKEY_SA, no PFS): the new
#      SA is installed on both sides with equal keys, the old one deleted;
#      then strongSwan rekeys the IKE SA (`swanctl --rekey --ike`) and a CHILD
#      rekey runs inside the new IKE SA.
#   3. PSK, aes256gcm16-prfsha384-ecp384, we initiate; DPD `dpd 2 1 periodic
#      retries 3`: charon frozen (SIGSTOP) right after, we must declare it
#      dead 2 + 3 x 1 = 5 s after the last message, within 10 %.
#   4. ECDSA P-256 certificates made by the test with strongSwan's pki
#      (RFC 7427 signatures, CERT/CERTREQ), we initiate; then our certificate
#      from another CA must be refused (AUTHENTICATION_FAILED).
#   5. ECDSA P-384 certificates, aes256-sha384-ecp384, strongSwan initiates
#      with fragment_size 400, so its IKE_AUTH reaches us in SKF fragments.
#   6. RSA-3072 certificates, aes128-sha256-modp3072, we initiate, both sides
#      fragment at 576-byte packets (RFC 7383 both ways).
#   7. A NAT namespace between us and charon (nftables masquerade to ports
#      20000-29999): we detect the NAT in front of us, both float to 4500,
#      our NAT-T keepalives (1 s) and ESP in UDP cross the NAT (its counters),
#      GRE through ESP both ways without loss.
#   8. charon's DPD (dpd_delay 2 s, retransmits 1 s x 3): we are killed
#      (SIGKILL) and charon's SA list empties about 6 s later; its log shows
#      the DPD request, 3 retransmits and "giving up".
#   9. GRE both ways through the CHILD SA: ike_peer --data sends sequence-
#      numbered GRE through our userspace ESP (overlay/esp.h) to charon,
#      kernel-libipsec decrypts it into ipsec0, gre_reflect.py echoes it back
#      through ESP; nothing lost, charon's packets-in = packets-out = sent,
#      bytes-in = sent x inner size.
#  10. The same traffic (200/s, 13 s) across strongSwan's CHILD rekey, IKE
#      rekeys by charon (rekey_time 5 s) and by us (ike_sa_rekey_ike at 7 s)
#      and our engine's own CHILD rekey (CHILD lifetime 10 s): zero lost sequence numbers, make-before-break
#      (each CHILD_UP before the old CHILD_DOWN), every SA carried traffic.
# SCENARIOS="7 9" runs only those; IK_PREFIX=xy names the namespaces xy-us,
# xy-ss, xy-nat (default ik), so two runs can share a machine.
# Each asserts charon's view (swanctl --list-sas --raw: IKE SA ESTABLISHED,
# CHILD SA INSTALLED with the GRE selectors, the SPIs we printed) and that
# charon's CHILD SA keys (its chd level-4 log) equal ours.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-${BUILD:-.}}
IKE_PEER=${IKE_PEER:-$build/tests/interop/ike_peer}
IKE_PEER=$(readlink -f "$IKE_PEER" 2>/dev/null || echo "$IKE_PEER")
. "$here/lib.sh"
ss_require

DIR=$(mktemp -d /tmp/$SS_PFX-ss.XXXXXX)
trap 'ss_cleanup; [ "${KEEP:-}" ] || rm -rf "$DIR"' EXIT
PSK="interop secret 4 dmvpn"
pass=0
fail=0
skipped=0
skip_one=
ok() { echo "  ok: $*"; }
bad() { echo "  FAIL: $*"; fail_one=1; }

# check_charon ROLE OURLINE: charon's SA list against ike_peer's CHILD_UP.
check_charon() {
	local raw child spi_in spi_out
	raw=$(ss_swanctl "$DIR" --list-sas --raw 2>&1)
	echo "  charon: $(echo "$raw" | grep -o 'state=ESTABLISHED[^{]*' | cut -c1-200)"
	echo "  charon: $(echo "$raw" | grep -o 'child-sas {.*' | cut -c1-400)"
	echo "$raw" | grep -q 'dmvpn {.*state=ESTABLISHED' && ok "IKE SA ESTABLISHED" || bad "no ESTABLISHED IKE SA"
	echo "$raw" | grep -q 'child-sas {gre-[0-9]* {.*state=INSTALLED' && ok "CHILD SA INSTALLED" ||
		bad "no INSTALLED CHILD SA"
	echo "$raw" | grep -q "local-ts=\[$SS_SS_ADDR/32\[gre\]\] remote-ts=\[$SS_US_ADDR/32\[gre\]\]" &&
		ok "GRE traffic selectors" || bad "traffic selectors differ"
	child=$(grep '^CHILD_UP' "$2" | tail -1)
	spi_in=$(ss_field "$child" spi_in)
	spi_out=$(ss_field "$child" spi_out)
	echo "$raw" | grep -o 'gre-[0-9]* {[^}]*}' | grep 'state=INSTALLED' |
		grep -q "spi-in=$spi_out spi-out=$spi_in" && ok "installed SPIs match ours (in $spi_in, out $spi_out)" ||
		bad "SPIs differ from ours ($spi_in/$spi_out)"
	local keys ki kr ko kin io ii
	keys=$(grep '^KEYS' "$2" | tail -1)
	ko=$(ss_field "$keys" enc_out)
	kin=$(ss_field "$keys" enc_in)
	io=$(ss_field "$keys" integ_out)
	ii=$(ss_field "$keys" integ_in)
	if [ "$1" = initiator ]; then a=initiator b=responder; else a=responder b=initiator; fi
	ki=$(ss_charon_key "$DIR/charon.log" "encryption $a key")
	kr=$(ss_charon_key "$DIR/charon.log" "encryption $b key")
	[ -n "$ko" ] && [ "$ko" = "$ki" ] && [ "$kin" = "$kr" ] && ok "ESP encryption keys equal charon's" ||
		bad "ESP encryption keys differ (ours $ko/$kin, charon $ki/$kr)"
	if [ -n "$io" ]; then
		ki=$(ss_charon_key "$DIR/charon.log" "integrity $a key")
		kr=$(ss_charon_key "$DIR/charon.log" "integrity $b key")
		[ "$io" = "$ki" ] && [ "$ii" = "$kr" ] && ok "ESP integrity keys equal charon's" ||
			bad "ESP integrity keys differ"
	fi
}

# want N: scenario N is selected (SCENARIOS="7 9" runs only those).
want() {
	[ -z "${SCENARIOS:-}" ] && return 0
	case " $SCENARIOS " in *" $1 "*) return 0 ;; esac
	return 1
}

# scenario_start N TITLE IKE_PROPOSAL ESP_PROPOSAL [AUTH]; SS_TOPO=nat puts
# the NAT namespace between us and charon.
scenario_start() {
	want $1 || return 1
	echo "== scenario $1: $2"
	fail_one=0
	skip_one=
	ss_cleanup
	local t
	for t in ${SS_NEEDS:-}; do
		command -v $t >/dev/null || skip_one="$t missing"
	done
	[ -z "$skip_one" ] || return 1
	if [ "${SS_TOPO:-}" = nat ]; then
		ss_netns_nat || { bad "netns setup (NAT)"; return 1; }
	else
		ss_netns || { bad "netns setup"; return 1; }
	fi
	rm -f "$DIR/charon.log" # charon appends
	ss_charon_start "$DIR" || { bad "charon start"; return 1; }
	case ${5:-psk} in
	psk)
		ss_write_swanctl "$DIR" "$PSK" "$3" "$4"
		ss_write_dmvpn_conf "$DIR/dmvpn.conf" "$PSK" "$3" "$4"
		;;
	ecdsa* | rsa*)
		local t=${5%%[0-9]*}
		rm -rf "$DIR/pki" "$DIR/x509" "$DIR/x509ca" "$DIR/private"
		ss_make_certs "$DIR" $t "${5#$t}" || { bad "pki"; return 1; }
		ss_write_swanctl_cert "$DIR" "$3" "$4"
		ss_write_dmvpn_conf_cert "$DIR/dmvpn.conf" "$DIR/pki" "$3" "$4"
		;;
	esac
	ss_swanctl "$DIR" --load-all --file "$DIR/swanctl.conf" 2>&1 | grep -q 'loaded connection' ||
		{ bad "swanctl --load-all"; return 1; }
}

scenario_end() {
	want $1 || return 0
	if [ -n "$skip_one" ]; then
		echo "== scenario $1: SKIP ($skip_one)"
		skipped=$((skipped + 1))
	elif [ $fail_one = 0 ]; then
		pass=$((pass + 1))
		echo "== scenario $1: PASS"
	else
		fail=$((fail + 1))
		echo "== scenario $1: FAIL"
		tail -25 "$DIR/charon.log" | sed 's/^/  charon.log: /'
	fi
}

peer() {
	ip netns exec $SS_NS_US "$IKE_PEER" -c "$DIR/dmvpn.conf" -p IK -l $SS_US_ADDR -r $SS_SS_ADDR \
		--print-keys "$@"
}

# peer_bg OUT ERR ARGS...: ike_peer in the background; PEER_PID is its own
# process id (not a subshell's), so that it can be killed.
peer_bg() {
	local out=$1 err=$2
	shift 2
	(exec ip netns exec $SS_NS_US "$IKE_PEER" -c "$DIR/dmvpn.conf" -p IK -l $SS_US_ADDR -r $SS_SS_ADDR \
		--print-keys "$@" >"$out" 2>"$err") &
	PEER_PID=$!
}

# ---- 1 ----
if scenario_start 1 "PSK, we initiate, rekey the CHILD SA, then DELETE" aes256gcm16-prfsha256-x25519 aes256gcm16; then
	t0=$(date +%s.%N)
	peer --initiate --timeout 10 --rekey-after 1 --hold 2 --delete >"$DIR/peer1.out" 2>"$DIR/peer1.err" &
	p=$!
	sleep 0.5
	grep -E '^(IKE_UP|CHILD_UP)' "$DIR/peer1.out" | sed 's/^/  ours: /'
	grep -q '^CHILD_UP.*mode=tunnel.*encap=yes' "$DIR/peer1.out" &&
		ok "we fell back to tunnel mode (kernel-libipsec), UDP-encapsulated" || bad "no tunnel CHILD SA on our side"
	check_charon initiator "$DIR/peer1.out"
	old_out=$(ss_field "$(grep '^CHILD_UP' "$DIR/peer1.out" | head -1)" spi_in)
	sleep 1
	[ "$(grep -c '^CHILD_UP' "$DIR/peer1.out")" = 2 ] && ok "we rekeyed the CHILD SA (CREATE_CHILD_SA)" ||
		bad "no rekeyed CHILD SA on our side: $(cat "$DIR/peer1.err" | tail -2)"
	grep -E '^(CHILD_UP|CHILD_DOWN)' "$DIR/peer1.out" | tail -2 | sed 's/^/  ours: /'
	check_charon initiator "$DIR/peer1.out"
	grep -q "received DELETE for ESP CHILD_SA with SPI $old_out" "$DIR/charon.log" &&
		ok "charon: received DELETE for ESP CHILD_SA with SPI $old_out (old SA, after the new one)" ||
		bad "charon did not get our DELETE of the old CHILD SA"
	wait $p && ok "ike_peer exit 0" || bad "ike_peer failed: $(tail -3 "$DIR/peer1.err")"
	grep '^SUMMARY' "$DIR/peer1.out" | sed 's/^/  ours: /'
	grep -q 'reason=ike_peer --delete' "$DIR/peer1.out" && ok "our DELETE answered" || bad "DELETE not answered"
	ss_swanctl "$DIR" --list-sas --raw | grep -q 'state=' && bad "charon still has an SA after DELETE" ||
		ok "charon has no SA after our DELETE"
	grep -q "received DELETE for IKE_SA dmvpn" "$DIR/charon.log" && ok "charon: $(grep -o 'received DELETE for IKE_SA.*' "$DIR/charon.log" | head -1)"
fi
scenario_end 1

# ---- 2 ----
if scenario_start 2 "PSK, strongSwan initiates (swanctl --initiate)" aes128-sha256-modp2048 aes128-sha256; then
	peer --timeout 15 --hold 4 >"$DIR/peer2.out" 2>"$DIR/peer2.err" &
	p=$!
	sleep 0.5
	t0=$(date +%s%N)
	out=$(ss_swanctl "$DIR" --initiate --child gre --timeout 10 2>&1)
	t1=$(date +%s%N)
	echo "$out" | grep -E 'established|completed' | sed 's/^/  swanctl: /'
	echo "$out" | grep -q 'initiate completed successfully' && ok "swanctl --initiate completed ($(((t1 - t0) / 1000000)) ms)" ||
		bad "swanctl --initiate failed"
	grep -E '^(IKE_UP|CHILD_UP)' "$DIR/peer2.out" | sed 's/^/  ours: /'
	grep -q '^IKE_UP.*suite=aes128-sha256-prfsha256-modp2048 role=responder' "$DIR/peer2.out" &&
		ok "we responded with aes128-sha256-prfsha256-modp2048" || bad "our IKE_UP missing or wrong suite"
	check_charon responder "$DIR/peer2.out"
	old_in=$(ss_field "$(grep '^CHILD_UP' "$DIR/peer2.out" | head -1)" spi_in)
	ss_swanctl "$DIR" --rekey --child gre 2>&1 | grep -q 'rekey completed successfully' &&
		ok "swanctl --rekey --child gre completed" || bad "CHILD rekey failed"
	sleep 0.5
	[ "$(grep -c '^CHILD_UP' "$DIR/peer2.out")" = 2 ] && ok "our second CHILD_UP after the rekey" ||
		bad "no new CHILD SA on our side"
	grep -E '^(CHILD_UP|CHILD_DOWN)' "$DIR/peer2.out" | tail -2 | sed 's/^/  ours: /'
	check_charon responder "$DIR/peer2.out"
	grep -q "received DELETE for ESP CHILD_SA with SPI $old_in" "$DIR/charon.log" &&
		ok "charon: received DELETE for ESP CHILD_SA with SPI $old_in (our old inbound SA)" ||
		bad "old CHILD SA not deleted by us"
	# IKE SA rekey by strongSwan, then a CHILD rekey inside the new IKE SA
	ss_swanctl "$DIR" --rekey --ike dmvpn 2>&1 | grep -q 'rekey completed successfully' &&
		ok "swanctl --rekey --ike dmvpn completed" || bad "IKE rekey failed"
	sleep 0.3
	grep -o 'IKE_SA dmvpn\[[0-9]*\] rekeyed between.*' "$DIR/charon.log" | head -1 | sed 's/^/  charon: /'
	new_ike=$(grep '^IKE_UP' "$DIR/peer2.out" | tail -1)
	echo "  ours: $new_ike"
	ss_swanctl "$DIR" --list-sas --raw | grep -q "initiator-spi=$(ss_field "$new_ike" spi_i) responder-spi=$(ss_field "$new_ike" spi_r)" &&
		ok "charon's IKE SA has the SPIs of our rekeyed SA" || bad "rekeyed IKE SA SPIs differ"
	ss_swanctl "$DIR" --rekey --child gre 2>&1 | grep -q 'rekey completed successfully' &&
		[ "$(grep -c '^CHILD_UP' "$DIR/peer2.out")" = 3 ] &&
		ok "CHILD rekey inside the rekeyed IKE SA (its new keys work)" || bad "no CHILD rekey in the new IKE SA"
	check_charon responder "$DIR/peer2.out"
	wait $p && ok "ike_peer exit 0" || bad "ike_peer failed: $(tail -3 "$DIR/peer2.err")"
fi
scenario_end 2

# ---- 3 ----
if scenario_start 3 "PSK ecp384, DPD 2 1 retries 3 against a frozen charon" aes256gcm16-prfsha384-ecp384 aes128gcm16; then
	echo " dpd 2 1 periodic retries 3" >>"$DIR/dmvpn.conf"
	peer --initiate --timeout 15 --until-down >"$DIR/peer3.out" 2>"$DIR/peer3.err" &
	p=$!
	for _ in $(seq 1 50); do grep -q '^CHILD_UP' "$DIR/peer3.out" && break; sleep 0.1; done
	charon_pid=$(pgrep -P "$SS_CHARON_PID" -x charon || echo "$SS_CHARON_PID")
	check_charon initiator "$DIR/peer3.out"
	kill -STOP "$SS_CHARON_PID" $charon_pid 2>/dev/null
	wait $p && ok "ike_peer saw the SA go down" || bad "ike_peer did not declare the peer dead"
	kill -CONT "$SS_CHARON_PID" $charon_pid 2>/dev/null
	down=$(grep '^IKE_DOWN' "$DIR/peer3.out")
	echo "  ours: $down"
	since=$(ss_field "$down" since_up)
	echo "$down" | grep -q 'DPD' && awk -v s="$since" 'BEGIN { exit !(s >= 4.5 && s <= 5.5) }' &&
		ok "DPD dead after $since s (expected 2 + 3 x 1 = 5 +-10%)" || bad "DPD verdict wrong: $down"
fi
scenario_end 3

# ---- 4 ----
if scenario_start 4 "ECDSA P-256 certificates (RFC 7427), we initiate" aes256gcm16-prfsha256-x25519 aes256gcm16 ecdsa256; then
	peer --initiate --timeout 10 --hold 1 >"$DIR/peer4.out" 2>"$DIR/peer4.err" &
	p=$!
	for _ in $(seq 1 30); do grep -q '^CHILD_UP' "$DIR/peer4.out" && break; sleep 0.1; done
	grep -E '^(IKE_UP|CHILD_UP)' "$DIR/peer4.out" | sed 's/^/  ours: /'
	grep -q "remote_id=$SS_DN_BASE, CN=ss " "$DIR/peer4.out" && ok "we verified charon's certificate and signature" ||
		bad "our IKE_UP missing or wrong peer identity"
	grep -q "authentication of '$SS_DN_BASE, CN=us' with ECDSA_WITH_SHA256_DER successful" "$DIR/charon.log" &&
		ok "charon: $(grep -o "authentication of '$SS_DN_BASE, CN=us'.*" "$DIR/charon.log" | head -1)" ||
		bad "charon did not verify our signature"
	check_charon initiator "$DIR/peer4.out"
	wait $p && ok "ike_peer exit 0" || bad "ike_peer failed: $(tail -3 "$DIR/peer4.err")"
	# a certificate from another CA is refused
	mv "$DIR/pki" "$DIR/pki.good"
	ss_make_certs "$DIR/other" ecdsa 256 >/dev/null 2>&1
	ss_write_dmvpn_conf_cert "$DIR/dmvpn.conf" "$DIR/pki.good" aes256gcm16-prfsha256-x25519 aes256gcm16
	sed -i "s|$DIR/pki.good/us.pem key $DIR/pki.good/us.key|$DIR/other/pki/us.pem key $DIR/other/pki/us.key|" "$DIR/dmvpn.conf"
	peer --initiate --timeout 4 >"$DIR/peer4b.out" 2>"$DIR/peer4b.err"
	grep -q 'AUTHENTICATION_FAILED' "$DIR/peer4b.err" && ok "untrusted certificate: charon answered AUTHENTICATION_FAILED" ||
		bad "untrusted certificate not refused: $(tail -2 "$DIR/peer4b.err")"
	grep -q 'constraint check failed\|no trusted ECDSA public key found\|certificate status is not available\|no issuer certificate found' "$DIR/charon.log" &&
		ok "charon: $(grep -o 'no issuer certificate found.*\|constraint check failed.*\|no trusted ECDSA public key found.*' "$DIR/charon.log" | head -1)"
fi
scenario_end 4

# ---- 5 ----
SS_FRAGMENT_SIZE=400
if scenario_start 5 "ECDSA P-384 certificates, strongSwan initiates, fragments its IKE_AUTH (RFC 7383)" aes256-sha384-ecp384 aes256-sha256 ecdsa384; then
	peer --timeout 10 --hold 1 >"$DIR/peer5.out" 2>"$DIR/peer5.err" &
	p=$!
	sleep 0.5
	out=$(ss_swanctl "$DIR" --initiate --child gre --timeout 10 2>&1)
	echo "$out" | grep -q 'initiate completed successfully' && ok "swanctl --initiate completed" ||
		bad "swanctl --initiate failed"
	echo "$out" | grep "authentication of '$SS_DN_BASE, CN=us'" | sed 's/^/  swanctl: /'
	echo "$out" | grep -q "authentication of '$SS_DN_BASE, CN=us' with ECDSA_WITH_SHA384_DER successful" &&
		ok "charon verified our P-384 signature" || bad "charon did not verify our signature"
	grep -E '^(IKE_UP|CHILD_UP)' "$DIR/peer5.out" | sed 's/^/  ours: /'
	grep -q "suite=aes256-sha384-prfsha384-ecp384 role=responder.*remote_id=$SS_DN_BASE, CN=ss " "$DIR/peer5.out" &&
		ok "we verified charon's P-384 certificate" || bad "our IKE_UP missing or wrong"
	check_charon responder "$DIR/peer5.out"
	grep -q 'splitting IKE message.*into [0-9]* fragments' "$DIR/charon.log" &&
		ok "charon: $(grep -o 'splitting IKE message.*into [0-9]* fragments' "$DIR/charon.log" | head -1); we reassembled them" ||
		bad "charon did not fragment (no proof of reassembly)"
	wait $p && ok "ike_peer exit 0" || bad "ike_peer failed: $(tail -3 "$DIR/peer5.err")"
fi
scenario_end 5
unset SS_FRAGMENT_SIZE

# ---- 6 ----
SS_FRAGMENT_SIZE=576
if scenario_start 6 "RSA-3072 certificates, fragmentation forced both ways (576-byte packets)" aes128-sha256-modp3072 aes128gcm16 rsa3072; then
	peer --initiate --timeout 10 --hold 1 --frag-size 576 >"$DIR/peer6.out" 2>"$DIR/peer6.err" &
	p=$!
	for _ in $(seq 1 50); do grep -q '^CHILD_UP' "$DIR/peer6.out" && break; sleep 0.1; done
	grep -E '^(IKE_UP|CHILD_UP)' "$DIR/peer6.out" | sed 's/^/  ours: /'
	grep -q "remote_id=$SS_DN_BASE, CN=ss " "$DIR/peer6.out" && ok "we verified charon's RSA certificate" ||
		bad "our IKE_UP missing or wrong peer identity"
	grep -q "authentication of '$SS_DN_BASE, CN=us' with RSA_EMSA_PKCS1_SHA2_256 successful" "$DIR/charon.log" &&
		ok "charon: $(grep -o "authentication of '$SS_DN_BASE, CN=us'.*" "$DIR/charon.log" | head -1)" ||
		bad "charon did not verify our RSA signature"
	grep -q 'received fragment #1 of [0-9]*' "$DIR/charon.log" && grep -q 'reassembled fragmented IKE message' "$DIR/charon.log" &&
		ok "charon: $(grep -o 'received fragment #1 of [0-9]*' "$DIR/charon.log" | head -1) ... reassembled fragmented IKE message" ||
		bad "charon did not reassemble our fragments"
	grep -q 'splitting IKE message.*into [0-9]* fragments' "$DIR/charon.log" &&
		ok "charon: $(grep -o 'splitting IKE message.*into [0-9]* fragments' "$DIR/charon.log" | head -1)"
	check_charon initiator "$DIR/peer6.out"
	wait $p && ok "ike_peer exit 0" || bad "ike_peer failed: $(tail -3 "$DIR/peer6.err")"
fi
scenario_end 6
unset SS_FRAGMENT_SIZE

# ---- 7 ----
# NAT: ik-us 198.18.1.1 is masqueraded by ik-nat to 198.18.0.254, source
# ports 20000-29999. charon with encap = no, so both NAT detections are real.
SS_TOPO=nat SS_REMOTE_ADDRS=%any SS_ENCAP=no SS_NEEDS="nft python3"
if scenario_start 7 "NAT between us and charon (masquerade): NAT-T, keepalives, ESP in UDP" aes256gcm16-prfsha256-x25519 aes256gcm16; then
	ss_reflector_start "$DIR" || bad "GRE reflector did not start"
	# --no-transport: asked for transport mode behind a NAT, charon (RFC 7296
	# 2.23.1) replaces our selector's address by the NAT's and then finds
	# no match in its tunnel-mode config (TS_UNACCEPTABLE)
	peer --initiate --no-transport --timeout 10 --natt-keepalive 1 --data 50 --data-for 3.5 >"$DIR/peer7.out" 2>"$DIR/peer7.err" &
	p=$!
	for _ in $(seq 1 50); do grep -q '^CHILD_UP' "$DIR/peer7.out" && break; sleep 0.1; done
	grep -E '^(IKE_UP|CHILD_UP)' "$DIR/peer7.out" | sed 's/^/  ours: /'
	grep -q "^IKE_UP.*ports=4500/4500 nat_local=yes" "$DIR/peer7.out" &&
		ok "we detected the NAT in front of us and floated to 4500/4500" || bad "no NAT detected / no float on our side"
	grep -q '^CHILD_UP.*encap=yes' "$DIR/peer7.out" && ok "our CHILD SA is UDP-encapsulated" ||
		bad "our CHILD SA is not UDP-encapsulated"
	raw=$(ss_swanctl "$DIR" --list-sas --raw 2>&1)
	ike=$(echo "$raw" | grep -o 'dmvpn {[^{]*' | head -1)
	echo "  charon: $(echo "$ike" | grep -o 'local-host=[^ ]* local-port=[^ ]* .*remote-port=[^ ]*' | cut -c1-160)"
	echo "$ike" | grep -q "remote-host=$SS_NAT_ADDR remote-port=2[0-9]\{4\}" &&
		ok "charon sees us at the NAT's address $SS_NAT_ADDR, a translated port" || bad "charon's remote is not the NAT"
	echo "$ike" | grep -q 'local-port=4500' && echo "$ike" | grep -q 'nat-remote=yes' &&
		ok "charon: on 4500, nat-remote=yes ($(grep -o 'remote host is behind NAT' "$DIR/charon.log" | head -1))" ||
		bad "charon did not detect the NAT or float"
	echo "$ike" | grep -q 'nat-local=yes' && bad "charon thinks it is behind a NAT"
	check_charon initiator "$DIR/peer7.out"
	wait $p && ok "ike_peer exit 0 (no data lost)" || bad "ike_peer failed: $(tail -3 "$DIR/peer7.err")"
	ss_reflector_stop
	grep -E '^(SUMMARY|DATA )' "$DIR/peer7.out" | sed 's/^/  ours: /'
	ka=$(ss_nat_counter natt_ka_out) eo=$(ss_nat_counter esp_out) ei=$(ss_nat_counter esp_in)
	sum=$(grep '^SUMMARY' "$DIR/peer7.out")
	echo "  NAT counters: natt_ka_out=$ka esp_out=$eo esp_in=$ei ike500=$(ss_nat_counter ike500); reflector: $(cat "$DIR/reflect.out")"
	[ "$(ss_nat_counter ike500)" = 2 ] && ok "only IKE_SA_INIT crossed the NAT on port 500 (2 packets), the rest on 4500" ||
		bad "port 500 after IKE_SA_INIT: $(ss_nat_counter ike500) packets"
	[ "${ka:-0}" -ge 3 ] && [ "$ka" = "$(ss_field "$sum" natt_ka)" ] &&
		ok "our $ka NAT-T keepalives (1 s) crossed the NAT" || bad "NAT-T keepalives: NAT saw ${ka:-0}, we sent $(ss_field "$sum" natt_ka)"
	data=$(grep '^DATA ' "$DIR/peer7.out")
	sent=$(ss_field "$data" sent)
	[ "${sent:-0}" -gt 100 ] && [ "$(ss_field "$data" received)" = "$sent" ] && [ "${eo:-0}" -ge "$sent" ] &&
		[ "${ei:-0}" -ge "$sent" ] && ok "ESP in UDP through the NAT: $sent GRE packets out and back, NAT counted $eo/$ei" ||
		bad "ESP in UDP through the NAT: $data"
fi
scenario_end 7
unset SS_TOPO SS_REMOTE_ADDRS SS_ENCAP SS_NEEDS

# ---- 8 ----
SS_DPD_DELAY=2s
if scenario_start 8 "charon's DPD (dpd_delay 2 s, retransmits 1 s x 3) notices that we were killed" aes256gcm16-prfsha256-x25519 aes256gcm16; then
	peer_bg "$DIR/peer8.out" "$DIR/peer8.err" --initiate --timeout 10 --hold 30
	p=$PEER_PID
	for _ in $(seq 1 50); do grep -q '^CHILD_UP' "$DIR/peer8.out" && break; sleep 0.1; done
	check_charon initiator "$DIR/peer8.out"
	kill -9 $p
	wait $p 2>/dev/null
	t0=$(date +%s%N)
	gone=
	for _ in $(seq 1 150); do
		ss_swanctl "$DIR" --list-sas --raw 2>/dev/null | grep -q 'state=' || { gone=$(date +%s%N); break; }
		sleep 0.05
	done
	grep -E 'sending DPD request|retransmit [0-9] of request|giving up after|deleting IKE_SA' "$DIR/charon.log" |
		tail -6 | sed 's/^/  charon.log: /'
	if [ -n "$gone" ]; then
		secs=$(awk -v a=$t0 -v b=$gone 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
		# dpd_delay 2 s after the last message, then 1 + 3 x 1 s of retransmits
		awk -v s=$secs 'BEGIN { exit !(s >= 4.5 && s <= 6.6) }' &&
			ok "charon's SA list emptied ${secs} s after we were killed (expected 2 + 4 x 1 = 6 s, -10 %/+10 %, DPD counts from the last message)" ||
			bad "charon's SA list emptied after ${secs} s, expected about 6 s"
	else
		bad "charon still has the SA 7.5 s after we were killed"
	fi
	grep -q 'sending DPD request' "$DIR/charon.log" && grep -q 'giving up after 3 retransmits' "$DIR/charon.log" &&
		ok "charon: sent a DPD request, retransmitted it, gave up after 3 retransmits" || bad "no DPD in charon's log"
fi
scenario_end 8
unset SS_DPD_DELAY

# ---- 9 ----
SS_NEEDS=python3
if scenario_start 9 "GRE both ways through the CHILD SA (our ESP <-> kernel-libipsec), charon's counters" aes256gcm16-prfsha256-x25519 aes256gcm16; then
	ss_reflector_start "$DIR" || bad "GRE reflector did not start"
	peer --initiate --timeout 10 --data 200 --data-for 2.5 --data-size 200 >"$DIR/peer9.out" 2>"$DIR/peer9.err"
	rc=$?
	ss_reflector_stop
	grep -E '^(CHILD_UP|SUMMARY|DATA)' "$DIR/peer9.out" | sed 's/^/  ours: /'
	data=$(grep '^DATA ' "$DIR/peer9.out")
	sent=$(ss_field "$data" sent) recv=$(ss_field "$data" received)
	[ $rc = 0 ] && [ "${sent:-0}" -ge 400 ] && [ "$recv" = "$sent" ] && [ "$(ss_field "$data" lost)" = 0 ] &&
		ok "we sent $sent GRE packets through ESP and decrypted $recv echoes (none lost, none bad)" ||
		bad "GRE through ESP: rc $rc, $data $(tail -2 "$DIR/peer9.err")"
	echo "  reflector (charon's namespace, after kernel-libipsec): $(cat "$DIR/reflect.out")"
	grep -q "received $sent echoed $sent" "$DIR/reflect.out" &&
		ok "charon's kernel got all $sent GRE packets out of ipsec0 and echoed them" || bad "reflector counts differ"
	raw=$(ss_swanctl "$DIR" --list-sas --raw 2>&1)
	pi=$(ss_child_counter "$raw" packets-in) po=$(ss_child_counter "$raw" packets-out)
	bi=$(ss_child_counter "$raw" bytes-in) bo=$(ss_child_counter "$raw" bytes-out)
	echo "  charon: CHILD SA packets-in=$pi bytes-in=$bi packets-out=$po bytes-out=$bo"
	[ "$pi" = "$sent" ] && [ "$po" = "$sent" ] &&
		ok "charon's counters: packets-in = packets-out = $sent (bytes-in $bi, bytes-out $bo)" ||
		bad "charon's counters differ from ours (in $pi out $po, we sent $sent)"
	# inner packets: 20 (IP) + 8 (GRE) + 200 bytes each
	[ "$bi" = $((sent * 228)) ] && ok "bytes-in = $sent x 228 (inner IP + GRE + payload)" ||
		bad "bytes-in $bi, expected $((sent * 228))"
fi
scenario_end 9
unset SS_NEEDS

# ---- 10 ----
# Our CHILD lifetime 10 s (the engine rekeys at 95 % as responder, 90 % as
# initiator), charon's IKE rekey_time 5 s, our IKE rekey at 7 s
# (--rekey-ike-after); strongSwan also rekeys the CHILD SA once by command.
# Traffic 200 packets/s for 13 s throughout.
SS_IKE_REKEY=5s SS_OUR_CHILD_LIFETIME=10 SS_NEEDS=python3
if scenario_start 10 "CHILD and IKE rekeys under continuous GRE traffic, zero loss" aes256gcm16-prfsha256-x25519 aes256gcm16; then
	ss_reflector_start "$DIR" || bad "GRE reflector did not start"
	peer --initiate --timeout 10 --data 200 --data-for 13 --rekey-ike-after 7 >"$DIR/peer10.out" 2>"$DIR/peer10.err" &
	p=$!
	for _ in $(seq 1 50); do grep -q '^CHILD_UP' "$DIR/peer10.out" && break; sleep 0.1; done
	sleep 2
	ss_swanctl "$DIR" --rekey --child gre >/dev/null 2>&1
	sleep 0.3
	[ "$(grep -c '^CHILD_UP' "$DIR/peer10.out")" = 2 ] &&
		ok "t=2 s: strongSwan rekeyed the CHILD SA (swanctl --rekey --child gre; we are the IKE initiator)" ||
		bad "strongSwan's CHILD rekey failed: $(grep -o 'received [A-Z_]* notify.*' "$DIR/charon.log" | tail -1)"
	wait $p
	rc=$?
	ss_reflector_stop
	grep -E '^(IKE_UP|CHILD_UP|CHILD_DOWN|IKE_DOWN|SUMMARY|DATA)' "$DIR/peer10.out" | cut -c1-140 | sed 's/^/  ours: /'
	nike=$(grep -c 'IKE_SA dmvpn\[[0-9]*\] rekeyed between' "$DIR/charon.log")
	nours=$(grep -c 'parsed CREATE_CHILD_SA request [0-9]* \[ SA No KE \]' "$DIR/charon.log")
	[ "$nike" -ge 2 ] && [ $((nike - nours)) -ge 1 ] &&
		ok "the IKE SA was rekeyed $nike times under traffic: $((nike - nours)) by charon (rekey_time 5 s), $nours by us" ||
		bad "IKE rekeys: $nike in charon's log, $nours of them ours"
	grep -q '^REKEY_IKE' "$DIR/peer10.out" && [ "$nours" = 1 ] &&
		ok "our engine rekeyed the IKE SA (ike_sa_rekey_ike at 7 s), charon took it" || bad "our IKE rekey did not happen"
	[ "$(grep -c '^IKE_UP' "$DIR/peer10.out")" = $((nike + 1)) ] && ok "our engine took each IKE rekey" ||
		bad "IKE_UP count differs from charon's rekeys"
	nchild=$(grep -c '^CHILD_UP' "$DIR/peer10.out")
	[ "$nchild" -ge 3 ] && ok "$nchild CHILD SAs one after the other (initial, strongSwan's rekey, our lifetime rekey)" ||
		bad "only $nchild CHILD SAs"
	grep -q 'rekeying CHILD SA' "$DIR/peer10.err" && ok "our engine rekeyed the CHILD SA by itself (lifetime 10 s)" ||
		bad "our engine did not rekey at its CHILD lifetime"
	# make-before-break: each new CHILD_UP comes before the CHILD_DOWN of the old one
	awk '/^CHILD_UP/ { up++ } /^CHILD_DOWN/ && !/reason=shutdown/ { down++; if (down >= up) bad = 1 } END { exit bad }' "$DIR/peer10.out" &&
		ok "make-before-break: every CHILD_DOWN came after the next CHILD_UP" || bad "a CHILD SA went down before its successor came up"
	data=$(grep '^DATA ' "$DIR/peer10.out")
	sent=$(ss_field "$data" sent)
	[ $rc = 0 ] && [ "${sent:-0}" -ge 2400 ] && [ "$(ss_field "$data" lost)" = 0 ] && [ "$(ss_field "$data" received)" = "$sent" ] &&
		ok "zero loss across the rekeys: $sent sent, $(ss_field "$data" received) received, $(ss_field "$data" lost) lost" ||
		bad "loss across the rekeys: $data"
	awk '/^DATA_SA/ { n++; for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["tx"] + 0 == 0 || v["rx"] + 0 == 0) bad = 1 } END { exit bad || n < 3 }' "$DIR/peer10.out" &&
		ok "every CHILD SA carried traffic both ways (switch-over at each rekey)" || bad "a CHILD SA carried no traffic"
	echo "  reflector: $(cat "$DIR/reflect.out")"
fi
scenario_end 10
unset SS_IKE_REKEY SS_OUR_CHILD_LIFETIME SS_NEEDS

echo "strongswan interop: $pass passed, $fail failed, $skipped skipped"
[ $fail = 0 ]
