#!/usr/bin/env bash
# Scenario 16: CHILD SA volume lifetime (`lifetime 3600 600 kilobytes 64`)
# in a protected lab. host1 -> host2 sends ~1 MB through the spoke-to-spoke
# SA: every 58 KiB (90 %) the CHILD SA is rekeyed, make-before-break, and
# not one ping is lost. Asserted: ipsec.rekey_soft and new CHILD SPIs on
# spoke1, ping loss 0, ipsec.expired_hard 0 (no SA ever ran out).
. "$(dirname "$0")/lib.sh"
setup
export DMVPN_LAB_LIFETIME="3600 600 kilobytes 64"
lab_up --hubs 1 --spokes 2 --ipsec
lab exec host1 ping -c 5 -i 0.2 -W 2 10.1.2.2 >/dev/null || fail "host1 -> host2: no reply"
wait_for 10 "spoke1 shortcut" has_shortcut spoke1 10.1.2.0/24 || fail "no shortcut"
spis() { ctl_json "$1" show ikev2 sa | jq -r '[.sas[] | select(.remote == "198.18.0.12") | .children[].ispi] | join(",")'; }
before=$(spis spoke1)
soft0=$(counter spoke1 ipsec.rekey_soft)
log "spoke1 CHILD SPIs to spoke2 before: $before"
out=$(lab exec host1 ping -q -c 800 -i 0.005 -s 1200 -W 2 10.1.2.2 2>&1)
log "$(echo "$out" | tail -2 | tr '\n' ' ')"
loss=$(echo "$out" | sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p')
sleep 1
after=$(spis spoke1)
soft=$(($(counter spoke1 ipsec.rekey_soft) - soft0))
hard=$(counter spoke1 ipsec.expired_hard)
log "spoke1 CHILD SPIs to spoke2 after: $after; rekey_soft +$soft; expired_hard $hard"
[ "$soft" -ge 5 ] || fail "expected at least 5 volume rekeys for ~1 MB at 64 KiB, saw $soft"
[ -n "$before" ] && [ -n "$after" ] && [ "$before" != "$after" ] || fail "CHILD SPIs did not change"
[ "$hard" = 0 ] || fail "an SA reached its hard limit ($hard)"
[ "$loss" = 0 ] || fail "ping loss ${loss}% across the rekeys"
pass
