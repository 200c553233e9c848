/* Pure IPv4 / IPv6 / UDP header parsers and the few builders the data plane
 * needs (IP headers, ICMP "fragmentation needed" / ICMPv6 "packet too big").
 *
 * Parsers take bytes and return a validated struct pointing into the
 * caller's buffer; every failure is a named ip_err. Bytes after the IP
 * total length (link-layer padding) are allowed and excluded from the
 * payload; a total length beyond the buffer is IP_E_TRUNCATED.
 */
#ifndef DMVPN_OVERLAY_IP_H
#define DMVPN_OVERLAY_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

struct writer;

#define IPPROTO_NUM_HOPOPTS  0
#define IPPROTO_NUM_ICMP     1
#define IPPROTO_NUM_UDP      17
#define IPPROTO_NUM_ROUTING  43
#define IPPROTO_NUM_FRAGMENT 44
#define IPPROTO_NUM_GRE      47
#define IPPROTO_NUM_ESP      50
#define IPPROTO_NUM_AH       51
#define IPPROTO_NUM_ICMPV6   58
#define IPPROTO_NUM_NONE     59
#define IPPROTO_NUM_DSTOPTS  60

#define IPV4_HDR_LEN     20
#define IPV6_HDR_LEN     40
#define UDP_HDR_LEN      8
#define IPV6_MAX_EXTHDRS 8 /* longer chains are refused */

enum ip_err {
	IP_OK = 0,
	IP_E_TRUNCATED = -1,      /* buffer shorter than the header or total length */
	IP_E_VERSION = -2,        /* version not 4 or 6 (or not the one asked for) */
	IP_E_IHL = -3,            /* IPv4 IHL < 5 */
	IP_E_TOTLEN = -4,         /* IPv4 total length < IHL*4 */
	IP_E_CHECKSUM = -5,       /* IPv4 header checksum wrong */
	IP_E_FRAG_OVERFLOW = -6,  /* fragment offset + length beyond 65535 */
	IP_E_EXT_TRUNCATED = -7,  /* IPv6 extension header runs past the payload */
	IP_E_EXT_ORDER = -8,      /* IPv6 hop-by-hop options not first */
	IP_E_EXT_TOO_MANY = -9,   /* more than IPV6_MAX_EXTHDRS extension headers */
	IP_E_JUMBO = -10,         /* IPv6 payload length 0 (jumbogram): unsupported */
	IP_E_UDP_TRUNCATED = -11, /* UDP shorter than 8 bytes or than its length field */
	IP_E_UDP_LEN = -12,       /* UDP length field < 8 */
	IP_E_UDP_CHECKSUM = -13,  /* UDP checksum wrong (or zero over IPv6) */
	IP_E_NOSPACE = -14,       /* builder: writer too small */
	IP_E_INVAL = -15,         /* builder: bad argument */
	IP_E_ICMP_SUPPRESS = -16, /* no ICMP error may be sent about this packet
	                             (it is an ICMP error, a non-first fragment,
	                             from an unspecified/multicast source, or
	                             IPv4 without DF) */
	IP_E_MAX_ = -17
};

struct ip_info {
	uint8_t version;     /* 4 or 6 */
	uint8_t proto;       /* upper-layer protocol: IPv4 protocol, or IPv6 next
	                        header after the extension headers walked */
	uint8_t ttl;         /* TTL / hop limit */
	uint8_t tos;         /* TOS / traffic class */
	uint32_t flow_label; /* IPv6 only */
	uint32_t id;         /* IPv4 identification / IPv6 fragment id */
	bool df;             /* IPv4 don't fragment */
	bool mf;             /* more fragments (IPv4 flag / IPv6 M bit) */
	bool frag_hdr;       /* IPv6 fragment header present */
	uint16_t frag_off;   /* fragment offset in bytes */
	bool is_fragment;    /* mf || frag_off != 0 */
	uint16_t hdr_len;    /* bytes before the upper-layer payload */
	uint32_t tot_len;    /* datagram length from the header fields */
	struct ipaddr src;
	struct ipaddr dst;
	const uint8_t *payload; /* upper-layer payload (fragment data if non-first) */
	size_t payload_len;
};

struct udp_info {
	uint16_t sport;
	uint16_t dport;
	uint16_t len; /* length field (header + data) */
	uint16_t csum;
	const uint8_t *payload;
	size_t payload_len;
};

/* Dispatches on the version nibble. Returns 0 or a negative ip_err. */
int ip_parse(struct ip_info *ip, const uint8_t *buf, size_t len);
int ipv4_parse(struct ip_info *ip, const uint8_t *buf, size_t len);
/* Walks hop-by-hop (first only), routing, fragment and destination options
 * to the upper protocol; stops at a non-first fragment, AH, ESP and
 * anything else. */
int ipv6_parse(struct ip_info *ip, const uint8_t *buf, size_t len);

/* Parses a UDP header; data beyond the UDP length is excluded. */
int udp_parse(struct udp_info *u, const uint8_t *buf, size_t len);
/* Verifies the UDP checksum of a datagram parsed from ip->payload with the
 * pseudo-header. IPv4 checksum 0 means "none" and passes; IPv6 checksum 0
 * fails. Returns 0 or IP_E_UDP_CHECKSUM / IP_E_INVAL. */
int udp_csum_check(const struct ip_info *ip, const struct udp_info *u);
/* Checksum of an upper-layer segment with the IPv4/IPv6 pseudo-header (for
 * UDP, ICMPv6, ...); fill the checksum field with 0 before calling. The
 * result is in network order like inet_csum(). */
uint16_t ip_pseudo_csum(const struct ipaddr *src, const struct ipaddr *dst, uint8_t proto,
                        const void *seg, size_t len);

/* IP header to build. */
struct ip_tmpl {
	struct ipaddr src; /* family selects IPv4 or IPv6; dst must match */
	struct ipaddr dst;
	uint8_t proto;
	uint8_t ttl; /* 0 means 64 */
	uint8_t tos;
	uint16_t id;         /* IPv4 identification */
	bool df;             /* IPv4 */
	uint32_t flow_label; /* IPv6 */
};

/* Writes an IPv4 header (checksum filled) or IPv6 header for a payload of
 * payload_len bytes the caller appends. Returns 0, IP_E_INVAL (families,
 * length > 65535 total) or IP_E_NOSPACE. */
int ip_hdr_build(struct writer *w, const struct ip_tmpl *t, size_t payload_len);

/* Builds a complete IP packet telling the source of the offending packet
 * pkt that it is too big for `mtu`: ICMP type 3 code 4 (RFC 1191, next-hop
 * MTU, quoting as much of pkt as fits in 576 bytes) for IPv4, ICMPv6 Packet
 * Too Big (RFC 4443, quoting as much as fits in 1280 bytes) for IPv6. The
 * error is sent from `from` (same family) to pkt's source. An IPv4 packet
 * without DF gets IP_E_ICMP_SUPPRESS: it is to be fragmented instead.
 * Returns 0, the ip_parse error of pkt, IP_E_ICMP_SUPPRESS, IP_E_INVAL or
 * IP_E_NOSPACE. */
int ip_icmp_too_big_build(struct writer *w, const uint8_t *pkt, size_t len,
                          const struct ipaddr *from, uint32_t mtu);

/* The IPv6 link-local address of an overlay interface: fe80::/64 and an
 * interface identifier hashed (FNV-1a, 64 bits) from the interface name and
 * the node's NBMA addresses (either may be NULL or unset), so that each TAP
 * of a namespace, and each node of an overlay, has its own. The U/L bit is
 * cleared (RFC 4291: not a universal EUI-64); the identifier is never 0. */
void ip6_ll_derive(const char *ifname, const struct ipaddr *nbma4, const struct ipaddr *nbma6,
                   struct ipaddr *out);

const char *ip_strerror(int err);
/* "UDP", "GRE", "ESP", ... or "unknown". */
const char *ip_proto_name(uint8_t proto);

#endif
