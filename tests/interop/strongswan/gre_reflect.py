#!/usr/bin/env python3
"""Echoes every GRE packet back to its source (run in charon's namespace).

This kernel has no GRE module, so the GRE that kernel-libipsec delivers
through its TUN device (decrypted from our ESP) reaches only raw sockets.
Each packet goes back unchanged to the address it came from; the route
kernel-libipsec installed for the peer's selector sends it through ipsec0,
so it leaves again inside ESP. Counts go to the file given as the first
argument ("received N echoed M") on SIGTERM.
"""
import signal
import socket
import sys

IPPROTO_GRE = 47
received = echoed = 0


def report(*_):
    with open(sys.argv[1], "w") as f:
        f.write("received %d echoed %d\n" % (received, echoed))
    sys.exit(0)


def main():
    global received, echoed
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_GRE)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    signal.signal(signal.SIGTERM, report)
    signal.signal(signal.SIGINT, report)
    with open(sys.argv[1], "w") as f:
        f.write("ready\n")
    while True:
        pkt, (src, _) = s.recvfrom(65535)
        ihl = (pkt[0] & 15) * 4
        received += 1
        try:
            s.sendto(pkt[ihl:], (src, 0))
            echoed += 1
        except OSError as e:
            print("gre_reflect: %s" % e, file=sys.stderr)


if __name__ == "__main__":
    main()
