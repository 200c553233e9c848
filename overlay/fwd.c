/* Per-packet paths of an overlay interface (overlay/iface.h).
 *
 * Buffers: every receive slot keeps OVL_HEADROOM bytes in front of what is
 * read, so GRE headers (TAP -> underlay) and Ethernet headers (underlay ->
 * TAP) are written in place in front of the IP packet: no copy, no
 * allocation. Underlay sends are batched with sendmmsg per TAP read batch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "gre/gre.h"
#include "gre/keepalive.h"
#include "lib/log.h"
#include "lib/writer.h"
#include "nhrp/nhrp.h"
#include "overlay/arp.h"
#include "overlay/esp.h"
#include "overlay/iface.h"
#include "overlay/ip.h"
#include "overlay/netlink.h"
#include "overlay/peer.h"

/* room for an Ethernet header (underlay -> TAP), or for GRE and, with tunnel
 * protection, the ESP header, IV and a tunnel-mode inner IP header in front
 * of an IP packet read from the TAP (encapsulated in place) */
#define OVL_HEADROOM    (GRE_HDR_MAX + ESP_HEADROOM + 16)
#define OVL_TAILROOM    ESP_TAILROOM
#define OVL_PENDING_AGE 5.0 /* seconds an unanswered ARP/NS is remembered */
#define OVL_RELAY_AGE   2.0 /* seconds between a packet's arrival and its relay */
#define OVL_TXQ_MAX     64

_Static_assert(sizeof(struct arp_query) <= sizeof(((struct ovl_pending *)0)->query),
               "pending query slot too small");
_Static_assert(OVL_HEADROOM >= GRE_HDR_MAX && OVL_HEADROOM >= ARP_ETH_HLEN, "headroom");

/* ---- underlay transmit queue (sendmmsg) ---- */

struct txq {
	unsigned n;
	int fd[OVL_TXQ_MAX];
	struct mmsghdr m[OVL_TXQ_MAX];
	struct iovec iov[OVL_TXQ_MAX];
	struct sockaddr_in6 sa[OVL_TXQ_MAX];
};
static struct txq txq; /* single-threaded; flushed before every return to the loop */

static socklen_t sockaddr_fill(struct sockaddr_in6 *sa, const struct ipaddr *a)
{
	memset(sa, 0, sizeof(*sa));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)sa;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a->b, 4);
		return sizeof(*sin);
	}
	sa->sin6_family = AF_INET6;
	memcpy(&sa->sin6_addr, a->b, 16);
	return sizeof(*sa);
}

static int sock_for(const struct ovl_if *oif, const struct ipaddr *nbma)
{
	return nbma->family == AF_INET ? oif->sock4 : nbma->family == AF_INET6 ? oif->sock6 : -1;
}

static void txq_flush(struct ovl_if *oif)
{
	unsigned i = 0;

	while (i < txq.n) {
		/* runs of the same socket */
		unsigned j = i + 1;
		while (j < txq.n && txq.fd[j] == txq.fd[i])
			j++;
		while (i < j) {
			int r = sendmmsg(txq.fd[i], &txq.m[i], j - i, MSG_DONTWAIT);
			if (r <= 0) {
				if (r < 0)
					log_rl(LOG_LVL_WARNING, "%s: sendmmsg: %s", oif->name,
					       strerror(errno));
				oif->ctr[OVL_CTR_drop_send_error]++;
				i++; /* skip the one that failed */
				continue;
			}
			oif->ctr[OVL_CTR_gre_tx] += (unsigned)r;
			i += (unsigned)r;
		}
	}
	txq.n = 0;
}

/* Writes the GRE header in front of payload; returns the packet start. */
static uint8_t *gre_prepend(const struct ovl_if *oif, uint16_t proto, uint8_t *payload,
                            size_t *len)
{
	struct gre_hdr t = {.key_present = oif->has_key, .key = oif->key, .protocol = proto};
	size_t hl = gre_hdr_len(&t);
	struct writer w;

	wr_init(&w, payload - hl, hl);
	if (gre_build_hdr(&w, &t) != 0)
		return NULL;
	*len += hl;
	return payload - hl;
}

/* Tunnel protection of one GRE packet: 0 handed to it (sent or queued), -1
 * dropped (counted; a protected interface never sends cleartext, not even
 * before protection is attached), 1 unprotected: the caller sends it. */
static int protected_send(struct ovl_if *oif, const struct ipaddr *nbma, uint8_t *pkt,
                          size_t len, bool inplace)
{
	if (oif->protect && oif->protect->send(oif->protect_ctx, oif, nbma, pkt, len, inplace) == 0) {
		oif->ctr[OVL_CTR_gre_tx]++;
		return 0;
	}
	if (oif->protect || oif->protect_required) {
		oif->ctr[OVL_CTR_drop_protect]++;
		return -1;
	}
	return 1;
}

/* inplace: pkt sits in a receive slot with OVL_HEADROOM/OVL_TAILROOM around
 * it (tunnel protection may encapsulate it there). */
static void txq_add(struct ovl_if *oif, const struct ipaddr *nbma, uint8_t *pkt, size_t len,
                    bool inplace)
{
	int fd = sock_for(oif, nbma);
	unsigned i;

	if (protected_send(oif, nbma, pkt, len, inplace) != 1)
		return;
	if (fd < 0) {
		oif->ctr[OVL_CTR_drop_no_nbma]++;
		return;
	}
	if (txq.n == OVL_TXQ_MAX)
		txq_flush(oif);
	i = txq.n++;
	txq.fd[i] = fd;
	txq.iov[i].iov_base = pkt;
	txq.iov[i].iov_len = len;
	memset(&txq.m[i], 0, sizeof(txq.m[i]));
	txq.m[i].msg_hdr.msg_iov = &txq.iov[i];
	txq.m[i].msg_hdr.msg_iovlen = 1;
	txq.m[i].msg_hdr.msg_name = &txq.sa[i];
	txq.m[i].msg_hdr.msg_namelen = sockaddr_fill(&txq.sa[i], nbma);
}

int ovl_fwd_send(struct ovl_if *oif, const struct ipaddr *nbma, uint16_t proto, uint8_t *payload,
                 size_t len)
{
	struct sockaddr_in6 sa;
	socklen_t sl;
	int fd = sock_for(oif, nbma);
	uint8_t *pkt;

	if (fd < 0 && !oif->protect) {
		oif->ctr[OVL_CTR_drop_no_nbma]++;
		return -EAFNOSUPPORT;
	}
	pkt = gre_prepend(oif, proto, payload, &len);
	if (!pkt)
		return -EINVAL;
	switch (protected_send(oif, nbma, pkt, len, false)) {
	case 0:
		return 0;
	case -1:
		return -EAGAIN;
	}
	sl = sockaddr_fill(&sa, nbma);
	if (sendto(fd, pkt, len, MSG_DONTWAIT, (struct sockaddr *)&sa, sl) < 0) {
		int err = errno;
		oif->ctr[OVL_CTR_drop_send_error]++;
		log_rl(LOG_LVL_WARNING, "%s: send: %s", oif->name, strerror(err));
		return -err;
	}
	oif->ctr[OVL_CTR_gre_tx]++;
	return 0;
}

/* ---- ARP / ND ---- */

static void answer_query(struct ovl_if *oif, const struct arp_query *q, const struct peer *p)
{
	uint8_t buf[ARP_ANSWER_MAX], mac[ARP_MAC_LEN];
	int n;

	peer_mac_from_index(mac, p->idx);
	n = arp_answer_build(buf, sizeof(buf), q, mac);
	if (n < 0 || tap_write(&oif->tap, buf, (size_t)n) < 0) {
		oif->ctr[OVL_CTR_drop_tap_write]++;
		return;
	}
	oif->ctr[OVL_CTR_arp_answered]++;
}

static struct nhrp_if *engine_for(const struct ovl_if *oif, int family)
{
	return family == AF_INET6 ? oif->nhrp6 : oif->nhrp4;
}

static void pending_add(struct ovl_if *oif, const struct arp_query *q, double now)
{
	struct ovl_pending *free_slot = NULL;

	for (unsigned i = 0; i < OVL_PENDING_MAX; i++) {
		struct ovl_pending *s = &oif->pending[i];
		if (s->used && now - s->when > OVL_PENDING_AGE)
			s->used = false;
		if (s->used && ipaddr_eq(&s->target, &q->target)) {
			free_slot = s; /* refresh: the latest query is answered */
			break;
		}
		if (!s->used && !free_slot)
			free_slot = s;
	}
	if (!free_slot) {
		oif->ctr[OVL_CTR_drop_arp_pending_full]++;
		return;
	}
	free_slot->used = true;
	free_slot->when = now;
	free_slot->family = q->family;
	free_slot->target = q->target;
	memcpy(free_slot->query, q, sizeof(*q));
	oif->ctr[OVL_CTR_arp_pending]++;
}

static void handle_query(struct ovl_if *oif, const uint8_t *frame, size_t len, double now)
{
	struct arp_query q;
	struct nhrp_if *nif;
	struct peer *p;

	if (arp_query_parse(frame, len, &q) < 0) {
		oif->ctr[OVL_CTR_drop_arp_parse]++;
		return;
	}
	oif->ctr[OVL_CTR_arp_rx]++;
	nif = engine_for(oif, q.family);
	if (!nif) {
		oif->ctr[OVL_CTR_drop_no_engine]++;
		return;
	}
	p = nhrp_neigh_lookup(nif, &q.target, now);
	if (p && p->oif == oif) {
		answer_query(oif, &q, p);
		return;
	}
	pending_add(oif, &q, now);
}

void ovl_fwd_neigh_update(struct ovl_if *oif, const struct ipaddr *proto, struct peer *p)
{
	double now = mono_now();
	bool answered = false;

	for (unsigned i = 0; i < OVL_PENDING_MAX; i++) {
		struct ovl_pending *s = &oif->pending[i];
		struct arp_query q;

		if (!s->used || !ipaddr_eq(&s->target, proto))
			continue;
		s->used = false;
		if (!p || now - s->when > OVL_PENDING_AGE)
			continue;
		memcpy(&q, s->query, sizeof(q));
		answer_query(oif, &q, p);
		oif->ctr[OVL_CTR_arp_late_answered]++;
		answered = true;
	}
	if (answered || !oif->nl || oif->tap.ifindex <= 0 || oif->shutting_down)
		return;
	/* The kernel may hold a MAC for proto that names another (or no) peer:
	 * make it ask again. */
	uint16_t state;
	uint8_t mac[ARP_MAC_LEN], want[ARP_MAC_LEN];
	if (netlink_neigh_get(oif->nl, oif->tap.ifindex, proto, &state, mac) < 0)
		return;
	if (p) {
		peer_mac_from_index(want, p->idx);
		if (memcmp(mac, want, ARP_MAC_LEN) == 0)
			return;
	}
	netlink_neigh_del(oif->nl, oif->tap.ifindex, proto);
}

/* ---- TAP -> underlay ---- */

/* The packet does not fit the overlay MTU: ICMP frag-needed / packet-too-big
 * back into the TAP. It comes from the peer the packet was for (the kernel
 * drops packets that claim one of its own addresses as source); without one
 * (multicast, unknown MAC) from the hub/NHS address is not known either, so
 * it names our own address and the kernel may still refuse it. */
static void too_big(struct ovl_if *oif, const uint8_t *frame, const uint8_t *ip, size_t len)
{
	uint8_t *out = oif->txbuf + OVL_HEADROOM;
	bool v6 = ip[0] >> 4 == 6;
	const struct ipaddr *from = v6 ? &oif->addr6.addr : &oif->addr4.addr;
	struct writer w;
	uint32_t idx;
	struct peer *p;
	int r;

	oif->ctr[OVL_CTR_drop_too_big]++;
	if (peer_mac_to_index(frame, &idx) == 0 && (p = peer_find_idx(idx)) && p->oif == oif) {
		const struct ipaddr *t = v6 ? &p->tunnel6 : &p->tunnel4;
		if (ipaddr_is_set(t))
			from = t;
	}
	wr_init(&w, out + ARP_ETH_HLEN, OVL_BUF_SIZE - OVL_HEADROOM - ARP_ETH_HLEN);
	r = ip_icmp_too_big_build(&w, ip, len, from, oif->mtu);
	if (r != 0 || !ipaddr_is_set(from))
		return;
	/* back to the kernel: to the frame's source, from the peer it was for */
	arp_eth_header_write(out, frame + 6, frame, arp_ip_ethertype(out + ARP_ETH_HLEN, wr_len(&w)));
	if (tap_write(&oif->tap, out, ARP_ETH_HLEN + wr_len(&w)) > 0)
		oif->ctr[OVL_CTR_icmp_too_big]++;
}

bool ovl_mcast_wants_peer(const struct ovl_mcast *m, const struct peer *p)
{
	if (p->state != PEER_UP)
		return false;
	for (size_t i = 0; i < m->n_nbma; i++)
		if (ipaddr_eq(&m->nbma[i], &p->nbma))
			return false; /* sent as a static target already */
	return (m->dynamic && p->type == PEER_T_DYNAMIC) || (m->nhs && p->type == PEER_T_NHS);
}

struct mcast_ctx {
	struct ovl_if *oif;
	const struct ovl_mcast *m;
	uint8_t *pkt;
	size_t len;
	unsigned sent;
};

static void mcast_peer(struct peer *p, void *arg)
{
	struct mcast_ctx *c = arg;

	if (!ovl_mcast_wants_peer(c->m, p))
		return;
	txq_add(c->oif, &p->nbma, c->pkt, c->len, false);
	p->pkts_out++;
	p->bytes_out += c->len;
	c->sent++;
}

static void mcast_send(struct ovl_if *oif, uint8_t *ip, size_t len)
{
	const struct ovl_mcast *m = ip[0] >> 4 == 6 ? &oif->mcast6 : &oif->mcast4;
	struct mcast_ctx c = {.oif = oif, .m = m};
	uint16_t proto = ip[0] >> 4 == 6 ? GRE_PROTO_IPV6 : GRE_PROTO_IPV4;

	c.len = len;
	c.pkt = gre_prepend(oif, proto, ip, &c.len);
	if (!c.pkt)
		return;
	for (size_t i = 0; i < m->n_nbma; i++) {
		txq_add(oif, &m->nbma[i], c.pkt, c.len, false);
		c.sent++;
	}
	if (m->dynamic || m->nhs)
		peer_foreach(oif, mcast_peer, &c); /* per packet: no allocation */
	if (!c.sent)
		oif->ctr[OVL_CTR_drop_mcast_no_target]++;
	else
		oif->ctr[OVL_CTR_mcast_tx] += c.sent;
}

static void relay_check(struct ovl_if *oif, struct peer *out, const uint8_t *ip, size_t len,
                        double now)
{
	uint32_t in_idx = ovl_relay_take(oif->relay, ovl_relay_key(ip, len), now, OVL_RELAY_AGE);
	struct peer *in;
	struct nhrp_if *nif;

	if (!in_idx || in_idx == out->idx)
		return;
	in = peer_find_idx(in_idx);
	if (!in || in->oif != oif)
		return;
	oif->ctr[OVL_CTR_relayed]++;
	nif = engine_for(oif, ip[0] >> 4 == 6 ? AF_INET6 : AF_INET);
	if (nif)
		nhrp_relay_seen(nif, in, out, ip, len, now);
}

static void handle_ip(struct ovl_if *oif, uint8_t *frame, size_t len, double now)
{
	uint8_t *ip = frame + ARP_ETH_HLEN;
	size_t iplen = len - ARP_ETH_HLEN;
	struct ip_info ii;
	uint32_t idx;
	struct peer *p;
	uint16_t proto;
	uint8_t *pkt;

	if (ip_parse(&ii, ip, iplen) != 0) {
		oif->ctr[OVL_CTR_drop_ip_parse]++;
		return;
	}
	iplen = ii.tot_len <= iplen ? ii.tot_len : iplen; /* strip Ethernet padding */
	if (!ovl_fits_mtu(oif, iplen)) {
		too_big(oif, frame, ip, iplen);
		return;
	}
	if (arp_mac_is_multicast(frame)) {
		mcast_send(oif, ip, iplen);
		return;
	}
	if (peer_mac_to_index(frame, &idx) < 0 || !(p = peer_find_idx(idx))) {
		oif->ctr[OVL_CTR_drop_no_peer]++;
		return;
	}
	if (p->oif != oif) {
		oif->ctr[OVL_CTR_drop_peer_other_if]++;
		return;
	}
	if (!ipaddr_is_set(&p->nbma)) {
		oif->ctr[OVL_CTR_drop_no_nbma]++;
		return;
	}
	if (p->type == PEER_T_NHS && p->state != PEER_UP) {
		/* routed to an NHS that is down (declared dead, or not registered):
		 * the preferred NHS that is up carries it (hub failover) */
		struct peer *alt = nhrp_nhs_preferred_peer(engine_for(oif, ii.version == 6 ? AF_INET6
		                                                                            : AF_INET));
		if (alt && alt != p && alt->oif == oif && ipaddr_is_set(&alt->nbma)) {
			oif->ctr[OVL_CTR_nhs_fallback]++;
			p = alt;
		}
	}
	if (oif->hub)
		relay_check(oif, p, ip, iplen, now);
	proto = ii.version == 6 ? GRE_PROTO_IPV6 : GRE_PROTO_IPV4;
	size_t plen = iplen;
	pkt = gre_prepend(oif, proto, ip, &plen);
	if (!pkt)
		return;
	txq_add(oif, &p->nbma, pkt, plen, true);
	p->pkts_out++;
	p->bytes_out += iplen;
	p->last_tx = now;
}

void ovl_fwd_tap_rx(struct ovl_if *oif, double now)
{
	struct tap_frame fr[OVL_BATCH];
	int n;

	for (unsigned i = 0; i < OVL_BATCH; i++) {
		fr[i].buf = oif->rxbuf + (size_t)i * OVL_BUF_SIZE + OVL_HEADROOM;
		fr[i].cap = OVL_BUF_SIZE - OVL_HEADROOM - OVL_TAILROOM;
		fr[i].len = 0;
	}
	n = tap_read_batch(&oif->tap, fr, OVL_BATCH);
	if (n < 0) {
		oif->ctr[OVL_CTR_drop_tap_read_error]++;
		return;
	}
	for (int i = 0; i < n; i++) {
		uint8_t *f = fr[i].buf;
		size_t len = fr[i].len;

		oif->ctr[OVL_CTR_tap_rx]++;
		switch (arp_frame_classify(f, len)) {
		case ARP_FRAME_ARP:
		case ARP_FRAME_ND_NS:
			handle_query(oif, f, len, now);
			break;
		case ARP_FRAME_IPV4:
		case ARP_FRAME_IPV6:
			handle_ip(oif, f, len, now);
			break;
		case ARP_FRAME_ND_LOCAL:
			oif->ctr[OVL_CTR_drop_nd_local]++;
			break;
		case ARP_FRAME_OTHER:
			oif->ctr[OVL_CTR_drop_tap_other]++;
			break;
		case ARP_FRAME_INVALID:
		default:
			oif->ctr[OVL_CTR_drop_tap_invalid]++;
			break;
		}
	}
	txq_flush(oif);
}

/* ---- underlay -> TAP ---- */

static void deliver_ip(struct ovl_if *oif, const struct ipaddr *src, uint8_t *ip, size_t len,
                       uint16_t proto, double now)
{
	struct ip_info ii;
	uint8_t dmac[ARP_MAC_LEN], smac[ARP_MAC_LEN] = {0x02, 0xd7, 0, 0, 0, 0};
	struct peer *p;
	uint8_t *eth = ip - ARP_ETH_HLEN;

	if (ip_parse(&ii, ip, len) != 0 || arp_ip_ethertype(ip, len) != proto) {
		oif->ctr[OVL_CTR_drop_inner_parse]++;
		return;
	}
	if (ii.proto == IPPROTO_NUM_GRE &&
	    (ipaddr_eq(&ii.dst, &oif->nbma4) || ipaddr_eq(&ii.dst, &oif->nbma6))) {
		oif->ctr[OVL_CTR_drop_loop]++; /* GRE in GRE to our own NBMA */
		return;
	}
	len = ii.tot_len <= len ? ii.tot_len : len;
	p = peer_find(oif, src);
	if (p) {
		peer_mac_from_index(smac, p->idx);
		p->pkts_in++;
		p->bytes_in += len;
		p->last_rx = now;
		if (oif->hub)
			ovl_relay_note(oif->relay, ovl_relay_key(ip, len), p->idx, now);
	} else {
		oif->ctr[OVL_CTR_rx_unknown_peer]++;
	}
	arp_mac_for_dst(dmac, &ii.dst, oif->mac);
	arp_eth_header_write(eth, dmac, smac, proto);
	if (tap_write(&oif->tap, eth, len + ARP_ETH_HLEN) < 0) {
		oif->ctr[OVL_CTR_drop_tap_write]++;
		return;
	}
	oif->ctr[OVL_CTR_tap_tx]++;
}

void ovl_fwd_gre_input(struct ovl_if *oif, const struct ipaddr *src, uint8_t *gre, size_t len,
                       double now)
{
	struct gre_hdr g;
	uint16_t proto;
	const uint8_t *pl;
	size_t pllen;

	if (gre_parse(&g, gre, len) != 0 || gre_payload_unwrap(&g, &proto, &pl, &pllen, NULL) != 0) {
		oif->ctr[OVL_CTR_drop_gre_parse]++;
		return;
	}
	if (g.key_present != oif->has_key || (g.key_present && g.key != oif->key)) {
		oif->ctr[OVL_CTR_drop_key_mismatch]++;
		return;
	}
	oif->ctr[OVL_CTR_gre_rx]++;
	uint8_t *payload = gre + (pl - gre); /* we own the buffer */
	switch (proto) {
	case GRE_PROTO_NHRP: {
		struct nhrp_if *nif = oif->nhrp4;
		if (pllen >= 4 && ((uint16_t)pl[2] << 8 | pl[3]) == 0x86dd)
			nif = oif->nhrp6;
		if (!nif) {
			oif->ctr[OVL_CTR_drop_no_engine]++;
			return;
		}
		oif->ctr[OVL_CTR_nhrp_rx]++;
		nhrp_input(nif, src, pl, pllen, now);
		return;
	}
	case GRE_PROTO_KEEPALIVE:
		ovl_ka_reply_input(oif, src, &g, now);
		return;
	case GRE_PROTO_IPV4:
	case GRE_PROTO_IPV6: {
		struct gre_ka_request kr;
		int r = gre_ka_request_parse(&kr, &g, src);
		if (r == 0 && !ovl_ka_reflect_ok(oif, src)) {
			oif->ctr[OVL_CTR_ka_not_reflected]++;
			return;
		}
		if (r == 0) {
			/* reflect: the inner GRE packet goes back to its sender */
			struct sockaddr_in6 sa;
			socklen_t sl = sockaddr_fill(&sa, &kr.dst);
			int fd = sock_for(oif, &kr.dst);
			if (oif->protect) {
				if (oif->protect->send(oif->protect_ctx, oif, &kr.dst,
				                       (uint8_t *)kr.reflect_gre,
				                       kr.reflect_gre_len, false) == 0)
					oif->ctr[OVL_CTR_ka_reflected]++;
				else
					oif->ctr[OVL_CTR_drop_protect]++;
				return;
			}
			if (oif->protect_required) {
				oif->ctr[OVL_CTR_drop_protect]++;
				return;
			}
			if (fd >= 0 && sendto(fd, kr.reflect_gre, kr.reflect_gre_len, MSG_DONTWAIT,
			                      (struct sockaddr *)&sa, sl) >= 0)
				oif->ctr[OVL_CTR_ka_reflected]++;
			else
				oif->ctr[OVL_CTR_drop_send_error]++;
			return;
		}
		if (r != GRE_E_KA_NOT) {
			oif->ctr[OVL_CTR_drop_ka_malformed]++;
			return;
		}
		deliver_ip(oif, src, payload, pllen, proto, now);
		return;
	}
	default:
		oif->ctr[OVL_CTR_drop_gre_proto]++;
		return;
	}
}

void ovl_fwd_sock_rx(struct ovl_if *oif, int family, double now)
{
	struct mmsghdr m[OVL_BATCH];
	struct iovec iov[OVL_BATCH];
	struct sockaddr_in6 sa[OVL_BATCH];
	int fd = family == AF_INET ? oif->sock4 : oif->sock6;
	int n;

	for (unsigned i = 0; i < OVL_BATCH; i++) {
		iov[i].iov_base = oif->rxbuf + (size_t)i * OVL_BUF_SIZE + OVL_HEADROOM;
		iov[i].iov_len = OVL_BUF_SIZE - OVL_HEADROOM;
		memset(&m[i], 0, sizeof(m[i]));
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
		m[i].msg_hdr.msg_name = &sa[i];
		m[i].msg_hdr.msg_namelen = sizeof(sa[i]);
	}
	n = recvmmsg(fd, m, OVL_BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		uint8_t *buf = iov[i].iov_base;
		size_t len = m[i].msg_len;
		struct ipaddr src;

		if (oif->protect_required) {
			/* GRE must arrive inside ESP here */
			oif->ctr[OVL_CTR_drop_cleartext_gre]++;
			continue;
		}
		if (family == AF_INET) {
			struct ip_info ii;
			if (ipv4_parse(&ii, buf, len) != 0 || ii.is_fragment) {
				oif->ctr[OVL_CTR_drop_outer_parse]++;
				continue;
			}
			src = ii.src;
			ovl_fwd_gre_input(oif, &src, buf + ii.hdr_len, ii.payload_len, now);
		} else {
			if (ipaddr_from_bytes(&src, &sa[i].sin6_addr, 16) < 0) {
				oif->ctr[OVL_CTR_drop_outer_parse]++;
				continue;
			}
			ovl_fwd_gre_input(oif, &src, buf, len, now);
		}
	}
	txq_flush(oif);
}
