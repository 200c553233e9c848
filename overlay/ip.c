/* Pure IPv4/IPv6/UDP parsers and IP header / ICMP too-big builders. */
#include "overlay/ip.h"

#include <string.h>
#include <sys/socket.h>

#include "lib/cursor.h"
#include "lib/util.h"
#include "lib/writer.h"

static const char *const ip_err_names[] = {
    [0] = "ok",
    [-IP_E_TRUNCATED] = "truncated IP packet",
    [-IP_E_VERSION] = "unexpected IP version",
    [-IP_E_IHL] = "IPv4 header length below 20",
    [-IP_E_TOTLEN] = "IPv4 total length below header length",
    [-IP_E_CHECKSUM] = "IPv4 header checksum mismatch",
    [-IP_E_FRAG_OVERFLOW] = "fragment extends beyond 65535 bytes",
    [-IP_E_EXT_TRUNCATED] = "IPv6 extension header truncated",
    [-IP_E_EXT_ORDER] = "IPv6 hop-by-hop options header not first",
    [-IP_E_EXT_TOO_MANY] = "too many IPv6 extension headers",
    [-IP_E_JUMBO] = "IPv6 jumbogram not supported",
    [-IP_E_UDP_TRUNCATED] = "truncated UDP datagram",
    [-IP_E_UDP_LEN] = "UDP length below 8",
    [-IP_E_UDP_CHECKSUM] = "UDP checksum mismatch",
    [-IP_E_NOSPACE] = "no space for IP packet",
    [-IP_E_INVAL] = "invalid IP build argument",
    [-IP_E_ICMP_SUPPRESS] = "no ICMP error allowed about this packet",
};

const char *ip_strerror(int err)
{
	if (err > 0 || err <= IP_E_MAX_)
		return "?";
	return ip_err_names[-err];
}

const char *ip_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_NUM_HOPOPTS:
		return "HOPOPT";
	case IPPROTO_NUM_ICMP:
		return "ICMP";
	case 6:
		return "TCP";
	case IPPROTO_NUM_UDP:
		return "UDP";
	case IPPROTO_NUM_ROUTING:
		return "IPv6-Route";
	case IPPROTO_NUM_FRAGMENT:
		return "IPv6-Frag";
	case IPPROTO_NUM_GRE:
		return "GRE";
	case IPPROTO_NUM_ESP:
		return "ESP";
	case IPPROTO_NUM_AH:
		return "AH";
	case IPPROTO_NUM_ICMPV6:
		return "ICMPv6";
	case IPPROTO_NUM_NONE:
		return "IPv6-NoNxt";
	case IPPROTO_NUM_DSTOPTS:
		return "IPv6-Opts";
	default:
		return "unknown";
	}
}

/* ---- parsers ---------------------------------------------------------- */

int ipv4_parse(struct ip_info *ip, const uint8_t *buf, size_t len)
{
	struct cursor c;
	const uint8_t *s, *d;
	size_t ihl;
	uint16_t frag;

	memset(ip, 0, sizeof(*ip));
	if (!buf || len < 1)
		return IP_E_TRUNCATED;
	if (buf[0] >> 4 != 4)
		return IP_E_VERSION;
	cur_init(&c, buf, len);
	ihl = (size_t)(cur_u8(&c) & 0x0f) * 4;
	ip->version = 4;
	ip->tos = cur_u8(&c);
	ip->tot_len = cur_be16(&c);
	ip->id = cur_be16(&c);
	frag = cur_be16(&c);
	ip->ttl = cur_u8(&c);
	ip->proto = cur_u8(&c);
	cur_skip(&c, 2); /* checksum: verified over the whole header below */
	s = cur_bytes(&c, 4);
	d = cur_bytes(&c, 4);
	if (!cur_ok(&c))
		return IP_E_TRUNCATED;
	if (ihl < IPV4_HDR_LEN)
		return IP_E_IHL;
	if (ip->tot_len < ihl)
		return IP_E_TOTLEN;
	if (ihl > len || ip->tot_len > len)
		return IP_E_TRUNCATED;
	if (inet_csum(buf, ihl) != 0)
		return IP_E_CHECKSUM;
	ipaddr_from_bytes(&ip->src, s, 4);
	ipaddr_from_bytes(&ip->dst, d, 4);
	ip->df = (frag & 0x4000) != 0;
	ip->mf = (frag & 0x2000) != 0;
	ip->frag_off = (uint16_t)((frag & 0x1fff) * 8);
	if ((size_t)ip->frag_off + (ip->tot_len - ihl) > 65535)
		return IP_E_FRAG_OVERFLOW;
	ip->is_fragment = ip->mf || ip->frag_off != 0;
	ip->hdr_len = (uint16_t)ihl;
	ip->payload = buf + ihl;
	ip->payload_len = ip->tot_len - ihl;
	return IP_OK;
}

/* One IPv6 extension header: returns its length or a negative error. */
static int ipv6_ext_len(uint8_t nh, const uint8_t *p, size_t left)
{
	if (nh == IPPROTO_NUM_FRAGMENT)
		return left < 8 ? IP_E_EXT_TRUNCATED : 8;
	if (left < 2)
		return IP_E_EXT_TRUNCATED;
	size_t n = ((size_t)p[1] + 1) * 8;
	return n > left ? IP_E_EXT_TRUNCATED : (int)n;
}

int ipv6_parse(struct ip_info *ip, const uint8_t *buf, size_t len)
{
	struct cursor c;
	uint32_t w0;
	size_t plen, off;
	uint8_t nh;
	int n;

	memset(ip, 0, sizeof(*ip));
	if (!buf || len < 1)
		return IP_E_TRUNCATED;
	if (buf[0] >> 4 != 6)
		return IP_E_VERSION;
	cur_init(&c, buf, len);
	w0 = cur_be32(&c);
	plen = cur_be16(&c);
	nh = cur_u8(&c);
	ip->ttl = cur_u8(&c);
	const uint8_t *s = cur_bytes(&c, 16);
	const uint8_t *d = cur_bytes(&c, 16);
	if (!cur_ok(&c))
		return IP_E_TRUNCATED;
	ip->version = 6;
	ip->tos = (uint8_t)(w0 >> 20);
	ip->flow_label = w0 & 0xfffff;
	ipaddr_from_bytes(&ip->src, s, 16);
	ipaddr_from_bytes(&ip->dst, d, 16);
	if (plen == 0 && nh == IPPROTO_NUM_HOPOPTS)
		return IP_E_JUMBO;
	if (plen > len - IPV6_HDR_LEN)
		return IP_E_TRUNCATED;
	ip->tot_len = (uint32_t)(IPV6_HDR_LEN + plen);
	off = IPV6_HDR_LEN;
	for (int i = 0;; i++) {
		const uint8_t *p = buf + off;
		size_t left = ip->tot_len - off;

		if (nh != IPPROTO_NUM_HOPOPTS && nh != IPPROTO_NUM_ROUTING &&
		    nh != IPPROTO_NUM_FRAGMENT && nh != IPPROTO_NUM_DSTOPTS)
			break;
		if (nh == IPPROTO_NUM_HOPOPTS && i != 0)
			return IP_E_EXT_ORDER;
		if (i >= IPV6_MAX_EXTHDRS)
			return IP_E_EXT_TOO_MANY;
		n = ipv6_ext_len(nh, p, left);
		if (n < 0)
			return n;
		off += (size_t)n;
		if (nh == IPPROTO_NUM_FRAGMENT) {
			uint16_t fo = (uint16_t)(p[2] << 8 | p[3]);

			ip->frag_hdr = true;
			ip->frag_off = fo & 0xfff8;
			ip->mf = fo & 1;
			ip->id = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 |
			         p[7];
			ip->is_fragment = ip->mf || ip->frag_off != 0;
			if ((size_t)ip->frag_off + (ip->tot_len - off) > 65535)
				return IP_E_FRAG_OVERFLOW;
			nh = p[0];
			if (ip->frag_off != 0) /* later fragments: no headers to walk */
				break;
			continue;
		}
		nh = p[0];
	}
	ip->proto = nh;
	ip->hdr_len = (uint16_t)off;
	ip->payload = buf + off;
	ip->payload_len = ip->tot_len - off;
	return IP_OK;
}

int ip_parse(struct ip_info *ip, const uint8_t *buf, size_t len)
{
	if (!buf || len < 1) {
		memset(ip, 0, sizeof(*ip));
		return IP_E_TRUNCATED;
	}
	if (buf[0] >> 4 == 6)
		return ipv6_parse(ip, buf, len);
	return ipv4_parse(ip, buf, len);
}

int udp_parse(struct udp_info *u, const uint8_t *buf, size_t len)
{
	struct cursor c;

	memset(u, 0, sizeof(*u));
	if (!buf || len < UDP_HDR_LEN)
		return IP_E_UDP_TRUNCATED;
	cur_init(&c, buf, len);
	u->sport = cur_be16(&c);
	u->dport = cur_be16(&c);
	u->len = cur_be16(&c);
	u->csum = cur_be16(&c);
	if (!cur_ok(&c))
		return IP_E_UDP_TRUNCATED;
	if (u->len < UDP_HDR_LEN)
		return IP_E_UDP_LEN;
	if (u->len > len)
		return IP_E_UDP_TRUNCATED;
	u->payload = buf + UDP_HDR_LEN;
	u->payload_len = u->len - UDP_HDR_LEN;
	return IP_OK;
}

uint16_t ip_pseudo_csum(const struct ipaddr *src, const struct ipaddr *dst, uint8_t proto,
                        const void *seg, size_t len)
{
	uint32_t acc = 0;
	uint8_t tail[8] = {0};

	acc = inet_csum_add(acc, src->b, src->len);
	acc = inet_csum_add(acc, dst->b, dst->len);
	/* IPv4: zero, protocol, 16-bit length; IPv6: 32-bit length, 3 zero
	 * bytes, next header. Both sum to the same 16-bit words. */
	tail[0] = (uint8_t)(len >> 24);
	tail[1] = (uint8_t)(len >> 16);
	tail[2] = (uint8_t)(len >> 8);
	tail[3] = (uint8_t)len;
	tail[7] = proto;
	acc = inet_csum_add(acc, tail, sizeof(tail));
	acc = inet_csum_add(acc, seg, len);
	return inet_csum_fold(acc);
}

int udp_csum_check(const struct ip_info *ip, const struct udp_info *u)
{
	/* u must have been parsed from ip->payload */
	if (!ip->payload || u->payload != ip->payload + UDP_HDR_LEN || u->len > ip->payload_len)
		return IP_E_INVAL;
	if (u->csum == 0)
		return ip->version == 4 ? IP_OK : IP_E_UDP_CHECKSUM;
	if (ip_pseudo_csum(&ip->src, &ip->dst, IPPROTO_NUM_UDP, ip->payload, u->len) != 0)
		return IP_E_UDP_CHECKSUM;
	return IP_OK;
}

/* ---- builders --------------------------------------------------------- */

static bool ip_family_ok(const struct ipaddr *a)
{
	return (a->family == AF_INET && a->len == 4) || (a->family == AF_INET6 && a->len == 16);
}

int ip_hdr_build(struct writer *w, const struct ip_tmpl *t, size_t payload_len)
{
	size_t start = wr_len(w);
	uint8_t ttl = t->ttl ? t->ttl : 64;

	if (!ip_family_ok(&t->src) || t->src.family != t->dst.family)
		return IP_E_INVAL;
	if (t->src.family == AF_INET) {
		if (payload_len > 65535 - IPV4_HDR_LEN)
			return IP_E_INVAL;
		wr_u8(w, 0x45);
		wr_u8(w, t->tos);
		wr_be16(w, (uint16_t)(IPV4_HDR_LEN + payload_len));
		wr_be16(w, t->id);
		wr_be16(w, t->df ? 0x4000 : 0);
		wr_u8(w, ttl);
		wr_u8(w, t->proto);
		wr_be16(w, 0);
		wr_bytes(w, t->src.b, 4);
		wr_bytes(w, t->dst.b, 4);
		if (!wr_ok(w))
			return IP_E_NOSPACE;
		wr_patch_be16(w, start + 10, inet_csum(w->buf + start, IPV4_HDR_LEN));
		return IP_OK;
	}
	if (payload_len > 65535)
		return IP_E_INVAL;
	wr_be32(w, 6u << 28 | (uint32_t)t->tos << 20 | (t->flow_label & 0xfffff));
	wr_be16(w, (uint16_t)payload_len);
	wr_u8(w, t->proto);
	wr_u8(w, ttl);
	wr_bytes(w, t->src.b, 16);
	wr_bytes(w, t->dst.b, 16);
	return wr_ok(w) ? IP_OK : IP_E_NOSPACE;
}

#define ICMP4_QUOTE_MAX (576 - IPV4_HDR_LEN - 8)  /* RFC 1812 4.3.2.3 */
#define ICMP6_QUOTE_MAX (1280 - IPV6_HDR_LEN - 8) /* RFC 4443 2.4 (c) */

static bool ip_src_unusable(const struct ipaddr *a)
{
	static const uint8_t zero[16];

	if (memcmp(a->b, zero, a->len) == 0)
		return true;
	if (a->family == AF_INET)
		return a->b[0] >= 224 || a->b[0] == 127; /* multicast, class E, broadcast */
	return a->b[0] == 0xff;
}

/* May we send an ICMP error about this packet? (RFC 1812 4.3.2.7, RFC 4443 2.4 (e)) */
static bool ip_icmp_allowed(const struct ip_info *ip)
{
	if (ip_src_unusable(&ip->src) || ip->frag_off != 0)
		return false;
	if (ip->version == 4 && !ip->df) /* RFC 1191: only about DF packets */
		return false;
	if (ip->version == 4 && ip->proto == IPPROTO_NUM_ICMP) {
		/* error messages have types 3, 4, 5, 11, 12; queries are fine */
		if (ip->payload_len < 1)
			return false;
		uint8_t type = ip->payload[0];
		return !(type == 3 || type == 4 || type == 5 || type == 11 || type == 12);
	}
	if (ip->version == 6 && ip->proto == IPPROTO_NUM_ICMPV6)
		return ip->payload_len >= 1 && ip->payload[0] >= 128; /* informational */
	return true;
}

int ip_icmp_too_big_build(struct writer *w, const uint8_t *pkt, size_t len,
                          const struct ipaddr *from, uint32_t mtu)
{
	struct ip_info ip;
	struct ip_tmpl t = {0};
	size_t quote, start;
	uint8_t *icmp;
	int rc;

	rc = ip_parse(&ip, pkt, len);
	if (rc < 0)
		return rc;
	if (!ip_family_ok(from) || (from->family == AF_INET) != (ip.version == 4))
		return IP_E_INVAL;
	if (!ip_icmp_allowed(&ip))
		return IP_E_ICMP_SUPPRESS;
	quote = ip.tot_len;
	t.src = *from;
	t.dst = ip.src;
	t.ttl = 64;
	if (ip.version == 4) {
		if (mtu > 0xffff)
			return IP_E_INVAL;
		quote = MIN(quote, ICMP4_QUOTE_MAX);
		t.proto = IPPROTO_NUM_ICMP;
		t.tos = 0xc0; /* internetwork control, as routers send errors */
	} else {
		quote = MIN(quote, ICMP6_QUOTE_MAX);
		t.proto = IPPROTO_NUM_ICMPV6;
	}
	rc = ip_hdr_build(w, &t, 8 + quote);
	if (rc < 0)
		return rc;
	start = wr_len(w);
	if (ip.version == 4) {
		wr_u8(w, 3); /* destination unreachable */
		wr_u8(w, 4); /* fragmentation needed and DF set */
		wr_be16(w, 0);
		wr_be16(w, 0); /* unused */
		wr_be16(w, (uint16_t)mtu);
	} else {
		wr_u8(w, 2); /* packet too big */
		wr_u8(w, 0);
		wr_be16(w, 0);
		wr_be32(w, mtu);
	}
	wr_bytes(w, pkt, quote);
	if (!wr_ok(w))
		return IP_E_NOSPACE;
	icmp = w->buf + start;
	if (ip.version == 4)
		wr_patch_be16(w, start + 2, inet_csum(icmp, 8 + quote));
	else
		wr_patch_be16(w, start + 2,
		              ip_pseudo_csum(&t.src, &t.dst, IPPROTO_NUM_ICMPV6, icmp, 8 + quote));
	return IP_OK;
}

/* ---- link-local address ---- */

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void ip6_ll_derive(const char *ifname, const struct ipaddr *nbma4, const struct ipaddr *nbma6,
                   struct ipaddr *out)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const uint8_t sep = 0;

	h = fnv1a(h, (const uint8_t *)ifname, strlen(ifname));
	h = fnv1a(h, &sep, 1);
	if (nbma4 && ipaddr_is_set(nbma4))
		h = fnv1a(h, nbma4->b, nbma4->len);
	h = fnv1a(h, &sep, 1);
	if (nbma6 && ipaddr_is_set(nbma6))
		h = fnv1a(h, nbma6->b, nbma6->len);
	memset(out, 0, sizeof(*out));
	out->family = AF_INET6;
	out->len = 16;
	out->b[0] = 0xfe;
	out->b[1] = 0x80;
	for (int i = 0; i < 8; i++)
		out->b[8 + i] = (uint8_t)(h >> (56 - 8 * i));
	out->b[8] &= (uint8_t)~0x02; /* U/L: local */
	if (!(out->b[8] | out->b[9] | out->b[10] | out->b[11] | out->b[12] | out->b[13] |
	      out->b[14] | out->b[15]))
		out->b[15] = 1;
}
