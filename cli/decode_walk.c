/* decode: the frame walker. Link layer -> IP -> GRE / UDP / ESP -> the
 * protocol codecs (gre/, overlay/, nhrp/, ike/), into a struct decode_pkt.
 *
 * The walker decodes a private copy of the frame (ctx->buf). When a
 * checksum is wrong (IPv4 header, GRE, NHRP) it records a note, repairs the
 * checksum in the copy and parses again, so the rest of the packet is still
 * shown. A capture truncated by the snapshot length is handled the same
 * way: the IP length is clipped to what was captured, and said so.
 */
#include "cli/decode_priv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

static void walk_ip(struct decode_pkt *pkt, uint8_t *p, size_t len);

static void walk_fail(struct decode_pkt *pkt, const char *layer, const char *reason)
{
	if (pkt->err_layer)
		return;
	pkt->err_layer = layer;
	pkt->err_reason = reason;
}

__attribute__((format(printf, 2, 3))) static void walk_note(struct decode_pkt *pkt, const char *fmt,
                                                            ...)
{
	va_list ap;

	if (pkt->nnotes >= DECODE_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(pkt->notes[pkt->nnotes++], sizeof(pkt->notes[0]), fmt, ap);
	va_end(ap);
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ---- NHRP ---- */

static void walk_nhrp(struct decode_pkt *pkt, uint8_t *p, size_t len)
{
	int rc;

	pkt->app = DECODE_APP_NHRP;
	pkt->nhrp_buf = p;
	rc = nhrp_parse(&pkt->nhrp, p, len);
	if (rc == NHRP_E_CHECKSUM && len >= NHRP_FIXED_LEN) {
		uint16_t pktsz = get_be16(p + 10), wire = get_be16(p + 12);

		walk_note(pkt, "NHRP bad checksum 0x%04x", wire);
		if (pktsz <= len && nhrp_checksum_fix(p, pktsz) == 0)
			rc = nhrp_parse(&pkt->nhrp, p, len);
		pkt->nhrp.checksum = wire; /* show what was received */
	}
	if (rc == NHRP_E_EXT_UNKNOWN_COMPULSORY) {
		/* Well-formed; an endpoint would answer "Unrecognized Extension". */
		walk_note(pkt, "NHRP %s", nhrp_strerror(rc));
		rc = NHRP_OK;
	}
	if (rc < 0) {
		walk_fail(pkt, "NHRP", nhrp_strerror(rc));
		return;
	}
	if (pkt->nhrp.type == NHRP_TRAFFIC_INDICATION && pkt->nhrp.payload.len)
		decode_quote_parse(&pkt->quote, pkt->nhrp.payload.p, pkt->nhrp.payload.len);
}

/* ---- IKE ---- */

static void walk_ikev1(struct decode_pkt *pkt, const uint8_t *p, size_t len)
{
	struct ike_hdr h;
	size_t end;

	ike_hdr_parse(&h, p, len); /* fills the header before the version check */
	pkt->app = DECODE_APP_IKEV1;
	pkt->ikev1_encrypted = h.flags & 0x01;
	end = h.length < len ? h.length : len;
	if (pkt->ikev1_encrypted || end < IKE_HDR_LEN) {
		pkt->ike.hdr = h;
		pkt->ike.n = 0;
		return;
	}
	/* IKEv1 uses the same generic payload header as IKEv2. */
	pkt->ikev1_rc = ike_chain_parse(&pkt->ike, h.next, p + IKE_HDR_LEN, end - IKE_HDR_LEN);
	pkt->ike.hdr = h;
	if (pkt->ikev1_rc < 0)
		walk_fail(pkt, "ISAKMP", ike_strerror(pkt->ikev1_rc));
}

static void walk_ike(struct decode_pkt *pkt, const uint8_t *p, size_t len)
{
	int rc;

	if (len >= IKE_HDR_LEN && p[17] >> 4 == 1) {
		walk_ikev1(pkt, p, len);
		return;
	}
	pkt->app = DECODE_APP_IKE;
	rc = ike_msg_parse(&pkt->ike, p, len);
	if (rc < 0) {
		if (rc == IKE_ERR_SHORT || rc == IKE_ERR_VERSION)
			pkt->app = DECODE_APP_NONE;
		walk_fail(pkt, "IKE", ike_strerror(rc));
	}
}

/* ---- ESP, UDP ---- */

static void walk_esp(struct decode_pkt *pkt, const uint8_t *p, size_t len)
{
	int rc = esp_frame_parse(&pkt->esp, p, len);

	if (rc < 0) {
		walk_fail(pkt, "ESP", demux_strerror(rc));
		return;
	}
	pkt->app = DECODE_APP_ESP;
}

static void walk_udp(struct decode_pkt *pkt, struct decode_level *lv)
{
	struct demux_result r;
	struct udp_info *u = &lv->udp;
	uint8_t *p = (uint8_t *)(uintptr_t)lv->ip.payload; /* into our copy */
	size_t len = lv->ip.payload_len;
	int rc = udp_parse(u, p, len);

	if (rc == IP_E_UDP_TRUNCATED && pkt->truncated && len >= UDP_HDR_LEN) {
		/* cut by the snapshot length: decode what was captured */
		walk_note(pkt, "UDP datagram of %u bytes, %zu captured", get_be16(p + 4), len);
		put_be16(p + 4, (uint16_t)len);
		rc = udp_parse(u, p, len);
	}
	if (rc < 0) {
		walk_fail(pkt, "UDP", ip_strerror(rc));
		return;
	}
	lv->has_udp = true;
	if (u->sport == DEMUX_PORT_NATT || u->dport == DEMUX_PORT_NATT) {
		lv->next = DECODE_NEXT_APP;
		rc = demux_udp4500(&r, u->payload, u->payload_len);
		if (rc < 0) {
			walk_fail(pkt, "NAT-T", demux_strerror(rc));
			return;
		}
		switch (r.cls) {
		case DEMUX_NATT_KA:
			pkt->app = DECODE_APP_NATT_KA;
			break;
		case DEMUX_IKE:
			pkt->nonesp_marker = true;
			walk_ike(pkt, r.data, r.len);
			break;
		case DEMUX_ESP:
			walk_esp(pkt, r.data, r.len);
			break;
		default:
			break;
		}
	} else if (u->sport == DEMUX_PORT_IKE || u->dport == DEMUX_PORT_IKE) {
		lv->next = DECODE_NEXT_APP;
		rc = demux_udp500(&r, u->payload, u->payload_len);
		if (rc < 0 && rc != DEMUX_E_IKE_SHORT) {
			walk_fail(pkt, "IKE", demux_strerror(rc));
			return;
		}
		walk_ike(pkt, u->payload, u->payload_len);
	} else {
		lv->next = DECODE_NEXT_OTHER;
	}
}

/* ---- GRE ---- */

static void walk_gre(struct decode_pkt *pkt, struct decode_level *lv, uint8_t *p, size_t len)
{
	const uint8_t *pl;
	size_t pll;
	int rc = gre_parse(&lv->gre, p, len);

	if (rc == GRE_E_CHECKSUM && len >= 6) {
		uint16_t wire = get_be16(p + 4);

		walk_note(pkt, "GRE bad checksum 0x%04x", wire);
		if (gre_csum_fill(p, len) == 0)
			rc = gre_parse(&lv->gre, p, len);
		lv->gre.checksum = wire; /* show what was received */
	}
	if (rc < 0) {
		walk_fail(pkt, "GRE", gre_strerror(rc));
		return;
	}
	lv->has_gre = true;
	lv->gre_proto = lv->gre.protocol;
	pl = lv->gre.payload;
	pll = lv->gre.payload_len;
	if (lv->gre.protocol == GRE_PROTO_CMD) {
		rc = gre_cmd_parse(&lv->cmd, pl, pll);
		if (rc < 0) {
			walk_fail(pkt, "GRE", gre_strerror(rc));
			return;
		}
		lv->has_cmd = true;
		lv->gre_proto = lv->cmd.ethertype;
		pl = lv->cmd.payload;
		pll = lv->cmd.payload_len;
	}
	switch (lv->gre_proto) {
	case GRE_PROTO_KEEPALIVE:
		if (gre_ka_reply_parse(&lv->ka_reply, &lv->gre) == 0)
			lv->ka = DECODE_KA_REPLY;
		lv->next = DECODE_NEXT_NONE;
		break;
	case GRE_PROTO_IPV4:
	case GRE_PROTO_IPV6:
		rc = gre_ka_request_parse(&lv->ka_req, &lv->gre, NULL);
		if (rc == 0)
			lv->ka = DECODE_KA_REQUEST;
		else if (rc != GRE_E_KA_NOT)
			walk_note(pkt, "keepalive: %s", gre_strerror(rc));
		lv->next = DECODE_NEXT_IP;
		/* pl points into our copy: the cast gives back what we own */
		walk_ip(pkt, (uint8_t *)(uintptr_t)pl, pll);
		break;
	case GRE_PROTO_NHRP:
		lv->next = DECODE_NEXT_APP;
		walk_nhrp(pkt, (uint8_t *)(uintptr_t)pl, pll);
		break;
	default:
		lv->next = DECODE_NEXT_OTHER;
		break;
	}
}

/* ---- IP ---- */

/* Repairs what a protocol analyser must look past: a wrong IPv4 header
 * checksum, and a datagram cut short by the capture's snapshot length.
 * Returns true when the header was changed and parsing should be retried. */
static bool ip_repair(struct decode_pkt *pkt, int rc, uint8_t *p, size_t len)
{
	size_t ihl;

	if (len < 1)
		return false;
	if (p[0] >> 4 == 4 && len >= IPV4_HDR_LEN) {
		ihl = (size_t)(p[0] & 0x0f) * 4;
		if (ihl < IPV4_HDR_LEN || ihl > len)
			return false;
		if (rc == IP_E_CHECKSUM) {
			walk_note(pkt, "IPv4 bad checksum 0x%04x", get_be16(p + 10));
		} else if (rc == IP_E_TRUNCATED && pkt->truncated && get_be16(p + 2) > len) {
			walk_note(pkt, "IP datagram of %u bytes, %zu captured", get_be16(p + 2),
			          len);
			put_be16(p + 2, (uint16_t)len);
		} else {
			return false;
		}
		put_be16(p + 10, 0);
		put_be16(p + 10, inet_csum(p, ihl)); /* a value to store big-endian */
		return true;
	}
	if (p[0] >> 4 == 6 && len >= IPV6_HDR_LEN && rc == IP_E_TRUNCATED && pkt->truncated &&
	    get_be16(p + 4) > len - IPV6_HDR_LEN) {
		walk_note(pkt, "IP datagram of %u bytes, %zu captured",
		          get_be16(p + 4) + IPV6_HDR_LEN, len);
		put_be16(p + 4, (uint16_t)(len - IPV6_HDR_LEN));
		return true;
	}
	return false;
}

static void walk_ip(struct decode_pkt *pkt, uint8_t *p, size_t len)
{
	struct decode_level *lv;
	int rc;

	if (pkt->nlevel >= DECODE_MAX_LEVEL) {
		walk_note(pkt, "more than %d nested IP headers: not decoded", DECODE_MAX_LEVEL);
		return;
	}
	lv = &pkt->lv[pkt->nlevel];
	rc = ip_parse(&lv->ip, p, len);
	/* Two rounds: a truncated datagram may also have a bad checksum. */
	for (int i = 0; i < 2 && rc < 0 && ip_repair(pkt, rc, p, len); i++)
		rc = ip_parse(&lv->ip, p, len);
	if (rc < 0) {
		walk_fail(pkt, "IP", ip_strerror(rc));
		return;
	}
	pkt->nlevel++;
	if (lv->ip.is_fragment && lv->ip.frag_off != 0) {
		lv->next = DECODE_NEXT_FRAGMENT;
		return;
	}
	if (lv->ip.is_fragment)
		walk_note(pkt, "first fragment: payload incomplete");
	switch (lv->ip.proto) {
	case IPPROTO_NUM_GRE:
		walk_gre(pkt, lv, (uint8_t *)(uintptr_t)lv->ip.payload, lv->ip.payload_len);
		break;
	case IPPROTO_NUM_UDP:
		walk_udp(pkt, lv);
		break;
	case IPPROTO_NUM_ESP:
		lv->next = DECODE_NEXT_APP;
		walk_esp(pkt, lv->ip.payload, lv->ip.payload_len);
		break;
	case IPPROTO_NUM_NARP:
		lv->next = DECODE_NEXT_APP;
		walk_nhrp(pkt, (uint8_t *)(uintptr_t)lv->ip.payload, lv->ip.payload_len);
		break;
	default:
		lv->next = DECODE_NEXT_OTHER;
		break;
	}
}

/* ---- quoted packets (Traffic Indication) ---- */

void decode_quote_parse(struct decode_quote *q, const uint8_t *p, size_t len)
{
	size_t hl;

	memset(q, 0, sizeof(*q));
	q->quoted = len;
	if (len < 1)
		return;
	q->version = p[0] >> 4;
	if (q->version == 4 && len >= IPV4_HDR_LEN) {
		hl = (size_t)(p[0] & 0x0f) * 4;
		q->tot_len = get_be16(p + 2);
		q->proto = p[9];
		ipaddr_from_bytes(&q->src, p + 12, 4);
		ipaddr_from_bytes(&q->dst, p + 16, 4);
		q->ok = hl >= IPV4_HDR_LEN;
	} else if (q->version == 6 && len >= IPV6_HDR_LEN) {
		hl = IPV6_HDR_LEN;
		q->tot_len = (uint16_t)(get_be16(p + 4) + IPV6_HDR_LEN);
		q->proto = p[6];
		ipaddr_from_bytes(&q->src, p + 8, 16);
		ipaddr_from_bytes(&q->dst, p + 24, 16);
		q->ok = true;
	} else {
		return;
	}
	if (!q->ok || hl + 4 > len)
		return;
	if (q->proto == 6 || q->proto == IPPROTO_NUM_UDP) {
		q->has_ports = true;
		q->sport = get_be16(p + hl);
		q->dport = get_be16(p + hl + 2);
	} else if (q->proto == IPPROTO_NUM_ICMP || q->proto == IPPROTO_NUM_ICMPV6) {
		q->has_icmp = true;
		q->icmp_type = p[hl];
		q->icmp_code = p[hl + 1];
	}
}

/* ---- entry ---- */

void decode_walk(struct decode_ctx *ctx, const struct decode_frame *f)
{
	struct decode_pkt *pkt = &ctx->pkt;
	size_t len = f->caplen;
	int rc;

	memset(pkt, 0, sizeof(*pkt));
	pkt->frame = f;
	pkt->truncated = len < f->wirelen;
	free(ctx->buf);
	ctx->buf = malloc(len ? len : 1);
	if (!ctx->buf) {
		walk_fail(pkt, "decode", "out of memory");
		return;
	}
	if (len)
		memcpy(ctx->buf, f->data, len);
	rc = decode_link_parse(f->dlt, ctx->buf, len, &pkt->link);
	pkt->link_rc = rc;
	if (rc < 0) {
		walk_fail(pkt, "link", decode_link_strerror(rc));
		return;
	}
	if (pkt->link.ethertype == 0x0800 || pkt->link.ethertype == 0x86dd)
		walk_ip(pkt, ctx->buf + pkt->link.offset, len - pkt->link.offset);
}

void decode_walk_done(struct decode_ctx *ctx)
{
	free(ctx->buf);
	ctx->buf = NULL;
}
