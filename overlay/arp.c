/* Overlay link layer, pure part: ARP (RFC 826), IPv6 Neighbor Discovery
 * (RFC 4861) solicitations and advertisements, Ethernet framing, peer MACs. */
#include "arp.h"

#include <string.h>
#include <sys/socket.h>

#include "lib/cursor.h"
#include "lib/util.h"
#include "lib/writer.h"

#define ARP_HTYPE_ETHER 1
#define ARP_OP_REQUEST  1
#define ARP_OP_REPLY    2
#define ARP_BODY_LEN    28

#define IP6_HLEN             40
#define IPPROTO_ICMP6        58
#define ICMP6_MLD_QUERY      130
#define ICMP6_MLD_REPORT     131
#define ICMP6_MLD_DONE       132
#define ICMP6_ND_RS          133
#define ICMP6_ND_RA          134
#define ICMP6_ND_NS          135
#define ICMP6_ND_NA          136
#define ICMP6_ND_REDIRECT    137
#define ICMP6_MLD2_REPORT    143
#define ND_NS_LEN            24 /* type, code, checksum, reserved, target */
#define ND_OPT_SLLA          1
#define ND_OPT_TLLA          2
#define ND_NA_FLAG_SOLICITED 0x40000000u
#define ND_NA_FLAG_OVERRIDE  0x20000000u

static const char *const arp_err_names[ARP_ERR_COUNT] = {
    [0] = "ok",
    [-ARP_ERR_ETH_SHORT] = "eth-short",
    [-ARP_ERR_ETH_SRC] = "eth-src-multicast",
    [-ARP_ERR_ETHERTYPE] = "ethertype",
    [-ARP_ERR_TRUNCATED] = "truncated",
    [-ARP_ERR_HTYPE] = "arp-htype",
    [-ARP_ERR_PTYPE] = "arp-ptype",
    [-ARP_ERR_HLEN] = "arp-hlen",
    [-ARP_ERR_PLEN] = "arp-plen",
    [-ARP_ERR_NOT_REQUEST] = "arp-not-request",
    [-ARP_ERR_SENDER_MAC] = "sender-mac-multicast",
    [-ARP_ERR_PROBE] = "arp-probe",
    [-ARP_ERR_GRATUITOUS] = "arp-gratuitous",
    [-ARP_ERR_TARGET] = "target-invalid",
    [-ARP_ERR_IP_VERSION] = "ip-version",
    [-ARP_ERR_NEXT_HEADER] = "next-header",
    [-ARP_ERR_NOT_NS] = "not-ns",
    [-ARP_ERR_HOP_LIMIT] = "hop-limit",
    [-ARP_ERR_ICMP_CODE] = "icmp-code",
    [-ARP_ERR_CHECKSUM] = "checksum",
    [-ARP_ERR_OPTION] = "nd-option",
    [-ARP_ERR_DAD] = "nd-dad",
    [-ARP_ERR_SOURCE] = "source-multicast",
    [-ARP_ERR_NOSPACE] = "no-space",
    [-ARP_ERR_ARG] = "bad-argument",
};

const char *arp_strerror(int err)
{
	if (err > 0 || err <= -ARP_ERR_COUNT || !arp_err_names[-err])
		return "unknown";
	return arp_err_names[-err];
}

static const char *const arp_kind_names[] = {
    [ARP_FRAME_INVALID] = "invalid", [ARP_FRAME_ARP] = "arp",     [ARP_FRAME_IPV4] = "ipv4",
    [ARP_FRAME_IPV6] = "ipv6",       [ARP_FRAME_ND_NS] = "nd-ns", [ARP_FRAME_ND_LOCAL] = "nd-local",
    [ARP_FRAME_OTHER] = "other",
};

const char *arp_frame_kind_name(enum arp_frame_kind kind)
{
	if ((unsigned)kind >= ARRAY_SIZE(arp_kind_names))
		return "unknown";
	return arp_kind_names[kind];
}

/* ---- MAC addresses ---- */

static const uint8_t mac_broadcast[ARP_MAC_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
#define PEER_MAC_B0 0x02
#define PEER_MAC_B1 0xd7
#define SELF_MAC_B1 0xd6

void peer_mac_from_index(uint8_t mac[ARP_MAC_LEN], uint32_t idx)
{
	mac[0] = PEER_MAC_B0;
	mac[1] = PEER_MAC_B1;
	mac[2] = (uint8_t)(idx >> 24);
	mac[3] = (uint8_t)(idx >> 16);
	mac[4] = (uint8_t)(idx >> 8);
	mac[5] = (uint8_t)idx;
}

int peer_mac_to_index(const uint8_t mac[ARP_MAC_LEN], uint32_t *idx)
{
	if (mac[0] != PEER_MAC_B0 || mac[1] != PEER_MAC_B1)
		return -1;
	*idx = (uint32_t)mac[2] << 24 | (uint32_t)mac[3] << 16 | (uint32_t)mac[4] << 8 | mac[5];
	return 0;
}

void arp_self_mac(uint8_t mac[ARP_MAC_LEN])
{
	static const uint8_t self[ARP_MAC_LEN] = {PEER_MAC_B0, SELF_MAC_B1, 0, 0, 0, 1};

	memcpy(mac, self, ARP_MAC_LEN);
}

bool arp_mac_is_broadcast(const uint8_t mac[ARP_MAC_LEN])
{
	return memcmp(mac, mac_broadcast, ARP_MAC_LEN) == 0;
}

/* ---- address predicates ---- */

static bool ip4_is_zero(const uint8_t a[4])
{
	return (a[0] | a[1] | a[2] | a[3]) == 0;
}

static bool ip4_is_multicast_or_bcast(const uint8_t a[4])
{
	return (a[0] & 0xf0) == 0xe0 || (a[0] & a[1] & a[2] & a[3]) == 0xff;
}

static bool ip6_is_zero(const uint8_t a[16])
{
	uint8_t acc = 0;

	for (int i = 0; i < 16; i++)
		acc |= a[i];
	return acc == 0;
}

/* ---- frame classification ---- */

static bool ip6_is_ext_header(uint8_t nh)
{
	return nh == 0 /* hop-by-hop */ || nh == 43 /* routing */ || nh == 60 /* dest opts */;
}

static enum arp_frame_kind classify_ipv6(struct cursor *c)
{
	const uint8_t *h = cur_bytes(c, IP6_HLEN);
	uint8_t nh;

	if (!h || h[0] >> 4 != 6)
		return ARP_FRAME_INVALID;
	nh = h[6];
	/* MLD reports carry a hop-by-hop header (router alert); skip a few. */
	for (int i = 0; i < 4 && ip6_is_ext_header(nh); i++) {
		uint8_t next = cur_u8(c);
		size_t elen = ((size_t)cur_u8(c) + 1) * 8;

		if (!cur_skip(c, elen - 2))
			return ARP_FRAME_IPV6;
		nh = next;
	}
	if (nh != IPPROTO_ICMP6 || cur_left(c) < 1)
		return ARP_FRAME_IPV6;
	switch (cur_u8(c)) {
	case ICMP6_ND_NS:
		return ARP_FRAME_ND_NS;
	case ICMP6_MLD_QUERY:
	case ICMP6_MLD_REPORT:
	case ICMP6_MLD_DONE:
	case ICMP6_ND_RS:
	case ICMP6_ND_RA:
	case ICMP6_ND_NA:
	case ICMP6_ND_REDIRECT:
	case ICMP6_MLD2_REPORT:
		return ARP_FRAME_ND_LOCAL;
	default:
		return ARP_FRAME_IPV6;
	}
}

enum arp_frame_kind arp_frame_classify(const uint8_t *frame, size_t len)
{
	struct cursor c;
	uint16_t type;

	cur_init(&c, frame, len);
	if (!cur_skip(&c, 2 * ARP_MAC_LEN))
		return ARP_FRAME_INVALID;
	type = cur_be16(&c);
	if (!cur_ok(&c))
		return ARP_FRAME_INVALID;
	switch (type) {
	case ARP_ETHERTYPE_ARP:
		return ARP_FRAME_ARP;
	case ARP_ETHERTYPE_IPV4:
		if (cur_left(&c) < 20 || c.p[0] >> 4 != 4)
			return ARP_FRAME_INVALID;
		return ARP_FRAME_IPV4;
	case ARP_ETHERTYPE_IPV6:
		return classify_ipv6(&c);
	default:
		return ARP_FRAME_OTHER;
	}
}

/* ---- ARP request ---- */

static int arp_parse(struct cursor *c, struct arp_query *q)
{
	const uint8_t *spa, *tpa;

	if (cur_left(c) < 8)
		return ARP_ERR_TRUNCATED;
	if (cur_be16(c) != ARP_HTYPE_ETHER)
		return ARP_ERR_HTYPE;
	if (cur_be16(c) != ARP_ETHERTYPE_IPV4)
		return ARP_ERR_PTYPE;
	if (cur_u8(c) != ARP_MAC_LEN)
		return ARP_ERR_HLEN;
	if (cur_u8(c) != 4)
		return ARP_ERR_PLEN;
	if (cur_be16(c) != ARP_OP_REQUEST)
		return ARP_ERR_NOT_REQUEST;
	if (cur_left(c) < ARP_BODY_LEN - 8)
		return ARP_ERR_TRUNCATED;
	cur_copy(c, q->sender_mac, ARP_MAC_LEN);
	spa = cur_bytes(c, 4);
	cur_skip(c, ARP_MAC_LEN); /* target hardware address: meaningless in a request */
	tpa = cur_bytes(c, 4);
	if (!cur_ok(c) || !spa || !tpa)
		return ARP_ERR_TRUNCATED;
	if (arp_mac_is_multicast(q->sender_mac))
		return ARP_ERR_SENDER_MAC;
	if (ip4_is_zero(spa))
		return ARP_ERR_PROBE;
	if (ip4_is_zero(tpa) || ip4_is_multicast_or_bcast(tpa))
		return ARP_ERR_TARGET;
	if (memcmp(spa, tpa, 4) == 0)
		return ARP_ERR_GRATUITOUS;
	q->family = AF_INET;
	ipaddr_from_bytes(&q->sender, spa, 4);
	ipaddr_from_bytes(&q->target, tpa, 4);
	return ARP_OK;
}

/* ---- Neighbor Solicitation ---- */

/* Sum of the IPv6 pseudo-header (RFC 8200 8.1) for an ICMPv6 message. */
static uint32_t icmp6_pseudo_sum(const uint8_t src[16], const uint8_t dst[16], uint32_t len)
{
	uint8_t tail[8] = {
	    (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len, 0, 0, 0,
	    IPPROTO_ICMP6};
	uint32_t acc = inet_csum_add(0, src, 16);

	acc = inet_csum_add(acc, dst, 16);
	return inet_csum_add(acc, tail, sizeof(tail));
}

static int ns_options_parse(struct cursor *c, struct arp_query *q, bool *has_slla)
{
	while (cur_left(c) > 0) {
		uint8_t type = cur_u8(c);
		uint8_t units = cur_u8(c);

		if (!cur_ok(c) || units == 0)
			return ARP_ERR_OPTION;
		struct cursor o = cur_sub(c, (size_t)units * 8 - 2);
		if (!cur_ok(&o))
			return ARP_ERR_OPTION;
		if (type == ND_OPT_SLLA && !*has_slla) {
			if (!cur_copy(&o, q->sender_mac, ARP_MAC_LEN))
				return ARP_ERR_OPTION;
			*has_slla = true;
		}
	}
	return ARP_OK;
}

static int ns_parse(struct cursor *c, struct arp_query *q)
{
	const uint8_t *ip = cur_bytes(c, IP6_HLEN);
	const uint8_t *src, *dst, *target;
	struct cursor icmp;
	bool has_slla = false;
	uint16_t plen;
	int err;

	if (!ip)
		return ARP_ERR_TRUNCATED;
	if (ip[0] >> 4 != 6)
		return ARP_ERR_IP_VERSION;
	plen = (uint16_t)(ip[4] << 8 | ip[5]);
	src = ip + 8;
	dst = ip + 24;
	if (ip[6] != IPPROTO_ICMP6)
		return ARP_ERR_NEXT_HEADER;
	icmp = cur_sub(c, plen);
	if (!cur_ok(&icmp))
		return ARP_ERR_TRUNCATED;
	if (cur_left(&icmp) < 1 || icmp.p[0] != ICMP6_ND_NS)
		return cur_left(&icmp) < 1 ? ARP_ERR_TRUNCATED : ARP_ERR_NOT_NS;
	if (ip[7] != 255)
		return ARP_ERR_HOP_LIMIT;
	if (plen < ND_NS_LEN)
		return ARP_ERR_TRUNCATED;
	if (icmp.p[1] != 0)
		return ARP_ERR_ICMP_CODE;
	if (inet_csum_fold(inet_csum_add(icmp6_pseudo_sum(src, dst, plen), icmp.p, plen)) != 0)
		return ARP_ERR_CHECKSUM;
	cur_skip(&icmp, 8); /* type, code, checksum, reserved */
	target = cur_bytes(&icmp, 16);
	if (!target)
		return ARP_ERR_TRUNCATED;
	if (target[0] == 0xff || ip6_is_zero(target))
		return ARP_ERR_TARGET;
	if (src[0] == 0xff)
		return ARP_ERR_SOURCE;
	err = ns_options_parse(&icmp, q, &has_slla);
	if (err)
		return err;
	if (ip6_is_zero(src))
		return ARP_ERR_DAD;
	if (has_slla && arp_mac_is_multicast(q->sender_mac))
		return ARP_ERR_SENDER_MAC;
	if (!has_slla)
		memcpy(q->sender_mac, q->eth_src, ARP_MAC_LEN);
	q->family = AF_INET6;
	ipaddr_from_bytes(&q->sender, src, 16);
	ipaddr_from_bytes(&q->target, target, 16);
	return ARP_OK;
}

int arp_query_parse(const uint8_t *frame, size_t len, struct arp_query *q)
{
	struct cursor c;
	uint16_t type;
	int err;

	memset(q, 0, sizeof(*q));
	cur_init(&c, frame, len);
	if (len < ARP_ETH_HLEN)
		return ARP_ERR_ETH_SHORT;
	cur_copy(&c, q->eth_dst, ARP_MAC_LEN);
	cur_copy(&c, q->eth_src, ARP_MAC_LEN);
	type = cur_be16(&c);
	if (arp_mac_is_multicast(q->eth_src)) {
		err = ARP_ERR_ETH_SRC;
	} else if (type == ARP_ETHERTYPE_ARP) {
		err = arp_parse(&c, q);
	} else if (type == ARP_ETHERTYPE_IPV6) {
		err = ns_parse(&c, q);
	} else {
		err = ARP_ERR_ETHERTYPE;
	}
	if (err) {
		memset(q, 0, sizeof(*q));
		return err;
	}
	q->unicast = !arp_mac_is_multicast(q->eth_dst);
	return ARP_OK;
}

/* ---- answers ---- */

static int arp_reply_write(struct writer *w, const struct arp_query *q,
                           const uint8_t mac[ARP_MAC_LEN])
{
	uint8_t *eth = wr_reserve(w, ARP_ETH_HLEN);

	if (eth)
		arp_eth_header_write(eth, q->sender_mac, mac, ARP_ETHERTYPE_ARP);
	wr_be16(w, ARP_HTYPE_ETHER);
	wr_be16(w, ARP_ETHERTYPE_IPV4);
	wr_u8(w, ARP_MAC_LEN);
	wr_u8(w, 4);
	wr_be16(w, ARP_OP_REPLY);
	wr_bytes(w, mac, ARP_MAC_LEN);
	wr_bytes(w, q->target.b, 4);
	wr_bytes(w, q->sender_mac, ARP_MAC_LEN);
	wr_bytes(w, q->sender.b, 4);
	return ARP_OK;
}

static int na_write(struct writer *w, const struct arp_query *q, const uint8_t mac[ARP_MAC_LEN])
{
	const uint32_t icmp_len = ND_NS_LEN + 8; /* NA header + TLLA option */
	uint8_t *eth = wr_reserve(w, ARP_ETH_HLEN);
	size_t icmp_off;

	if (eth)
		arp_eth_header_write(eth, q->sender_mac, mac, ARP_ETHERTYPE_IPV6);
	wr_be32(w, 0x60000000u); /* version 6, traffic class 0, flow label 0 */
	wr_be16(w, (uint16_t)icmp_len);
	wr_u8(w, IPPROTO_ICMP6);
	wr_u8(w, 255);
	wr_bytes(w, q->target.b, 16);
	wr_bytes(w, q->sender.b, 16);
	icmp_off = wr_mark(w);
	wr_u8(w, ICMP6_ND_NA);
	wr_u8(w, 0);
	wr_be16(w, 0); /* checksum, patched below */
	wr_be32(w, ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE);
	wr_bytes(w, q->target.b, 16);
	wr_u8(w, ND_OPT_TLLA);
	wr_u8(w, 1);
	wr_bytes(w, mac, ARP_MAC_LEN);
	if (!wr_ok(w))
		return ARP_ERR_NOSPACE;
	uint32_t acc = icmp6_pseudo_sum(q->target.b, q->sender.b, icmp_len);
	acc = inet_csum_add(acc, w->buf + icmp_off, icmp_len);
	wr_patch_be16(w, icmp_off + 2, inet_csum_fold(acc));
	return ARP_OK;
}

int arp_answer_build(uint8_t *buf, size_t cap, const struct arp_query *q,
                     const uint8_t mac[ARP_MAC_LEN])
{
	struct writer w;
	int err;

	if (arp_mac_is_multicast(mac) || arp_mac_is_multicast(q->sender_mac))
		return ARP_ERR_ARG;
	wr_init(&w, buf, cap);
	if (q->family == AF_INET && q->target.len == 4 && q->sender.len == 4)
		err = arp_reply_write(&w, q, mac);
	else if (q->family == AF_INET6 && q->target.len == 16 && q->sender.len == 16)
		err = na_write(&w, q, mac);
	else
		return ARP_ERR_ARG;
	if (err)
		return err;
	if (!wr_ok(&w))
		return ARP_ERR_NOSPACE;
	return (int)wr_len(&w);
}

/* ---- Ethernet framing ---- */

void arp_eth_header_write(uint8_t hdr[ARP_ETH_HLEN], const uint8_t dst[ARP_MAC_LEN],
                          const uint8_t src[ARP_MAC_LEN], uint16_t ethertype)
{
	memcpy(hdr, dst, ARP_MAC_LEN);
	memcpy(hdr + ARP_MAC_LEN, src, ARP_MAC_LEN);
	hdr[12] = (uint8_t)(ethertype >> 8);
	hdr[13] = (uint8_t)ethertype;
}

uint16_t arp_ip_ethertype(const uint8_t *ip, size_t len)
{
	if (len < 1)
		return 0;
	switch (ip[0] >> 4) {
	case 4:
		return ARP_ETHERTYPE_IPV4;
	case 6:
		return ARP_ETHERTYPE_IPV6;
	default:
		return 0;
	}
}

int arp_eth_build(uint8_t *buf, size_t cap, const uint8_t dst[ARP_MAC_LEN],
                  const uint8_t src[ARP_MAC_LEN], const void *ip, size_t len)
{
	uint16_t type = arp_ip_ethertype(ip, len);

	if (!type)
		return ARP_ERR_IP_VERSION;
	if (cap < ARP_ETH_HLEN || len > cap - ARP_ETH_HLEN ||
	    len > (size_t)INT32_MAX - ARP_ETH_HLEN)
		return ARP_ERR_NOSPACE;
	arp_eth_header_write(buf, dst, src, type);
	memmove(buf + ARP_ETH_HLEN, ip, len);
	return (int)(ARP_ETH_HLEN + len);
}

void arp_mac_for_dst(uint8_t mac[ARP_MAC_LEN], const struct ipaddr *dst,
                     const uint8_t self[ARP_MAC_LEN])
{
	const uint8_t *a = dst->b;

	if (dst->len == 4 && (a[0] & 0xf0) == 0xe0) {
		const uint8_t m[ARP_MAC_LEN] = {0x01, 0x00, 0x5e, a[1] & 0x7f, a[2], a[3]};
		memcpy(mac, m, ARP_MAC_LEN);
	} else if (dst->len == 4 && (a[0] & a[1] & a[2] & a[3]) == 0xff) {
		memcpy(mac, mac_broadcast, ARP_MAC_LEN);
	} else if (dst->len == 16 && a[0] == 0xff) {
		const uint8_t m[ARP_MAC_LEN] = {0x33, 0x33, a[12], a[13], a[14], a[15]};
		memcpy(mac, m, ARP_MAC_LEN);
	} else {
		memcpy(mac, self, ARP_MAC_LEN);
	}
}
