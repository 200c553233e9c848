#!/usr/bin/env python3
"""Tiny UDP multicast sender/receiver for scenario 7.
  mcast.py send GROUP PORT IFADDR COUNT MESSAGE
  mcast.py recv GROUP PORT IFADDR TIMEOUT   -> prints the first datagram, exit 0; exit 1 on timeout
"""
import socket, struct, sys, time

def main():
    mode, group, port, ifaddr = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    if mode == "send":
        count, msg = int(sys.argv[5]), sys.argv[6].encode()
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ifaddr))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        for _ in range(count):
            s.sendto(msg, (group, port))
            time.sleep(0.2)
        return 0
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((group, port))
    mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(ifaddr))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    s.settimeout(float(sys.argv[5]))
    try:
        data, src = s.recvfrom(2048)
    except socket.timeout:
        print("no datagram")
        return 1
    print("%s from %s" % (data.decode(errors="replace"), src[0]))
    return 0

sys.exit(main())
