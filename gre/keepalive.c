/* Cisco-style GRE keepalives: build our requests, recognise a peer's request
 * (and what to reflect), recognise replies. See keepalive.h for the format
 * as observed in various_gre.pcap.
 *
 * The inner IP header is checked here with a few lines of its own rather
 * than with overlay/ip.c, so that libgre stays free of other modules.
 */
#include "gre/keepalive.h"

#include <string.h>
#include <sys/socket.h>

#include "lib/util.h"
#include "lib/writer.h"

#define KA_IPPROTO_GRE 47
#define KA_IPV4_HDR    20
#define KA_IPV6_HDR    40

static bool ka_family_ok(const struct ipaddr *a)
{
	return (a->family == AF_INET && a->len == 4) || (a->family == AF_INET6 && a->len == 16);
}

static struct gre_hdr ka_inner_tmpl(const struct gre_ka_req *req)
{
	struct gre_hdr t = {0};

	t.protocol = GRE_PROTO_KEEPALIVE;
	t.key_present = req->key_present;
	t.key = req->key;
	t.seq_present = !req->no_seq;
	t.seq = req->id;
	return t;
}

size_t gre_ka_len(const struct gre_ka_req *req)
{
	struct gre_hdr outer = {.key_present = req->key_present};
	struct gre_hdr inner = ka_inner_tmpl(req);
	size_t iph = req->local.family == AF_INET6 ? KA_IPV6_HDR : KA_IPV4_HDR;

	return gre_hdr_len(&outer) + iph + gre_hdr_len(&inner);
}

static void ka_ipv4_write(struct writer *w, const struct gre_ka_req *req, size_t inner_len)
{
	size_t start = wr_len(w);
	uint16_t sum;

	wr_u8(w, 0x45);
	wr_u8(w, req->tos);
	wr_be16(w, (uint16_t)(KA_IPV4_HDR + inner_len));
	wr_be16(w, (uint16_t)req->id);
	wr_be16(w, 0); /* no flags, offset 0 */
	wr_u8(w, req->ttl ? req->ttl : 255);
	wr_u8(w, KA_IPPROTO_GRE);
	wr_be16(w, 0);
	wr_bytes(w, req->peer.b, 4);  /* src: the peer, which reflects it */
	wr_bytes(w, req->local.b, 4); /* dst: back to us */
	if (!wr_ok(w))
		return;
	sum = inet_csum(w->buf + start, KA_IPV4_HDR);
	wr_patch_be16(w, start + 10, sum);
}

static void ka_ipv6_write(struct writer *w, const struct gre_ka_req *req, size_t inner_len)
{
	wr_be32(w, 6u << 28 | (uint32_t)req->tos << 20);
	wr_be16(w, (uint16_t)inner_len);
	wr_u8(w, KA_IPPROTO_GRE);
	wr_u8(w, req->ttl ? req->ttl : 255);
	wr_bytes(w, req->peer.b, 16);
	wr_bytes(w, req->local.b, 16);
}

int gre_ka_build(struct writer *w, const struct gre_ka_req *req)
{
	struct gre_hdr outer = {0};
	struct gre_hdr inner = ka_inner_tmpl(req);
	int rc;

	if (!ka_family_ok(&req->local) || !ka_family_ok(&req->peer) ||
	    req->local.family != req->peer.family)
		return GRE_E_INVAL;
	outer.protocol = req->local.family == AF_INET ? GRE_PROTO_IPV4 : GRE_PROTO_IPV6;
	outer.key_present = req->key_present;
	outer.key = req->key;
	rc = gre_build_hdr(w, &outer);
	if (rc < 0)
		return rc;
	if (req->local.family == AF_INET)
		ka_ipv4_write(w, req, gre_hdr_len(&inner));
	else
		ka_ipv6_write(w, req, gre_hdr_len(&inner));
	rc = gre_build_hdr(w, &inner);
	if (rc < 0)
		return rc;
	return wr_ok(w) ? GRE_OK : GRE_E_NOSPACE;
}

/* Inner IP packet of a candidate request. Returns GRE_E_KA_NOT for any
 * ordinary packet (not GRE, fragmented) so that the data path goes on. */
struct ka_inner {
	const uint8_t *gre;
	size_t gre_len;
	size_t ip_len;
	uint8_t ttl;
};

static int ka_inner_ipv4(struct ka_inner *in, struct gre_ka_request *r, const uint8_t *p,
                         size_t len)
{
	size_t ihl, tot;

	if (len < KA_IPV4_HDR || p[0] >> 4 != 4)
		return GRE_E_KA_INNER_IP;
	if (p[9] != KA_IPPROTO_GRE)
		return GRE_E_KA_NOT;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	tot = (size_t)p[2] << 8 | p[3];
	if (ihl < KA_IPV4_HDR || tot < ihl || tot > len || inet_csum(p, ihl) != 0)
		return GRE_E_KA_INNER_IP;
	if ((p[6] & 0x3f) || p[7]) /* MF or fragment offset: not a keepalive */
		return GRE_E_KA_NOT;
	in->gre = p + ihl;
	in->gre_len = tot - ihl;
	in->ip_len = tot;
	in->ttl = p[8];
	ipaddr_from_bytes(&r->src, p + 12, 4);
	ipaddr_from_bytes(&r->dst, p + 16, 4);
	return GRE_OK;
}

static int ka_inner_ipv6(struct ka_inner *in, struct gre_ka_request *r, const uint8_t *p,
                         size_t len)
{
	size_t plen;

	if (len < KA_IPV6_HDR || p[0] >> 4 != 6)
		return GRE_E_KA_INNER_IP;
	if (p[6] != KA_IPPROTO_GRE) /* keepalives carry no extension headers */
		return GRE_E_KA_NOT;
	plen = (size_t)p[4] << 8 | p[5];
	if (plen > len - KA_IPV6_HDR)
		return GRE_E_KA_INNER_IP;
	in->gre = p + KA_IPV6_HDR;
	in->gre_len = plen;
	in->ip_len = KA_IPV6_HDR + plen;
	in->ttl = p[7];
	ipaddr_from_bytes(&r->src, p + 8, 16);
	ipaddr_from_bytes(&r->dst, p + 24, 16);
	return GRE_OK;
}

int gre_ka_request_parse(struct gre_ka_request *r, const struct gre_hdr *g,
                         const struct ipaddr *outer_src)
{
	struct ka_inner in = {0};
	const uint8_t *p;
	size_t len;
	uint16_t proto;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = gre_payload_unwrap(g, &proto, &p, &len, &r->sgt);
	if (rc < 0)
		return rc;
	if (proto == GRE_PROTO_IPV4)
		rc = ka_inner_ipv4(&in, r, p, len);
	else if (proto == GRE_PROTO_IPV6)
		rc = ka_inner_ipv6(&in, r, p, len);
	else
		return GRE_E_KA_NOT;
	if (rc < 0)
		return rc;
	/* Ordinary GRE-in-GRE traffic (PPTP through the tunnel, say) is not a
	 * keepalive; only a well-formed inner protocol 0x0000 is. */
	rc = gre_parse(&r->inner, in.gre, in.gre_len);
	if (in.gre_len >= GRE_HDR_MIN && in.gre[2] == 0 && in.gre[3] == 0) {
		if (rc < 0)
			return GRE_E_KA_INNER_GRE;
	} else {
		return GRE_E_KA_NOT;
	}
	if (outer_src && !ipaddr_eq(&r->dst, outer_src))
		return GRE_E_KA_MIRROR;
	r->reflect = p;
	r->reflect_len = in.ip_len;
	r->reflect_gre = in.gre;
	r->reflect_gre_len = in.gre_len;
	r->ttl = in.ttl;
	return GRE_OK;
}

int gre_ka_reply_parse(struct gre_ka_reply *r, const struct gre_hdr *g)
{
	const uint8_t *p;
	size_t len;
	uint16_t proto;

	memset(r, 0, sizeof(*r));
	/* a reply behind a MetaData shim still counts */
	if (gre_payload_unwrap(g, &proto, &p, &len, NULL) < 0 || proto != GRE_PROTO_KEEPALIVE)
		return GRE_E_KA_NOT;
	r->key_present = g->key_present;
	r->key = g->key;
	r->id_present = g->seq_present;
	r->id = g->seq;
	return GRE_OK;
}

bool gre_ka_reply_matches(const struct gre_ka_reply *r, const struct gre_ka_req *req)
{
	if (r->key_present != req->key_present || (r->key_present && r->key != req->key))
		return false;
	if (req->no_seq)
		return !r->id_present;
	return r->id_present && r->id == req->id;
}
