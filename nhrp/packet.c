/* NHRP fixed header and mandatory part (RFC 2332 5.1, 5.2; Cisco Traffic
 * Indication), parse and build, plus the in-place forwarding helpers. */
#include "nhrp/packet.h"

#include <string.h>

#include "lib/cursor.h"
#include "lib/util.h"

/* Offsets in the fixed header. */
#define OFF_AFN     0
#define OFF_PRO     2
#define OFF_HOPS    9
#define OFF_PKTSZ   10
#define OFF_CSUM    12
#define OFF_EXTOFF  14
#define OFF_VERSION 16
#define OFF_TYPE    17
#define OFF_SHTL    18
#define OFF_SSTL    19

unsigned nhrp_nbma_size(uint16_t afn)
{
	switch (afn) {
	case NHRP_AFN_IPV4:
		return 4;
	case NHRP_AFN_IPV6:
		return 16;
	default:
		return 0;
	}
}

unsigned nhrp_proto_size(uint16_t pro)
{
	switch (pro) {
	case NHRP_PRO_IPV4:
		return 4;
	case NHRP_PRO_IPV6:
		return 16;
	default:
		return 0;
	}
}

static bool type_has_cies(uint8_t type)
{
	return type >= NHRP_RESOLUTION_REQUEST && type <= NHRP_PURGE_REPLY;
}

static bool type_has_payload(uint8_t type)
{
	return type == NHRP_ERROR_INDICATION || type == NHRP_TRAFFIC_INDICATION;
}

static void addr_take(struct ipaddr *a, const uint8_t *p, unsigned len)
{
	memset(a, 0, sizeof(*a));
	if (len)
		ipaddr_from_bytes(a, p, len);
}

static bool size_ok(unsigned len, unsigned size)
{
	return len == 0 || len == size;
}

/* Mandatory part: c covers ar$extoff (or ar$pktsz) minus the fixed header. */
static int mandatory_parse(struct nhrp_packet *pkt, struct cursor *c, unsigned shl, unsigned ssl)
{
	const uint8_t *nbma, *sub, *src, *dst;
	unsigned spl, dpl;

	pkt->err_offset = (uint16_t)cur_offset(c);
	if (cur_left(c) < NHRP_MAND_LEN)
		return NHRP_E_MANDATORY;
	spl = cur_u8(c);
	dpl = cur_u8(c);
	if (!size_ok(spl, nhrp_proto_size(pkt->pro_type)))
		return NHRP_E_ADDR_LEN;
	pkt->err_offset++;
	if (!size_ok(dpl, nhrp_proto_size(pkt->pro_type)))
		return NHRP_E_ADDR_LEN;
	if (pkt->type == NHRP_ERROR_INDICATION) {
		cur_skip(c, 2);
		pkt->error_code = cur_be16(c);
		pkt->error_offset = cur_be16(c);
	} else if (pkt->type == NHRP_TRAFFIC_INDICATION) {
		cur_skip(c, 2);
		pkt->traffic_code = cur_be16(c);
		cur_skip(c, 2);
	} else {
		pkt->flags = cur_be16(c);
		pkt->request_id = cur_be32(c);
	}
	pkt->err_offset = (uint16_t)cur_offset(c);
	nbma = cur_bytes(c, shl);
	sub = cur_bytes(c, ssl);
	src = cur_bytes(c, spl);
	dst = cur_bytes(c, dpl);
	if (!cur_ok(c))
		return NHRP_E_MANDATORY;
	addr_take(&pkt->src_nbma, nbma, shl);
	pkt->src_nbma_sub.p = ssl ? sub : NULL;
	pkt->src_nbma_sub.len = (uint16_t)ssl;
	addr_take(&pkt->src_proto, src, spl);
	addr_take(&pkt->dst_proto, dst, dpl);

	if (type_has_cies(pkt->type))
		return nhrp_cie_list_parse(pkt, &pkt->cies, c);
	pkt->payload.len = (uint16_t)cur_left(c);
	pkt->payload.p = pkt->payload.len ? cur_bytes(c, pkt->payload.len) : NULL;
	return NHRP_OK;
}

/* The checks run in the order a receiver needs them: what sizes the packet
 * first, then its integrity, then what the fields mean. */
int nhrp_parse(struct nhrp_packet *pkt, const uint8_t *buf, size_t len)
{
	struct cursor all, hdr, mand, ext;
	unsigned shl = 0, ssl = 0;
	uint8_t version, shtl, sstl;
	size_t mand_end;
	int rc;

	memset(pkt, 0, sizeof(*pkt));
	if (!buf || len < NHRP_FIXED_LEN)
		return NHRP_E_SHORT;
	cur_init(&hdr, buf, NHRP_FIXED_LEN);
	pkt->afn = cur_be16(&hdr);
	pkt->pro_type = cur_be16(&hdr);
	cur_skip(&hdr, 5); /* ar$pro.snap: ignored unless ar$pro.type is 0x0080 */
	pkt->hop_count = cur_u8(&hdr);
	pkt->pktsz = cur_be16(&hdr);
	pkt->checksum = cur_be16(&hdr);
	pkt->extoff = cur_be16(&hdr);
	version = cur_u8(&hdr);
	pkt->type = cur_u8(&hdr);
	shtl = cur_u8(&hdr);
	sstl = cur_u8(&hdr);

	pkt->err_offset = OFF_VERSION;
	if (version != NHRP_VERSION)
		return NHRP_E_VERSION;
	pkt->err_offset = OFF_PKTSZ;
	if (pkt->pktsz < NHRP_FIXED_LEN || pkt->pktsz > len)
		return NHRP_E_PKTSZ;
	pkt->err_offset = OFF_CSUM;
	if (inet_csum(buf, pkt->pktsz) != 0)
		return NHRP_E_CHECKSUM;
	pkt->err_offset = OFF_AFN;
	if (!nhrp_nbma_size(pkt->afn))
		return NHRP_E_AFN;
	pkt->err_offset = OFF_PRO;
	if (!nhrp_proto_size(pkt->pro_type))
		return NHRP_E_PROTO;
	pkt->err_offset = OFF_TYPE;
	if (pkt->type < NHRP_RESOLUTION_REQUEST || pkt->type > NHRP_TRAFFIC_INDICATION)
		return NHRP_E_TYPE;
	pkt->err_offset = OFF_EXTOFF;
	if (pkt->extoff && (pkt->extoff < NHRP_FIXED_LEN || pkt->extoff > pkt->pktsz))
		return NHRP_E_EXTOFF;
	pkt->err_offset = OFF_SHTL;
	if (shtl & 0xc0) /* 0x40: E.164 address type, 0x80: reserved */
		return NHRP_E_ADDR_TYPE;
	shl = shtl & 0x3f;
	if (!size_ok(shl, nhrp_nbma_size(pkt->afn)))
		return NHRP_E_ADDR_LEN;
	pkt->err_offset = OFF_SSTL;
	if (sstl & 0xc0)
		return NHRP_E_ADDR_TYPE;
	ssl = sstl & 0x3f;

	/* Sub-cursors keep offsets relative to buf. */
	mand_end = pkt->extoff ? pkt->extoff : pkt->pktsz;
	cur_init(&all, buf, pkt->pktsz);
	cur_skip(&all, NHRP_FIXED_LEN);
	mand = cur_sub(&all, mand_end - NHRP_FIXED_LEN);
	if ((rc = mandatory_parse(pkt, &mand, shl, ssl)) < 0)
		return rc;
	if (pkt->extoff) {
		ext = cur_sub(&all, pkt->pktsz - mand_end);
		if ((rc = nhrp_ext_list_parse(pkt, &ext)) < 0)
			return rc;
	}
	pkt->err_offset = 0;
	return NHRP_OK;
}

static int packet_check(const struct nhrp_packet *pkt)
{
	unsigned nbma = nhrp_nbma_size(pkt->afn), proto = nhrp_proto_size(pkt->pro_type);
	int rc;

	if (!nbma)
		return NHRP_E_AFN;
	if (!proto)
		return NHRP_E_PROTO;
	if (pkt->type < NHRP_RESOLUTION_REQUEST || pkt->type > NHRP_TRAFFIC_INDICATION)
		return NHRP_E_TYPE;
	if (!size_ok(pkt->src_nbma.len, nbma) || !size_ok(pkt->src_proto.len, proto) ||
	    !size_ok(pkt->dst_proto.len, proto))
		return NHRP_E_ADDR_LEN;
	if (pkt->src_nbma_sub.len > 0x3f || (pkt->src_nbma_sub.len && !pkt->src_nbma_sub.p))
		return NHRP_E_INVALID;
	if (type_has_cies(pkt->type) && (rc = nhrp_cie_list_check(pkt, &pkt->cies)) < 0)
		return rc;
	if (type_has_payload(pkt->type) && pkt->payload.len && !pkt->payload.p)
		return NHRP_E_INVALID;
	return nhrp_ext_list_check(pkt);
}

int nhrp_build(struct writer *w, const struct nhrp_packet *pkt)
{
	size_t start, extoff = 0, total;
	uint8_t *p;
	int rc;

	if (!w || !pkt)
		return NHRP_E_INVALID;
	if ((rc = packet_check(pkt)) < 0)
		return rc;
	start = wr_mark(w);
	wr_be16(w, pkt->afn);
	wr_be16(w, pkt->pro_type);
	wr_zero(w, 5); /* ar$pro.snap */
	wr_u8(w, pkt->hop_count);
	wr_be16(w, 0); /* ar$pktsz, patched */
	wr_be16(w, 0); /* ar$chksum, patched */
	wr_be16(w, 0); /* ar$extoff, patched */
	wr_u8(w, NHRP_VERSION);
	wr_u8(w, pkt->type);
	wr_u8(w, pkt->src_nbma.len);
	wr_u8(w, (uint8_t)pkt->src_nbma_sub.len);

	wr_u8(w, pkt->src_proto.len);
	wr_u8(w, pkt->dst_proto.len);
	if (pkt->type == NHRP_ERROR_INDICATION) {
		wr_be16(w, 0);
		wr_be16(w, pkt->error_code);
		wr_be16(w, pkt->error_offset);
	} else if (pkt->type == NHRP_TRAFFIC_INDICATION) {
		wr_be16(w, 0);
		wr_be16(w, pkt->traffic_code);
		wr_be16(w, 0);
	} else {
		wr_be16(w, pkt->flags);
		wr_be32(w, pkt->request_id);
	}
	wr_bytes(w, pkt->src_nbma.b, pkt->src_nbma.len);
	wr_bytes(w, pkt->src_nbma_sub.p, pkt->src_nbma_sub.len);
	wr_bytes(w, pkt->src_proto.b, pkt->src_proto.len);
	wr_bytes(w, pkt->dst_proto.b, pkt->dst_proto.len);
	if (type_has_cies(pkt->type))
		nhrp_cie_list_write(w, &pkt->cies);
	else
		wr_bytes(w, pkt->payload.p, pkt->payload.len);

	if (pkt->ext_end || pkt->n_ext) {
		extoff = wr_len(w) - start;
		nhrp_ext_list_write(w, pkt);
	}
	if (!wr_ok(w))
		return NHRP_E_NOSPACE;
	total = wr_len(w) - start;
	if (total > 0xffff || extoff > 0xffff)
		return NHRP_E_TOO_BIG;
	wr_patch_be16(w, start + OFF_PKTSZ, (uint16_t)total);
	wr_patch_be16(w, start + OFF_EXTOFF, (uint16_t)extoff);
	p = w->buf + start;
	wr_patch_be16(w, start + OFF_CSUM, nhrp_checksum(p, total));
	return wr_ok(w) ? NHRP_OK : NHRP_E_NOSPACE;
}

void nhrp_packet_init(struct nhrp_packet *pkt, enum nhrp_type type, enum nhrp_afn afn,
                      enum nhrp_pro pro)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->afn = afn;
	pkt->pro_type = pro;
	pkt->type = (uint8_t)type;
	pkt->hop_count = NHRP_HOPS_MAX;
}

static bool addr_eq(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

bool nhrp_packet_eq(const struct nhrp_packet *a, const struct nhrp_packet *b)
{
	if (a->afn != b->afn || a->pro_type != b->pro_type || a->hop_count != b->hop_count ||
	    a->type != b->type)
		return false;
	if (!addr_eq(&a->src_nbma, &b->src_nbma) ||
	    !nhrp_raw_eq(&a->src_nbma_sub, &b->src_nbma_sub) ||
	    !addr_eq(&a->src_proto, &b->src_proto) || !addr_eq(&a->dst_proto, &b->dst_proto))
		return false;
	if (a->type == NHRP_ERROR_INDICATION) {
		if (a->error_code != b->error_code || a->error_offset != b->error_offset ||
		    !nhrp_raw_eq(&a->payload, &b->payload))
			return false;
	} else if (a->type == NHRP_TRAFFIC_INDICATION) {
		if (a->traffic_code != b->traffic_code || !nhrp_raw_eq(&a->payload, &b->payload))
			return false;
	} else if (a->flags != b->flags || a->request_id != b->request_id ||
	           !nhrp_cie_list_eq(&a->cies, &b->cies)) {
		return false;
	}
	return nhrp_ext_list_eq(a, b);
}

uint16_t nhrp_checksum(const uint8_t *buf, size_t len)
{
	uint32_t acc;

	if (len < NHRP_FIXED_LEN)
		return 0;
	acc = inet_csum_add(0, buf, OFF_CSUM);
	acc = inet_csum_add(acc, buf + OFF_CSUM + 2, len - OFF_CSUM - 2);
	return inet_csum_fold(acc);
}

int nhrp_checksum_fix(uint8_t *buf, size_t len)
{
	uint16_t c;

	if (!buf || len < NHRP_FIXED_LEN)
		return NHRP_E_SHORT;
	c = nhrp_checksum(buf, len);
	buf[OFF_CSUM] = (uint8_t)(c >> 8);
	buf[OFF_CSUM + 1] = (uint8_t)c;
	return NHRP_OK;
}

int nhrp_hop_decrement(uint8_t *buf, size_t len)
{
	uint16_t old_word, new_word, csum;
	uint32_t acc;

	if (!buf || len < NHRP_FIXED_LEN)
		return NHRP_E_SHORT;
	if (buf[OFF_HOPS] == 0)
		return NHRP_E_HOP_COUNT;
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), m = the 16-bit word
	 * holding the hop count (last snap byte, hop count). */
	old_word = (uint16_t)(buf[OFF_HOPS - 1] << 8 | buf[OFF_HOPS]);
	buf[OFF_HOPS]--;
	new_word = (uint16_t)(buf[OFF_HOPS - 1] << 8 | buf[OFF_HOPS]);
	csum = (uint16_t)(buf[OFF_CSUM] << 8 | buf[OFF_CSUM + 1]);
	acc = (uint16_t)~csum;
	acc += (uint16_t)~old_word;
	acc += new_word;
	csum = inet_csum_fold(acc);
	buf[OFF_CSUM] = (uint8_t)(csum >> 8);
	buf[OFF_CSUM + 1] = (uint8_t)csum;
	return buf[OFF_HOPS];
}
