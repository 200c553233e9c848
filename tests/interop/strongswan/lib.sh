# Shared helpers for the strongSwan interop scenarios (sourced by run.sh).
#
# Topology: two network namespaces joined by a veth pair on 198.18.0.0/24:
#   ik-us (our engine, tests/interop/ike_peer)  198.18.0.1  ik-us0
#   ik-ss (strongSwan charon)                   198.18.0.2  ik-ss0
# or, with ss_netns_nat, a third namespace ik-nat between them that
# masquerades ik-us (198.18.1.1 behind 198.18.1.254) to 198.18.0.254.
# IK_PREFIX (default ik) replaces "ik" in every namespace and link name, so
# two runs can share the machine.
# charon runs per /work/shared/notes/strongswan-interop.md: its own
# strongswan.conf (STRONGSWAN_CONF), its own VICI socket, in its own mount
# namespace with a private /run (charon always writes /run/charon.pid),
# kernel-libipsec before kernel-netlink, allow_peer_ts with fwmarks so GRE
# selectors on the outer addresses are accepted.

SS_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SS_PFX=${IK_PREFIX:-ik}
SS_NS_US=$SS_PFX-us
SS_NS_SS=$SS_PFX-ss
SS_NS_NAT=$SS_PFX-nat
SS_US_ADDR=198.18.0.1
SS_NAT_ADDR=198.18.0.254
SS_SS_ADDR=198.18.0.2
SS_CHARON=${SS_CHARON:-/usr/lib/ipsec/charon}

ss_skip() { echo "SKIP: $*"; exit 77; }

ss_require() {
	[ "$(id -u)" = 0 ] || ss_skip "needs root (network namespaces)"
	[ -x "$SS_CHARON" ] || ss_skip "strongSwan charon missing (apt-get install strongswan-charon libcharon-extra-plugins)"
	command -v swanctl >/dev/null || ss_skip "swanctl missing (apt-get install strongswan-swanctl)"
	[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] ||
		ss_skip "kernel-libipsec plugin missing (apt-get install libcharon-extra-plugins)"
	command -v unshare >/dev/null || ss_skip "unshare missing"
	[ -x "$IKE_PEER" ] || ss_skip "ike_peer not built ($IKE_PEER)"
}

ss_cleanup() {
	ss_reflector_stop
	if [ -n "${SS_CHARON_PID:-}" ]; then
		kill "$SS_CHARON_PID" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$SS_CHARON_PID" 2>/dev/null || break
			sleep 0.2
		done
		kill -9 "$SS_CHARON_PID" 2>/dev/null
		SS_CHARON_PID=
	fi
	ss_netns_del
	return 0
}

ss_netns_del() {
	local ns
	for ns in $SS_NS_US $SS_NS_SS $SS_NS_NAT; do
		ip netns del $ns 2>/dev/null
	done
	return 0
}

ss_netns() {
	SS_US_ADDR=198.18.0.1
	ss_netns_del
	ip netns add $SS_NS_US && ip netns add $SS_NS_SS || return 1
	ip link add $SS_PFX-us0 netns $SS_NS_US type veth peer name $SS_PFX-ss0 netns $SS_NS_SS || return 1
	ip -n $SS_NS_US addr add $SS_US_ADDR/24 dev $SS_PFX-us0
	ip -n $SS_NS_SS addr add $SS_SS_ADDR/24 dev $SS_PFX-ss0
	ip -n $SS_NS_US link set lo up
	ip -n $SS_NS_SS link set lo up
	ip -n $SS_NS_US link set $SS_PFX-us0 up
	ip -n $SS_NS_SS link set $SS_PFX-ss0 up
	ip netns exec $SS_NS_US ping -c1 -W2 $SS_SS_ADDR >/dev/null || return 1
}

# ss_netns_nat: ik-us 198.18.1.1 -- ik-nat (198.18.1.254 | 198.18.0.254,
# nftables masquerade to source ports 20000-29999) -- ik-ss 198.18.0.2.
# ik-ss has no route back to 198.18.1.0/24: only the NAT's address answers.
# The NAT counts (named counters in table ip ik): natt_ka_out (UDP 4500
# payload of one byte, RFC 3948 keepalives), esp_out / esp_in (UDP 4500
# with a non-zero first word: ESP in UDP), ike500 (UDP 500).
ss_netns_nat() {
	SS_US_ADDR=198.18.1.1
	ss_netns_del
	ip netns add $SS_NS_US && ip netns add $SS_NS_SS && ip netns add $SS_NS_NAT || return 1
	ip link add $SS_PFX-us0 netns $SS_NS_US type veth peer name $SS_PFX-ni0 netns $SS_NS_NAT || return 1
	ip link add $SS_PFX-ss0 netns $SS_NS_SS type veth peer name $SS_PFX-no0 netns $SS_NS_NAT || return 1
	ip -n $SS_NS_US addr add $SS_US_ADDR/24 dev $SS_PFX-us0
	ip -n $SS_NS_NAT addr add 198.18.1.254/24 dev $SS_PFX-ni0
	ip -n $SS_NS_NAT addr add $SS_NAT_ADDR/24 dev $SS_PFX-no0
	ip -n $SS_NS_SS addr add $SS_SS_ADDR/24 dev $SS_PFX-ss0
	local ns l
	for ns in $SS_NS_US $SS_NS_SS $SS_NS_NAT; do ip -n $ns link set lo up; done
	for l in us0:$SS_NS_US ss0:$SS_NS_SS ni0:$SS_NS_NAT no0:$SS_NS_NAT; do
		ip -n ${l#*:} link set $SS_PFX-${l%%:*} up
	done
	ip -n $SS_NS_US route add default via 198.18.1.254
	ip netns exec $SS_NS_NAT sysctl -qw net.ipv4.ip_forward=1
	ip netns exec $SS_NS_NAT nft -f - <<EON || return 1
table ip ik {
	counter natt_ka_out {}
	counter esp_out {}
	counter esp_in {}
	counter ike500 {}
	chain ik_forward {
		type filter hook forward priority 0; policy accept;
		iifname "$SS_PFX-ni0" udp dport 4500 udp length 9 @th,64,8 0xff counter name natt_ka_out
		iifname "$SS_PFX-ni0" udp dport 4500 udp length > 12 @th,64,32 != 0 counter name esp_out
		iifname "$SS_PFX-no0" udp sport 4500 udp length > 12 @th,64,32 != 0 counter name esp_in
		udp dport 500 counter name ike500
	}
	chain ik_snat {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "$SS_PFX-no0" ip saddr 198.18.1.0/24 meta l4proto udp masquerade to :20000-29999
		oifname "$SS_PFX-no0" ip saddr 198.18.1.0/24 masquerade
	}
}
EON
	ip netns exec $SS_NS_US ping -c1 -W2 $SS_SS_ADDR >/dev/null || return 1
}

# ss_nat_counter NAME: packets counted by the NAT's named counter NAME.
ss_nat_counter() {
	ip netns exec $SS_NS_NAT nft list counter ip ik "$1" 2>/dev/null |
		sed -n 's/.*packets \([0-9]*\).*/\1/p' | head -1
}

# ss_write_conf DIR: strongswan.conf for charon in DIR.
ss_write_conf() {
	cat >"$1/strongswan.conf" <<EOC
charon {
	load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey revocation constraints kdf kernel-libipsec kernel-netlink socket-default vici updown
	retransmit_timeout = 1.0
	retransmit_base = 1.0
	retransmit_tries = 3
	fragment_size = ${SS_FRAGMENT_SIZE:-1280}
	install_virtual_ip = no
	plugins {
		vici {
			socket = unix://$1/charon.vici
		}
		kernel-libipsec {
			allow_peer_ts = yes
		}
		socket-default {
			fwmark = 0x5357
		}
		kernel-netlink {
			fwmark = !0x5357
		}
	}
	filelog {
		log {
			path = $1/charon.log
			time_format = %T
			time_add_ms = yes
			default = ${SS_LOG_DEFAULT:-1}
			ike = ${SS_LOG_IKE:-2}
			cfg = ${SS_LOG_CFG:-2}
			chd = ${SS_LOG_CHD:-4}
			flush_line = yes
		}
	}
}
EOC
}

# ss_charon_start DIR [NS]: starts charon in ik-ss (or NS); waits for its
# VICI socket. SS_LOG_* set its log levels (default, ike, cfg, chd).
ss_charon_start() {
	local dir=$1
	ss_write_conf "$dir"
	rm -f "$dir/charon.vici"
	ip netns exec ${2:-$SS_NS_SS} unshare --mount --propagation private sh -c \
		"mount -t tmpfs $SS_PFX-run /run && exec env STRONGSWAN_CONF=$dir/strongswan.conf $SS_CHARON" \
		>"$dir/charon.out" 2>&1 &
	SS_CHARON_PID=$!
	for _ in $(seq 1 50); do
		[ -S "$dir/charon.vici" ] && ss_swanctl "$dir" --stats >/dev/null 2>&1 && return 0
		kill -0 $SS_CHARON_PID 2>/dev/null || break
		sleep 0.2
	done
	echo "charon did not start:"; cat "$dir/charon.out" "$dir/charon.log" 2>/dev/null | tail -20
	return 1
}

# ss_swanctl DIR COMMAND [ARGS...]
ss_swanctl() {
	local dir=$1 cmd=$2
	shift 2
	swanctl "$cmd" --uri "unix://$dir/charon.vici" "$@"
}

# ss_write_swanctl DIR PSK IKE_PROPOSAL ESP_PROPOSAL [START_ACTION]
# (SS_REMOTE_ADDRS, SS_ENCAP, SS_DPD_DELAY, SS_IKE_REKEY override charon's
# defaults: our address, encap = yes, no DPD, IKE rekey after 4 h)
ss_write_swanctl() {
	cat >"$1/swanctl.conf" <<EOC
connections {
	dmvpn {
		version = 2
		local_addrs = $SS_SS_ADDR
		remote_addrs = ${SS_REMOTE_ADDRS:-$SS_US_ADDR}
		proposals = $3
		encap = ${SS_ENCAP:-yes}
		dpd_delay = ${SS_DPD_DELAY:-0}
		rekey_time = ${SS_IKE_REKEY:-4h}
		over_time = 60s
		rand_time = 0s
		local {
			auth = psk
			id = $SS_SS_ADDR
		}
		remote {
			auth = psk
			id = $SS_US_ADDR
		}
		children {
			gre {
				local_ts = $SS_SS_ADDR/32[gre]
				remote_ts = $SS_US_ADDR/32[gre]
				mode = tunnel
				esp_proposals = $4
				start_action = ${5:-none}
			}
		}
	}
}
secrets {
	ike-dmvpn {
		id-1 = $SS_US_ADDR
		id-2 = $SS_SS_ADDR
		secret = "$2"
	}
}
EOC
}

# ss_write_dmvpn_conf FILE PSK IKE_PROPOSAL ESP_PROPOSAL: our side (profile IK).
ss_write_dmvpn_conf() {
	cat >"$1" <<EOC
crypto ikev2 profile IK
 authentication psk "$2"
 proposal $3
 esp-proposal $4
 lifetime 3600 ${SS_OUR_CHILD_LIFETIME:-1200}
EOC
}

# ss_charon_key LOG "encryption initiator key": the last such key charon
# logged (chd level 4), as lower-case hex.
ss_charon_key() {
	awk -v want="$2" '
	index($0, want " => ") { split($0, a, " => "); rem = a[2] + 0; out = ""; on = 1; next }
	on && rem > 0 {
		i = 0
		for (f = 1; f <= NF; f++) if ($f ~ /^[0-9]+:$/) { i = f; break }
		if (!i) next
		for (f = i + 1; f <= NF && f <= i + 16 && rem > 0; f++) { out = out tolower($f); rem-- }
		if (rem == 0) { last = out; on = 0 }
	}
	END { print last }' "$1"
}

# ss_field "LINE" NAME: value of NAME=... in a "KEY=value ..." line.
ss_field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1
}

SS_DN_BASE="C=CH, O=dmvpnd interop"

# ss_make_certs DIR TYPE SIZE: a CA and two certificates (CN=us, CN=ss)
# made with strongSwan's pki, PEM, in DIR/pki; charon's copies go where
# swanctl --load-all looks for them (x509ca, x509, private).
ss_make_certs() {
	local d=$1/pki t=$2 s=$3
	mkdir -p "$d" "$1/x509ca" "$1/x509" "$1/private"
	pki --gen --type $t --size $s --outform pem >"$d/ca.key" 2>/dev/null &&
	pki --self --ca --lifetime 30 --in "$d/ca.key" --type $t --dn "$SS_DN_BASE, CN=test CA" \
		--outform pem >"$d/ca.pem" 2>/dev/null || return 1
	for n in us ss; do
		local ip=$SS_US_ADDR
		[ $n = ss ] && ip=$SS_SS_ADDR
		pki --gen --type $t --size $s --outform pem >"$d/$n.key" 2>/dev/null &&
		pki --pub --in "$d/$n.key" --type $t 2>/dev/null |
			pki --issue --lifetime 30 --cacert "$d/ca.pem" --cakey "$d/ca.key" \
				--dn "$SS_DN_BASE, CN=$n" --san $ip --outform pem >"$d/$n.pem" 2>/dev/null || return 1
	done
	cp "$d/ca.pem" "$1/x509ca/" && cp "$d/ss.pem" "$1/x509/" && cp "$d/ss.key" "$1/private/"
}

# ss_write_swanctl_cert DIR IKE_PROPOSAL ESP_PROPOSAL
ss_write_swanctl_cert() {
	cat >"$1/swanctl.conf" <<EOC
connections {
	dmvpn {
		version = 2
		local_addrs = $SS_SS_ADDR
		remote_addrs = $SS_US_ADDR
		proposals = $2
		encap = ${SS_ENCAP:-yes}
		local {
			auth = pubkey
			certs = ss.pem
			id = "$SS_DN_BASE, CN=ss"
		}
		remote {
			auth = pubkey
			id = "$SS_DN_BASE, CN=us"
		}
		children {
			gre {
				local_ts = $SS_SS_ADDR/32[gre]
				remote_ts = $SS_US_ADDR/32[gre]
				mode = tunnel
				esp_proposals = $3
			}
		}
	}
}
secrets {
	private-ss {
		file = ss.key
	}
}
EOC
}

# ss_write_dmvpn_conf_cert FILE PKIDIR IKE_PROPOSAL ESP_PROPOSAL
ss_write_dmvpn_conf_cert() {
	cat >"$1" <<EOC
crypto ikev2 profile IK
 authentication certificate $2/us.pem key $2/us.key ca $2/ca.pem
 proposal $3
 esp-proposal $4
EOC
}

# ss_reflector_start DIR: tests/interop/strongswan/gre_reflect.py in charon's
# namespace (echoes GRE back through kernel-libipsec); counts in DIR/reflect.out
# once ss_reflector_stop ran.
ss_reflector_start() {
	rm -f "$1/reflect.out"
	ip netns exec $SS_NS_SS python3 "$SS_HERE/gre_reflect.py" "$1/reflect.out" 2>"$1/reflect.err" &
	SS_REFLECT_PID=$!
	for _ in $(seq 1 50); do
		[ -s "$1/reflect.out" ] && return 0
		sleep 0.1
	done
	return 1
}

ss_reflector_stop() {
	[ -n "${SS_REFLECT_PID:-}" ] || return 0
	kill "$SS_REFLECT_PID" 2>/dev/null
	wait "$SS_REFLECT_PID" 2>/dev/null
	SS_REFLECT_PID=
}

# ss_child_counter RAW NAME: bytes-in, packets-out, ... of the INSTALLED
# CHILD SA in `swanctl --list-sas --raw` output (summed over several).
ss_child_counter() {
	echo "$1" | grep -o 'gre-[0-9]* {[^}]*}' | grep 'state=INSTALLED' |
		sed -n "s/.* $2=\([0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'
}
