/* decode: link layers of a capture (Ethernet with 802.1Q/QinQ, raw IP,
 * BSD loopback, Linux cooked v1/v2), down to the network-layer protocol.
 *
 * Pure: bytes in, struct decode_link out. Link types are libpcap's DLT_*
 * values as returned by pcap_datalink().
 */
#include "cli/decode_priv.h"

#include <pcap/dlt.h>
#include <string.h>

#include "lib/cursor.h"
#include "lib/util.h"

#define ETH_P_IPV4     0x0800
#define ETH_P_IPV6     0x86dd
#define ETH_P_8021Q    0x8100
#define ETH_P_8021AD   0x88a8
#define ETH_P_QINQ_OLD 0x9100
#define ETH_MIN_TYPE   0x0600 /* below: an 802.3 length field */

static const char *const link_err_names[] = {
    [DECODE_LINK_OK] = "ok",
    [DECODE_LINK_TRUNCATED] = "truncated link header",
    [DECODE_LINK_UNSUPPORTED] = "unsupported link type",
    [DECODE_LINK_BAD_FAMILY] = "unknown loopback address family",
    [DECODE_LINK_TOO_MANY_TAGS] = "too many VLAN tags",
};

const char *decode_link_strerror(int err)
{
	if (err < 0)
		err = -err;
	if ((size_t)err >= ARRAY_SIZE(link_err_names) || !link_err_names[err])
		return "unknown link error";
	return link_err_names[err];
}

const char *decode_link_name(int dlt)
{
	switch (dlt) {
	case DLT_NULL:
		return "null";
	case DLT_EN10MB:
		return "ethernet";
	case DLT_RAW:
		return "raw";
	case DLT_IPV4:
		return "ipv4";
	case DLT_IPV6:
		return "ipv6";
	case DLT_LOOP:
		return "loop";
	case DLT_LINUX_SLL:
		return "sll";
	case DLT_LINUX_SLL2:
		return "sll2";
	default:
		return "unknown";
	}
}

/* First nibble of the payload decides for raw IP. */
static int link_raw_guess(struct cursor *c, struct decode_link *l)
{
	uint8_t v;

	if (!cur_peek(c, &v, 1))
		return -DECODE_LINK_TRUNCATED;
	switch (v >> 4) {
	case 4:
		l->ethertype = ETH_P_IPV4;
		break;
	case 6:
		l->ethertype = ETH_P_IPV6;
		break;
	default:
		l->ethertype = 0; /* reported as "not IP" by the walker */
		break;
	}
	return 0;
}

/* BSD AF_ values differ per OS; AF_INET is 2 everywhere, AF_INET6 is 10
 * (Linux), 24 (OpenBSD/NetBSD), 28 (FreeBSD), 30 (macOS). */
static int link_af_to_ethertype(uint32_t af, struct decode_link *l)
{
	switch (af) {
	case 2:
		l->ethertype = ETH_P_IPV4;
		return 0;
	case 10:
	case 24:
	case 28:
	case 30:
		l->ethertype = ETH_P_IPV6;
		return 0;
	default:
		l->ethertype = 0;
		return -DECODE_LINK_BAD_FAMILY;
	}
}

static int link_null(struct cursor *c, struct decode_link *l, bool network_order)
{
	const uint8_t *b = cur_bytes(c, 4);
	uint32_t le, be;

	if (!b)
		return -DECODE_LINK_TRUNCATED;
	be = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	le = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
	/* DLT_NULL is in the capturing host's byte order: accept both. */
	l->family = network_order || be < 0x10000 ? be : le;
	return link_af_to_ethertype(l->family, l);
}

static int link_ethernet(struct cursor *c, struct decode_link *l)
{
	uint16_t type;

	if (!cur_copy(c, l->dst_mac, 6) || !cur_copy(c, l->src_mac, 6))
		return -DECODE_LINK_TRUNCATED;
	l->has_mac = true;
	type = cur_be16(c);
	while (cur_ok(c) &&
	       (type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ_OLD)) {
		uint16_t tci = cur_be16(c);

		if (!cur_ok(c))
			break;
		if (l->nvlan >= DECODE_MAX_VLAN)
			return -DECODE_LINK_TOO_MANY_TAGS;
		l->vlan[l->nvlan++] = tci & 0x0fff;
		type = cur_be16(c);
	}
	if (!cur_ok(c))
		return -DECODE_LINK_TRUNCATED;
	if (type < ETH_MIN_TYPE) {
		l->llc_len = type; /* IEEE 802.3 frame with LLC (STP, CDP...) */
		l->ethertype = 0;
		return 0;
	}
	l->ethertype = type;
	return 0;
}

static int link_sll(struct cursor *c, struct decode_link *l)
{
	uint16_t alen;

	l->sll_pkttype = cur_be16(c);
	cur_be16(c); /* ARPHRD_ type */
	alen = cur_be16(c);
	cur_skip(c, 8); /* link-layer address, padded to 8 */
	l->ethertype = cur_be16(c);
	(void)alen;
	return cur_ok(c) ? 0 : -DECODE_LINK_TRUNCATED;
}

static int link_sll2(struct cursor *c, struct decode_link *l)
{
	l->ethertype = cur_be16(c);
	cur_be16(c);              /* reserved */
	l->ifindex = cur_be32(c); /* interface index */
	cur_be16(c);              /* ARPHRD_ type */
	l->sll_pkttype = cur_u8(c);
	cur_u8(c);      /* address length */
	cur_skip(c, 8); /* address */
	return cur_ok(c) ? 0 : -DECODE_LINK_TRUNCATED;
}

int decode_link_parse(int dlt, const uint8_t *buf, size_t len, struct decode_link *l)
{
	struct cursor c;
	int rc;

	memset(l, 0, sizeof(*l));
	l->dlt = dlt;
	cur_init(&c, buf, len);
	switch (dlt) {
	case DLT_EN10MB:
		rc = link_ethernet(&c, l);
		break;
	case DLT_RAW: /* libpcap maps LINKTYPE_RAW (101) to this */
		rc = link_raw_guess(&c, l);
		break;
	case DLT_IPV4:
		l->ethertype = ETH_P_IPV4;
		rc = 0;
		break;
	case DLT_IPV6:
		l->ethertype = ETH_P_IPV6;
		rc = 0;
		break;
	case DLT_NULL:
		rc = link_null(&c, l, false);
		break;
	case DLT_LOOP:
		rc = link_null(&c, l, true);
		break;
	case DLT_LINUX_SLL:
		rc = link_sll(&c, l);
		break;
	case DLT_LINUX_SLL2:
		rc = link_sll2(&c, l);
		break;
	default:
		return -DECODE_LINK_UNSUPPORTED;
	}
	l->offset = cur_ok(&c) ? cur_offset(&c) : len;
	return rc;
}
