#!/usr/bin/env bash
# Scenario 3: a spoke restarted: the hub's entry is replaced and the shortcut
# rebuilds; a spoke killed (SIGKILL, no purge): its shortcut on the other spoke
# goes away no later than the holdtime.
. "$(dirname "$0")/lib.sh"
setup
HOLD=20
lab_up --hubs 1 --spokes 3 --holdtime $HOLD
lab exec host1 ping -c 5 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "host1 -> host2: no reply"
wait_for 10 "spoke1 shortcut to 10.1.2.0/24" has_shortcut spoke1 10.1.2.0/24 || fail "no shortcut on spoke1"

up0=$(ctl_json hub1 show dmvpn | jq -r '.interfaces[].peers[] | select(.tunnel == "10.0.0.12") | .uptime_s')
log "restarting spoke2 (SIGTERM, start); hub1 entry uptime before: ${up0}s"
sleep 1.2
lab stop spoke2 TERM || fail "spoke2 did not stop on SIGTERM"
wait_for 5 "spoke1 shortcut gone after spoke2's clean shutdown (purge)" no_shortcut spoke1 10.1.2.0/24 ||
	log "note: spoke1 kept the shortcut after spoke2's clean shutdown (no purge received)"
lab start spoke2 || fail "spoke2 did not start again"
wait_for 20 "spoke2 NHS up again" all_nhs_up spoke2 || fail "spoke2 did not register again"
n=$(ctl_json hub1 show dmvpn | jq '[.interfaces[].peers[] | select(.tunnel == "10.0.0.12")] | length')
up1=$(ctl_json hub1 show dmvpn | jq -r '.interfaces[].peers[] | select(.tunnel == "10.0.0.12") | .uptime_s')
log "hub1 entries for 10.0.0.12: $n, uptime now ${up1}s"
[ "$n" = 1 ] || fail "hub1 has $n entries for 10.0.0.12 after the restart"
[ "$up1" -lt "$up0" ] || fail "hub1 entry for spoke2 was not replaced (uptime $up0 -> $up1)"
lab exec host1 ping -c 3 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "host1 -> host2 after restart: no reply"
# the hub rate-limits Traffic Indications per pair (Cisco: 8 s), so keep
# traffic going while the shortcut rebuilds
bg_ping host1 10.1.2.2
wait_for 15 "spoke1 shortcut rebuilt" has_shortcut spoke1 10.1.2.0/24 || fail "shortcut not rebuilt"
stop_bg
lab exec host1 ping -c 3 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "pings over the rebuilt shortcut lost"

log "killing spoke2 (SIGKILL); spoke1's shortcut must go within the holdtime ($HOLD s)"
lab stop spoke2 KILL
t0=$SECONDS
wait_for $((HOLD + 2)) "spoke1 shortcut to 10.1.2.0/24 gone" no_shortcut spoke1 10.1.2.0/24 ||
	fail "spoke1 still has the shortcut $((SECONDS - t0)) s after spoke2 died (holdtime $HOLD)"
ip -n "${DMVPN_LAB_PREFIX}spoke1" route show 10.1.2.0/24 | grep -q . &&
	fail "spoke1 kernel route 10.1.2.0/24 still there: $(ip -n "${DMVPN_LAB_PREFIX}spoke1" route show 10.1.2.0/24)"
log "shortcut gone after $((SECONDS - t0)) s"

# restart after the kill: the hub still holds spoke2's unique entry from the
# same NBMA; the new registration must replace it
lab start spoke2 || fail "spoke2 did not start after the kill"
wait_for 20 "spoke2 registered again after the kill" all_nhs_up spoke2 || fail "spoke2 refused after the kill"
n=$(ctl_json hub1 show dmvpn | jq '[.interfaces[].peers[] | select(.tunnel == "10.0.0.12")] | length')
[ "$n" = 1 ] || fail "hub1 has $n entries for 10.0.0.12 after kill+restart"
bg_ping host1 10.1.2.2
wait_for 15 "spoke1 shortcut rebuilt after kill+restart" has_shortcut spoke1 10.1.2.0/24 || fail "shortcut not rebuilt after kill+restart"
stop_bg
pass
