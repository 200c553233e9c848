/* Cisco-style GRE keepalives.
 *
 * A request is an ordinary GRE packet (protocol 0x0800, or 0x86DD over an
 * IPv6 underlay) whose payload is a complete IP packet addressed back to the
 * sender: inner src = the peer, inner dst = the sender, inner protocol 47,
 * carrying a GRE header with protocol 0x0000. The peer "reflects" it by
 * decapsulating and routing the inner packet, so the sender receives a GRE
 * packet with protocol 0x0000: the reply.
 *
 * Seen in various_gre.pcap (Cisco IOL 15.5): the request is wrapped in a
 * Cisco MetaData shim (outer GRE protocol 0x8909, then ethertype 0x0800,
 * SGT 0), outer and inner GRE both carry key 0x28, the inner GRE has no
 * sequence number and no payload, and the reply is the inner packet exactly
 * (its TTL one lower). Requests with or without the shim are recognised.
 *
 * Our own requests carry a 32-bit probe id in the inner GRE sequence field
 * (S bit) and its low 16 bits in the inner IPv4 identification, so a reply
 * can be matched to the probe even when the reflector rewrote the IP header.
 *
 * All functions are pure. They work on GRE packets as they come off a raw
 * socket 47 payload or out of ESP: the outer IP header is not included.
 */
#ifndef DMVPN_GRE_KEEPALIVE_H
#define DMVPN_GRE_KEEPALIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gre/gre.h"
#include "lib/addr.h"

struct writer;

/* Keepalive request to build. */
struct gre_ka_req {
	struct ipaddr local; /* our NBMA address: outer src, inner dst */
	struct ipaddr peer;  /* the peer's NBMA address: outer dst, inner src */
	bool key_present;    /* GRE key on both outer and inner header */
	uint32_t key;
	uint32_t id; /* probe id: inner GRE sequence, low 16 bits in IPv4 ID */
	uint8_t ttl; /* inner TTL / hop limit; 0 means 255 */
	uint8_t tos; /* inner TOS / traffic class (Cisco uses 0xc0) */
	bool no_seq; /* true: Cisco-identical inner GRE without S bit */
};

/* A recognised incoming request. */
struct gre_ka_request {
	const uint8_t *reflect; /* the inner IP packet to send back as is */
	size_t reflect_len;
	const uint8_t *reflect_gre; /* its GRE part (after the inner IP header),
	                               for senders that add the IP header themselves */
	size_t reflect_gre_len;
	struct ipaddr src;    /* inner source (us, as the sender sees us) */
	struct ipaddr dst;    /* inner destination: where the reply goes */
	uint8_t ttl;          /* inner TTL / hop limit */
	struct gre_hdr inner; /* inner GRE header (protocol 0x0000) */
	int32_t sgt;          /* Cisco MetaData SGT, or -1 without the shim */
};

/* A recognised reply to a request (ours or anybody's). */
struct gre_ka_reply {
	bool key_present;
	uint32_t key;
	bool id_present; /* S bit was set: id is the probe id */
	uint32_t id;
};

/* Size of the packet gre_ka_build() writes for this request. */
size_t gre_ka_len(const struct gre_ka_req *req);
/* Writes outer GRE header + inner IP header + inner GRE header. Returns 0,
 * GRE_E_INVAL (address families differ or unset) or GRE_E_NOSPACE. */
int gre_ka_build(struct writer *w, const struct gre_ka_req *req);

/* Is the GRE packet g (as parsed by gre_parse) a keepalive request? Returns
 * 0 and fills r; GRE_E_KA_NOT when it is something else (ordinary traffic:
 * carry on); GRE_E_KA_INNER_IP / _INNER_GRE / GRE_E_CMD_* when it claims to
 * be one but is malformed. When outer_src is non-NULL (the address the
 * packet came from, known for raw-socket GRE without NAT), the inner
 * destination must equal it or GRE_E_KA_MIRROR is returned: a peer may only
 * make us send a reply to itself. With outer_src NULL (behind NAT, inside
 * ESP) the caller must send the reply only back to the peer the request
 * came from, e.g. reflect_gre over that peer's own path. */
int gre_ka_request_parse(struct gre_ka_request *r, const struct gre_hdr *g,
                         const struct ipaddr *outer_src);

/* Is the GRE packet g a keepalive reply (protocol 0x0000, also behind a
 * Cisco MetaData shim)? Returns 0 and fills r, or GRE_E_KA_NOT. */
int gre_ka_reply_parse(struct gre_ka_reply *r, const struct gre_hdr *g);
/* True when reply r answers our request req (same key; same id when the
 * reply carries one). */
bool gre_ka_reply_matches(const struct gre_ka_reply *r, const struct gre_ka_req *req);

#endif
