/* Overlay link layer, pure part: the Ethernet frames that cross the TAP.
 *
 * The kernel sees each overlay interface as an Ethernet link. Every peer gets
 * a locally administered MAC address that encodes its index in the peer
 * table; the kernel learns it by ARP (IPv4) or Neighbor Discovery (IPv6),
 * which the daemon answers from these helpers. Nothing here touches a socket
 * or a global: frames in, validated structs or frames out.
 *
 * Parsers return 0 or a negative enum arp_err, named by arp_strerror(). A
 * query that parses is one that deserves an answer: probes (DAD), gratuitous
 * ARP and malformed frames are rejected with their own reason.
 */
#ifndef DMVPN_OVERLAY_ARP_H
#define DMVPN_OVERLAY_ARP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

#define ARP_MAC_LEN        6
#define ARP_ETH_HLEN       14
#define ARP_ETHERTYPE_IPV4 0x0800
#define ARP_ETHERTYPE_ARP  0x0806
#define ARP_ETHERTYPE_IPV6 0x86dd
/* Largest answer arp_answer_build writes (Ethernet + IPv6 + NA + option). */
#define ARP_ANSWER_MAX 86

enum arp_err {
	ARP_OK = 0,
	ARP_ERR_ETH_SHORT = -1,    /* shorter than an Ethernet header */
	ARP_ERR_ETH_SRC = -2,      /* Ethernet source is multicast/broadcast */
	ARP_ERR_ETHERTYPE = -3,    /* neither ARP nor IPv6 */
	ARP_ERR_TRUNCATED = -4,    /* a header or length field runs past the frame */
	ARP_ERR_HTYPE = -5,        /* ARP hardware type is not Ethernet */
	ARP_ERR_PTYPE = -6,        /* ARP protocol type is not IPv4 */
	ARP_ERR_HLEN = -7,         /* ARP hardware address length is not 6 */
	ARP_ERR_PLEN = -8,         /* ARP protocol address length is not 4 */
	ARP_ERR_NOT_REQUEST = -9,  /* ARP opcode is not request */
	ARP_ERR_SENDER_MAC = -10,  /* ARP sender / NS source link-layer address multicast */
	ARP_ERR_PROBE = -11,       /* ARP probe (sender 0.0.0.0): duplicate detection */
	ARP_ERR_GRATUITOUS = -12,  /* gratuitous ARP (sender == target) */
	ARP_ERR_TARGET = -13,      /* target address unspecified, multicast or broadcast */
	ARP_ERR_IP_VERSION = -14,  /* IP version field does not match the ethertype */
	ARP_ERR_NEXT_HEADER = -15, /* IPv6 next header is not ICMPv6 */
	ARP_ERR_NOT_NS = -16,      /* ICMPv6 type is not Neighbor Solicitation */
	ARP_ERR_HOP_LIMIT = -17,   /* NS hop limit is not 255 (RFC 4861 7.1.1) */
	ARP_ERR_ICMP_CODE = -18,   /* NS code is not 0 */
	ARP_ERR_CHECKSUM = -19,    /* ICMPv6 checksum is wrong */
	ARP_ERR_OPTION = -20,      /* ND option with length 0 or past the end */
	ARP_ERR_DAD = -21,         /* NS from :: (duplicate address detection) */
	ARP_ERR_SOURCE = -22,      /* IPv6 source is multicast */
	ARP_ERR_NOSPACE = -23,     /* output buffer too small */
	ARP_ERR_ARG = -24,         /* invalid argument to a builder */
};
#define ARP_ERR_COUNT 25 /* number of codes, ARP_OK included */

/* Name of a code ("eth-short", "checksum", ...); "unknown" for others. */
const char *arp_strerror(int err);

/* What a frame read from the TAP is, from its headers alone (no validation
 * beyond what is needed to tell). */
enum arp_frame_kind {
	ARP_FRAME_INVALID = 0, /* shorter than an Ethernet header or truncated IP header */
	ARP_FRAME_ARP,         /* ethertype ARP: hand to arp_query_parse */
	ARP_FRAME_IPV4,        /* an IPv4 packet to carry */
	ARP_FRAME_IPV6,        /* an IPv6 packet to carry */
	ARP_FRAME_ND_NS,       /* ICMPv6 Neighbor Solicitation: hand to arp_query_parse */
	ARP_FRAME_ND_LOCAL,    /* other ND (RS, RA, NA, Redirect) or MLD: link-local, not carried */
	ARP_FRAME_OTHER,       /* another ethertype (LLDP, ...) */
};
enum arp_frame_kind arp_frame_classify(const uint8_t *frame, size_t len);
const char *arp_frame_kind_name(enum arp_frame_kind kind);

/* A question "who has target?" asked by the kernel on the TAP, as an ARP
 * request (family AF_INET) or a Neighbor Solicitation (AF_INET6). */
struct arp_query {
	uint8_t family;                  /* AF_INET or AF_INET6 */
	struct ipaddr target;            /* the address asked about */
	struct ipaddr sender;            /* asker's IP (ARP sender / IPv6 source) */
	uint8_t sender_mac[ARP_MAC_LEN]; /* ARP sender hw / NS SLLA, else Ethernet source */
	uint8_t eth_src[ARP_MAC_LEN];
	uint8_t eth_dst[ARP_MAC_LEN];
	bool unicast; /* Ethernet destination was unicast (NUD probe) */
};

/* Parses an ARP request or an IPv6 Neighbor Solicitation (checksum, hop
 * limit, options and addresses checked). Returns 0 or a negative arp_err;
 * on error *q is zeroed. Trailing bytes after the packet (padding) are
 * ignored. */
int arp_query_parse(const uint8_t *frame, size_t len, struct arp_query *q);

/* Writes the answer to q, "q->target is at mac": an ARP reply or a Neighbor
 * Advertisement (Solicited and Override set, Router clear, with a Target
 * Link-Layer Address option and the ICMPv6 checksum), Ethernet header
 * included, addressed to the asker. Returns the frame length (at most
 * ARP_ANSWER_MAX) or a negative arp_err. */
int arp_answer_build(uint8_t *buf, size_t cap, const struct arp_query *q,
                     const uint8_t mac[ARP_MAC_LEN]);

/* Ethernet framing for IP packets written into the TAP. */
void arp_eth_header_write(uint8_t hdr[ARP_ETH_HLEN], const uint8_t dst[ARP_MAC_LEN],
                          const uint8_t src[ARP_MAC_LEN], uint16_t ethertype);
/* Ethertype for an IP packet from its version nibble: 0x0800, 0x86dd, or 0
 * when the packet is empty or of another version. */
uint16_t arp_ip_ethertype(const uint8_t *ip, size_t len);
/* Copies an IP packet behind an Ethernet header; the ethertype follows the
 * IP version. ip may already sit at buf + ARP_ETH_HLEN (in-place framing).
 * Returns the frame length or a negative arp_err. */
int arp_eth_build(uint8_t *buf, size_t cap, const uint8_t dst[ARP_MAC_LEN],
                  const uint8_t src[ARP_MAC_LEN], const void *ip, size_t len);
/* Destination MAC for an IP packet written into the TAP: the mapped
 * multicast MAC (01:00:5e:.. / 33:33:..) for a multicast address,
 * ff:ff:ff:ff:ff:ff for 255.255.255.255, else the TAP's own MAC (self). */
void arp_mac_for_dst(uint8_t mac[ARP_MAC_LEN], const struct ipaddr *dst,
                     const uint8_t self[ARP_MAC_LEN]);

/* MAC addresses. Peers: 02:d7:ii:ii:ii:ii (locally administered unicast,
 * the index big-endian). The TAP's own MAC is 02:d6:00:00:00:01, outside
 * that scheme, so a frame from the kernel never names a peer by accident. */
void peer_mac_from_index(uint8_t mac[ARP_MAC_LEN], uint32_t idx);
/* Inverse of peer_mac_from_index: 0 and *idx, or -1 for any other MAC. */
int peer_mac_to_index(const uint8_t mac[ARP_MAC_LEN], uint32_t *idx);
void arp_self_mac(uint8_t mac[ARP_MAC_LEN]);
/* Group bit set (multicast, broadcast included). */
static inline bool arp_mac_is_multicast(const uint8_t mac[ARP_MAC_LEN])
{
	return mac[0] & 1;
}
bool arp_mac_is_broadcast(const uint8_t mac[ARP_MAC_LEN]);

#endif
