#!/bin/bash
# End-to-end test of dmvpnd and dmvpnctl: starts the built daemon in the
# foreground with a temporary configuration and its own -N name, drives it
# with dmvpnctl and checks outputs and exit codes, then stops it.
# Needs root (runtime files live in /run/dmvpn); exits 77 (skip) otherwise.
#
# Run from the build directory (make check does), or set DMVPND/DMVPNCTL.
set -u

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: test_cli.sh needs root (dmvpnd keeps its socket in /run/dmvpn)"
	exit 77
fi

DMVPND=${DMVPND:-./dmvpnd}
DMVPNCTL=${DMVPNCTL:-./dmvpnctl}
for b in "$DMVPND" "$DMVPNCTL"; do
	if [ ! -x "$b" ]; then
		echo "ERROR: $b not built (run from the build directory or set DMVPND/DMVPNCTL)"
		exit 99
	fi
done
srcdir=${srcdir:-.}
TESTDATA=${DMVPN_TESTDATA:-$srcdir/tests/testdata}
have_py=false
command -v python3 >/dev/null 2>&1 && have_py=true

NAME=clitest$$
RUNDIR=/run/dmvpn/$NAME
SOCK=$RUNDIR/dmvpnd.sock
PIDFILE=$RUNDIR/dmvpnd.pid
T=$(mktemp -d /tmp/test_cli.XXXXXX)
DPID=
MONPID=
fails=0
checks=0

cleanup() {
	[ -n "$MONPID" ] && kill "$MONPID" 2>/dev/null
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -TERM "$DPID"
		wait "$DPID" 2>/dev/null
	fi
	rm -rf "$T"
	rmdir "$RUNDIR" 2>/dev/null
}
trap cleanup EXIT

ok() {
	checks=$((checks + 1))
	echo "ok - $1"
}
not_ok() {
	checks=$((checks + 1))
	fails=$((fails + 1))
	echo "not ok - $1"
	[ -n "${2:-}" ] && sed 's/^/#   /' <<<"$2"
	return 0
}
# expect_rc WANT DESCRIPTION CMD...: runs CMD, stdout in $out, stderr in $err
expect_rc() {
	local want=$1 what=$2
	shift 2
	out=$("$@" 2>"$T/stderr")
	rc=$?
	err=$(cat "$T/stderr")
	if [ "$rc" = "$want" ]; then
		ok "$what (exit $rc)"
	else
		not_ok "$what: exit $rc, want $want" "$out
$err"
	fi
}
expect_in() { # TEXT NEEDLE DESCRIPTION
	if grep -qF -- "$2" <<<"$1"; then ok "$3"; else not_ok "$3: '$2' missing" "$1"; fi
}
# json_check JSON PYTHON-EXPRESSION DESCRIPTION (d is the parsed document)
json_check() {
	if ! $have_py; then
		ok "$3 # skipped: no python3"
		return
	fi
	if python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if ('"$2"') else 1)' \
		<<<"$1" 2>"$T/pyerr"; then
		ok "$3"
	else
		not_ok "$3: $2" "$1
$(cat "$T/pyerr")"
	fi
}
ctl() { "$DMVPNCTL" -N "$NAME" "$@"; }

cat >"$T/d.conf" <<'EOF'
hostname clitest
log level info
!
interface dmvpn0
 ip address 10.0.0.11/32
 mtu 1400
 tunnel source 198.18.0.11
 tunnel key 42
 ip nhrp network-id 1
 ip nhrp holdtime 600
 ip nhrp nhs 10.0.0.1 nbma 198.18.0.1 priority 1
 ip nhrp nhs 10.0.0.2 nbma 198.18.0.2 priority 2
 ip nhrp shortcut
!
interface dmvpn1
 ip address 10.1.0.1/32
 tunnel source 198.18.0.11
 ip nhrp network-id 2
 ip nhrp redirect
EOF

# --- without a daemon ---
expect_rc 0 "dmvpnd --version" "$DMVPND" --version
expect_in "$out" "dmvpnd " "--version prints 'dmvpnd VERSION'"
expect_rc 0 "--check on a valid file" "$DMVPND" --check -f "$T/d.conf"
expect_in "$out" "configuration OK" "--check says the configuration is OK"

cat >"$T/bad.conf" <<'EOF'
hostname bad
interface dmvpn0
 ip address 10.0.0.11/32
 mtu 5
 tunnel source 198.18.0.11
 tunnel key notanumber
 ip nhrp network-id 1
frobnicate now
EOF
expect_rc 1 "--check on a file with three mistakes" "$DMVPND" --check -f "$T/bad.conf"
n=$(grep -cE "^$T/bad.conf:[0-9]+: " <<<"$err")
if [ "$n" = 3 ]; then ok "--check printed three FILE:LINE: lines"; else not_ok "--check printed $n FILE:LINE: lines, want 3" "$err"; fi
expect_in "$err" "$T/bad.conf:4: " "first mistake at line 4"
expect_in "$err" "$T/bad.conf:8: " "third mistake at line 8"
expect_rc 2 "dmvpnd with a bad option" "$DMVPND" --bogus
expect_rc 1 "dmvpnd with a missing configuration" "$DMVPND" -N "$NAME" -f "$T/missing.conf"

expect_rc 3 "dmvpnctl with no daemon" ctl show dmvpn
expect_in "$err" "$SOCK" "the unreachable message names the socket"
expect_rc 3 "dmvpnctl -s with no daemon" "$DMVPNCTL" -s "$T/nothing.sock" show dmvpn
expect_in "$err" "$T/nothing.sock" "the unreachable message names the -s socket"
expect_rc 2 "dmvpnctl without a command" "$DMVPNCTL"
expect_rc 2 "dmvpnctl with an unknown command" ctl show bogus
expect_rc 2 "dmvpnctl with an extra argument" ctl reload now
expect_rc 2 "dmvpnctl with a bad peer address" ctl clear ikev2 sa not-an-address
expect_rc 2 "dmvpnctl with -N and -s" "$DMVPNCTL" -N a -s /x show dmvpn
expect_rc 2 "dmvpnctl with an unknown option" "$DMVPNCTL" --frob show dmvpn
expect_rc 0 "dmvpnctl --help" "$DMVPNCTL" --help

# decode runs without a daemon
cap=$TESTDATA/captures/tcpdump/NHRP_registration.pcap
if [ -f "$cap" ]; then
	expect_rc 0 "dmvpnctl decode FILE (no daemon)" ctl decode "$cap"
	[ -n "$out" ] && ok "decode printed something" || not_ok "decode printed nothing"
	expect_rc 0 "dmvpnctl decode FILE --json" ctl decode "$cap" --json
	json_check "$(head -1 <<<"$out")" "'frame' in d" "decode --json gives one object per packet"
else
	ok "decode # skipped: $cap not found"
fi
expect_rc 1 "dmvpnctl decode on a missing file" ctl decode "$T/missing.pcap"

# --- start the daemon ---
"$DMVPND" -f "$T/d.conf" -N "$NAME" 2>"$T/daemon.log" &
DPID=$!
for _ in $(seq 100); do
	[ -S "$SOCK" ] && break
	sleep 0.05
done
if [ -S "$SOCK" ]; then ok "daemon created $SOCK"; else
	not_ok "no socket after 5 s" "$(cat "$T/daemon.log")"
	exit 1
fi
mode=$(stat -c %a "$SOCK")
[ "$mode" = 660 ] && ok "socket mode 0660" || not_ok "socket mode $mode, want 660"
[ "$(cat "$PIDFILE" 2>/dev/null)" = "$DPID" ] && ok "pid file holds the daemon's pid" ||
	not_ok "pid file content: $(cat "$PIDFILE" 2>&1)"

expect_rc 1 "a second daemon with the same -N is refused" "$DMVPND" -f "$T/d.conf" -N "$NAME"
expect_in "$err" "another dmvpnd" "the refusal says why"
[ -S "$SOCK" ] && ok "the refused instance left the socket alone" || not_ok "socket gone"

expect_rc 0 "show dmvpn" ctl show dmvpn
expect_in "$out" "Interface dmvpn0, role spoke, 2 peers" "show dmvpn: dmvpn0 is a spoke with its NHS"
expect_in "$out" "198.18.0.2" "show dmvpn lists the second NHS"
expect_in "$out" "Interface dmvpn1, role hub, 0 peers" "show dmvpn: dmvpn1 (redirect) is a hub"
expect_rc 0 "show dmvpn detail" ctl show dmvpn detail
expect_rc 0 "show dmvpn --json" ctl show dmvpn --json
json_check "$out" "[i['role'] for i in d['interfaces']]==['spoke','hub']" \
	"show dmvpn --json: roles"
json_check "$out" "[(p['nbma'],p['tunnel'],p['type'],p['state'],p['ike']) for p in d['interfaces'][0]['peers']]==[('198.18.0.1','10.0.0.1','nhs','down','none'),('198.18.0.2','10.0.0.2','nhs','down','none')]" \
	"show dmvpn --json: NHS peers"
json_check "$out" "all(set(p)>={'nbma','tunnel','type','state','uptime_s','ike','keepalive_rtt_ms'} for i in d['interfaces'] for p in i['peers'])" \
	"show dmvpn --json: every SPEC field present"

expect_rc 0 "show nhrp nhs" ctl show nhrp nhs
expect_in "$out" "dmvpn0     10.0.0.1  198.18.0.1  1         down" "show nhrp nhs table row"
expect_rc 0 "show nhrp nhs --json" ctl show nhrp nhs --json
json_check "$out" "[(n['interface'],n['tunnel'],n['nbma'],n['priority'],n['state']) for n in d['nhs']]==[('dmvpn0','10.0.0.1','198.18.0.1',1,'down'),('dmvpn0','10.0.0.2','198.18.0.2',2,'down')] and 'rtt_ms' in d['nhs'][0]" \
	"show nhrp nhs --json"
for c in "nhrp cache:entries" "nhrp shortcut:shortcuts" "ikev2 sa:sas"; do
	expect_rc 0 "show ${c%%:*} --json" ctl show ${c%%:*} --json
	json_check "$out" "d['${c#*:}']==[]" "show ${c%%:*} --json: empty '${c#*:}' list"
done
expect_rc 0 "clear nhrp cache" ctl clear nhrp cache
expect_rc 0 "clear ikev2 sa PEER" ctl clear ikev2 sa 198.18.0.1

expect_rc 0 "show counters --json" ctl show counters --json
json_check "$out" "d['counters']['ctl.requests']>=5 and 'daemon.reloads' in d['counters']" \
	"show counters --json has ctl and daemon counters"
expect_rc 0 "metrics" ctl metrics
expect_in "$out" "# TYPE dmvpn_ctl_requests_total counter" "metrics: TYPE line"
expect_in "$out" "dmvpn_config_interfaces 2" "metrics: gauge"

# monitor sees reloads (from dmvpnctl and from SIGHUP)
ctl monitor --json >"$T/monitor.out" 2>&1 &
MONPID=$!
for _ in $(seq 50); do
	[ "$(ctl show counters --json | grep -o '"ctl.events_sent":[0-9]*')" ] && break
	sleep 0.05
done
sleep 0.2
expect_rc 0 "reload (unchanged file)" ctl reload
expect_in "$out" "no changes" "reload says there were no changes"
sed -i 's/^ mtu 1400/ mtu 1300/' "$T/d.conf"
kill -HUP "$DPID"
sleep 0.5
expect_in "$(cat "$T/daemon.log")" "interface dmvpn0: recreated (mtu changed)" "SIGHUP reload logged the change"
printf 'interface dmvpn0\n mtu 1\n' >>"$T/d.conf"
expect_rc 1 "reload of a broken file fails" ctl reload
expect_in "$err" "keeping the running configuration" "the failure says the old configuration stays"
expect_in "$err" "$T/d.conf:" "the failure lists FILE:LINE errors"
expect_rc 0 "the daemon still answers after a failed reload" ctl show dmvpn --json
json_check "$out" "len(d['interfaces'])==2" "the running configuration is unchanged"
sleep 0.2
kill "$MONPID" 2>/dev/null
wait "$MONPID" 2>/dev/null
MONPID=
mon=$(cat "$T/monitor.out")
n=$(grep -c '"event":"reload"' <<<"$mon")
[ "$n" = 3 ] && ok "monitor got three reload events" || not_ok "monitor got $n reload events, want 3" "$mon"
json_check "$(head -1 <<<"$mon")" "d['event']=='reload' and d['status']=='ok' and 'time' in d" \
	"monitor events are JSON objects"

# a raw client that misbehaves does not hurt the daemon
if $have_py; then
	python3 - "$SOCK" >"$T/raw.out" 2>&1 <<'EOF'
import socket, sys
def ask(data):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1]); s.sendall(data); s.shutdown(socket.SHUT_WR)
    r = b""
    while True:
        b = s.recv(65536)
        if not b: break
        r += b
    return r.decode()
print(ask(b"a" * 5000))
print(ask(b"\x00\xff\n"))
print(ask(b"show dmvpn"))   # no newline, then EOF
EOF
	expect_in "$(cat "$T/raw.out")" '"error":"request too long"' "oversize request gets an error reply"
	expect_in "$(cat "$T/raw.out")" '"error":"request contains a non-printable character"' \
		"binary request gets an error reply"
	expect_rc 0 "the daemon still answers after bad clients" ctl show dmvpn
fi

# --- clean shutdown ---
kill -TERM "$DPID"
wait "$DPID"
rc=$?
DPID=
[ "$rc" = 0 ] && ok "SIGTERM: exit 0" || not_ok "SIGTERM: exit $rc" "$(cat "$T/daemon.log")"
[ ! -e "$SOCK" ] && ok "socket removed" || not_ok "socket still there"
if grep -qE "Sanitizer|runtime error" "$T/daemon.log"; then
	not_ok "sanitizer report in the daemon's log" "$(cat "$T/daemon.log")"
else
	ok "no sanitizer report in the daemon's log"
fi
[ ! -e "$PIDFILE" ] && ok "pid file removed" || not_ok "pid file still there"
expect_rc 3 "dmvpnctl after shutdown" ctl show dmvpn

echo "# $checks checks, $fails failed"
[ "$fails" = 0 ]
