#!/usr/bin/env bash
# Scenario 15: scenario 14 (GRE keepalives: dead peer, hub failover) with
# tunnel protection: every keepalive request and reply travels in ESP.
export IPSEC=1
. "$(dirname "$0")/14-keepalive.sh"
