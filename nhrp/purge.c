/* Purge Request/Reply (RFC 2332 5.2.5, 5.2.6) and Error Indication
 * (5.2.7): sending them, and acting on the ones we receive. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nhrp/engine_int.h"

static int purge_tx(struct nhrp_if *nif, const struct ipaddr *nbma, const struct ipaddr *dst_proto,
		    const struct prefix *what, bool no_reply, uint32_t reqid)
{
	nhrp_tx_init(nif, NHRP_PURGE_REQUEST);
	struct nhrp_packet *p = &nif->tx;
	p->flags = no_reply ? NHRP_FLAG_PURGE_N : 0;
	p->request_id = reqid;
	p->dst_proto = dst_proto && ipaddr_is_set(dst_proto) ? *dst_proto : what->addr;
	struct nhrp_cie *e = &p->cies.e[0];
	memset(e, 0, sizeof(*e));
	e->prefix_len = what->plen;
	e->proto = what->addr;
	p->cies.count = 1;
	nhrp_tx_std_ext(nif, p, false);
	int r = nhrp_tx_send(nif, p, nbma);
	if (r == 0)
		nif->ctr.purge_req_tx++;
	return r;
}

void nhrp_purge_send(struct nhrp_if *nif, const struct ipaddr *nbma, const struct ipaddr *dst_proto,
		     const struct prefix *what, bool no_reply, double now)
{
	if (!nbma || !ipaddr_is_set(nbma) || !ipaddr_is_set(&nif->nbma))
		return;
	uint32_t reqid = nhrp_reqid(nif);
	purge_tx(nif, nbma, dst_proto, what, no_reply, reqid);
	if (no_reply || nif->shutting_down)
		return;
	/* A reply is expected: remember it for retransmission (the oldest
	 * pending one makes room when the table is full). */
	struct nhrp_purge_pending *slot = NULL;
	for (unsigned i = 0; i < NHRP_PURGE_PENDING; i++) {
		struct nhrp_purge_pending *q = &nif->purge_pending[i];
		if (!q->used) {
			slot = q;
			break;
		}
		if (!slot || q->next_at < slot->next_at)
			slot = q;
	}
	if (slot->used)
		nif->ctr.purge_giveup++;
	*slot = (struct nhrp_purge_pending){
	    .used = true, .reqid = reqid, .tries = 1, .timeout = NHRP_PURGE_TIMEOUT,
	    .next_at = now + NHRP_PURGE_TIMEOUT, .nbma = *nbma, .what = *what,
	    .dst_proto = dst_proto && ipaddr_is_set(dst_proto) ? *dst_proto : what->addr};
}

void nhrp_purge_run(struct nhrp_if *nif, double now)
{
	char b[PREFIX_STRLEN], b2[ADDR_STRLEN];
	for (unsigned i = 0; i < NHRP_PURGE_PENDING; i++) {
		struct nhrp_purge_pending *q = &nif->purge_pending[i];
		if (!q->used || q->next_at > now)
			continue;
		if (q->tries >= NHRP_PURGE_TRIES) {
			q->used = false;
			nif->ctr.purge_giveup++;
			log_rl(LOG_LVL_INFO, "nhrp %s: purge of %s at %s unanswered after %u tries",
			       nif->name, prefix_fmt(&q->what, b, sizeof(b)), nhrp_fmt(&q->nbma, b2),
			       q->tries);
			continue;
		}
		q->tries++;
		q->timeout *= 2;
		q->next_at = now + q->timeout;
		if (purge_tx(nif, &q->nbma, &q->dst_proto, &q->what, false, q->reqid) == 0)
			nif->ctr.purge_retransmit++;
	}
}

double nhrp_purge_deadline(const struct nhrp_if *nif)
{
	double d = 0;
	for (unsigned i = 0; i < NHRP_PURGE_PENDING; i++) {
		const struct nhrp_purge_pending *q = &nif->purge_pending[i];
		if (q->used && (d == 0 || q->next_at < d))
			d = q->next_at;
	}
	return d;
}

static bool prefix_overlap(const struct prefix *a, const struct prefix *b)
{
	if (a->addr.family != b->addr.family)
		return false;
	return a->plen <= b->plen ? prefix_contains(a, &b->addr) : prefix_contains(b, &a->addr);
}

void nhrp_purge_recv_req(struct nhrp_if *nif, const struct ipaddr *src, double now)
{
	char b[PREFIX_STRLEN], b2[ADDR_STRLEN];
	const struct nhrp_packet *p = &nif->rx;
	nif->ctr.purge_req_rx++;
	for (unsigned i = 0; i < p->cies.count; i++) {
		const struct nhrp_cie *e = &p->cies.e[i];
		if (e->proto.family != nif->family)
			continue;
		struct prefix what = { .addr = e->proto, .plen = e->prefix_len };
		if (what.plen == 0 || what.plen > nif->plen_max)
			what.plen = (uint8_t)nif->plen_max;
		log_info("nhrp %s: purge of %s from %s", nif->name, prefix_fmt(&what, b, sizeof(b)),
			 nhrp_fmt(src, b2));
		struct nhrp_cache *c = nif->cache, *n;
		for (; c; c = n) {
			n = c->next;
			/* Entries inside the purged prefix, or through a peer
			 * whose address it covers. */
			bool hit = (c->proto.plen >= what.plen && prefix_overlap(&c->proto, &what)) ||
				   (ipaddr_is_set(&c->via) && prefix_contains(&what, &c->via));
			if (!hit)
				continue;
			/* Learnt bindings only; a registration is purged by its owner. */
			bool ok = c->type == NC_CACHED || c->type == NC_NEGATIVE ||
				  c->type == NC_INCOMPLETE ||
				  (c->type == NC_DYNAMIC && c->peer && ipaddr_eq(&c->peer->nbma, src));
			if (!ok)
				continue;
			if (c->route)
				nif->ctr.routes_purged++;
			nhrp_cache_remove(nif, c, "purged", now);
		}
	}
	if (p->flags & NHRP_FLAG_PURGE_N)
		return;
	struct nhrp_packet *r = &nif->tx;
	*r = *p;
	r->type = NHRP_PURGE_REPLY;
	r->hop_count = NHRP_HOPS_MAX;
	nhrp_tx_std_ext(nif, r, false);
	nhrp_tx_set_auth(nif, r);
	const struct ipaddr *to = ipaddr_is_set(&p->src_nbma) ? &p->src_nbma : src;
	/* Behind NAT, the claimed address is not reachable: use the source. */
	struct nhrp_cache *sc = nhrp_cache_find(nif, &p->src_proto, true);
	if (sc && sc->peer)
		to = &sc->peer->nbma;
	else if (!ipaddr_eq(to, src))
		to = src;
	if (nhrp_tx_send(nif, r, to) == 0)
		nif->ctr.purge_reply_tx++;
}

void nhrp_purge_recv_reply(struct nhrp_if *nif, const struct ipaddr *src, double now)
{
	char b[ADDR_STRLEN];
	(void)now;
	nif->ctr.purge_reply_rx++;
	for (unsigned i = 0; i < NHRP_PURGE_PENDING; i++) {
		struct nhrp_purge_pending *q = &nif->purge_pending[i];
		if (q->used && q->reqid == nif->rx.request_id) {
			q->used = false;
			return;
		}
	}
	nif->ctr.rx_unexpected++;
	log_rl(LOG_LVL_DEBUG, "nhrp %s: unexpected Purge Reply from %s", nif->name,
	       nhrp_fmt(src, b));
}

void nhrp_error_send(struct nhrp_if *nif, const struct ipaddr *nbma, uint16_t code,
		     uint16_t offset, const uint8_t *bad, size_t len, double now)
{
	char b[ADDR_STRLEN];
	if (!ratelimit_ok(&nif->ei_rl, now)) {
		nif->ctr.error_ind_ratelimited++;
		return;
	}
	const struct nhrp_packet *rx = &nif->rx;
	/* Without the bad packet's bytes, the one in nif->rx is meant. */
	uint8_t copy[NHRP_EI_PAYLOAD_MAX];
	if (!bad) {
		struct writer w;
		wr_init(&w, nif->txbuf, sizeof(nif->txbuf));
		if (nhrp_build(&w, rx) != NHRP_OK || !wr_ok(&w))
			return;
		len = wr_len(&w) < sizeof(copy) ? wr_len(&w) : sizeof(copy);
		memcpy(copy, nif->txbuf, len);
		bad = copy;
	}
	nhrp_tx_init(nif, NHRP_ERROR_INDICATION);
	struct nhrp_packet *p = &nif->tx;
	p->error_code = code;
	p->error_offset = offset;
	if (rx->src_proto.family == nif->family)
		p->dst_proto = rx->src_proto;
	p->payload.p = bad;
	p->payload.len = (uint16_t)(len < NHRP_EI_PAYLOAD_MAX ? len : NHRP_EI_PAYLOAD_MAX);
	nhrp_tx_set_auth(nif, p);
	if (nhrp_tx_send(nif, p, nbma) == 0) {
		nif->ctr.error_ind_tx++;
		log_rl(LOG_LVL_INFO, "nhrp %s: Error Indication '%s' to %s", nif->name,
		       nhrp_error_code_name(code), nhrp_fmt(nbma, b));
	}
}

void nhrp_error_recv(struct nhrp_if *nif, const struct ipaddr *src, double now)
{
	char b[ADDR_STRLEN];
	const struct nhrp_packet *p = &nif->rx;
	nif->ctr.error_ind_rx++;
	log_rl(LOG_LVL_WARNING, "nhrp %s: Error Indication '%s' from %s", nif->name,
	       nhrp_error_code_name(p->error_code), nhrp_fmt(src, b));
	/* Which of our requests failed? A resolution becomes negative. */
	struct nhrp_packet *bad = &nif->aux;
	int r = nhrp_parse(bad, p->payload.p, p->payload.len);
	if (r != NHRP_OK && r != NHRP_E_EXT_UNKNOWN_COMPULSORY)
		return;
	if (bad->type == NHRP_RESOLUTION_REQUEST && nhrp_is_own(nif, &bad->src_proto)) {
		struct nhrp_cache *c = nhrp_cache_find_reqid(nif, bad->request_id);
		if (c) {
			c->type = NC_NEGATIVE;
			c->expires = now + NHRP_NEGATIVE_HOLD;
			c->retry_at = 0;
		}
	}
}
