#!/usr/bin/env bash
# Scenario 10: our IKEv2 engine against a real strongSwan 5.9 charon (PSK both
# directions with CHILD/IKE rekey, DPD, ECDSA and RSA certificates with
# fragmentation). tests/interop/strongswan/run.sh does the work and exits 77
# without root or strongSwan; this wrapper puts it in the netns stage.
set -u
here=$(cd "$(dirname "$0")" && pwd)
exec bash "$here/../interop/strongswan/run.sh" "${BUILD:-$here/../../build}"
