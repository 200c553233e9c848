/* NHS server (hub): registrations (auth already checked by the dispatcher,
 * uniqueness, NAT detection, expiry), forwarding of Resolution Requests
 * toward the owner with a Forward Transit NHS Record, and Traffic
 * Indications (`ip nhrp redirect`) rate-limited per (source, destination). */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nhrp/engine_int.h"

static void reg_reply(struct nhrp_if *nif, const struct ipaddr *src, uint8_t code,
		      uint16_t hold, bool nat)
{
	const struct nhrp_packet *rq = &nif->rx;
	struct nhrp_packet *p = &nif->tx;
	*p = *rq; /* Cisco echoes the request with its extensions */
	p->type = NHRP_REGISTRATION_REPLY;
	p->hop_count = NHRP_HOPS_MAX;
	p->ext_end = true;
	for (unsigned i = 0; i < p->cies.count; i++) {
		p->cies.e[i].code = code;
		if (code == NHRP_CIE_SUCCESS)
			p->cies.e[i].holding_time = hold;
	}
	nhrp_tx_std_ext(nif, p, true);
	nhrp_tx_set_responder(nif, p);
	nhrp_tx_set_auth(nif, p);
	if (nat) {
		/* Tell the client its address as we see it. */
		struct nhrp_cie c = { 0 };
		c.prefix_len = (uint8_t)nif->plen_max;
		c.nbma = *src;
		c.proto = rq->src_proto;
		nhrp_ext_append_cie(p, NHRP_EXT_CISCO_NAT, &c);
	}
	if (nhrp_tx_send(nif, p, src) == 0)
		nif->ctr.reg_reply_tx++;
}

void nhrp_server_recv_reg(struct nhrp_if *nif, const struct ipaddr *src, double now)
{
	char b[ADDR_STRLEN], b2[ADDR_STRLEN];
	const struct nhrp_packet *p = &nif->rx;
	nif->ctr.reg_req_rx++;
	if (!nif->hub) {
		/* Spokes do not serve registrations. */
		nif->ctr.rx_unexpected++;
		return;
	}
	if (p->cies.count < 1 || !ipaddr_is_set(&p->src_proto) || !ipaddr_is_set(&p->src_nbma)) {
		nif->ctr.rx_malformed++;
		log_rl(LOG_LVL_INFO, "nhrp %s: registration from %s without addresses", nif->name,
		       nhrp_fmt(src, b));
		return;
	}
	const struct nhrp_cie *cie = &p->cies.e[0];
	struct prefix pp;
	nhrp_prefix_host(&pp, ipaddr_is_set(&cie->proto) ? &cie->proto : &p->src_proto);
	if (pp.addr.family != nif->family) {
		nif->ctr.rx_wrong_af++;
		return;
	}
	const struct ipaddr *claimed = ipaddr_is_set(&cie->nbma) ? &cie->nbma : &p->src_nbma;
	bool nat = !ipaddr_eq(claimed, src);
	bool unique = p->flags & NHRP_FLAG_REG_U;
	if (nif->ops.reg_allowed && !nif->ops.reg_allowed(nif->ops.ctx, src, &pp)) {
		/* tunnel protection: the IKE identity may not hold this address */
		nif->ctr.reg_refused_identity++;
		log_rl(LOG_LVL_WARNING, "nhrp %s: registration of %s from %s refused: IKE identity "
		       "not authorized", nif->name, nhrp_fmt(&pp.addr, b), nhrp_fmt(src, b2));
		reg_reply(nif, src, NHRP_CIE_ADMIN_PROHIBITED, 0, nat);
		return;
	}
	uint16_t hold = cie->holding_time;
	struct nhrp_cache *c = nhrp_cache_find_prefix(nif, &pp, NC_DYNAMIC);
	if (c && c->peer && !ipaddr_eq(&c->peer->nbma, src)) {
		if (c->unique && c->expires > now) {
			nif->ctr.reg_refused++;
			log_rl(LOG_LVL_WARNING,
			       "nhrp %s: %s registered uniquely at %s, refused from %s", nif->name,
			       nhrp_fmt(&pp.addr, b), nhrp_fmt(&c->peer->nbma, b2), nhrp_fmt(src, b2));
			reg_reply(nif, src, NHRP_CIE_ALREADY_REGISTERED, 0, nat);
			return;
		}
		nhrp_cache_remove(nif, c, "replaced", now);
		c = NULL;
	}
	if (hold == 0) { /* deregistration */
		if (c)
			nhrp_cache_remove(nif, c, "deregistered", now);
		reg_reply(nif, src, NHRP_CIE_SUCCESS, 0, nat);
		return;
	}
	if (!c) {
		c = nhrp_cache_new(nif, NC_DYNAMIC, &pp, now);
		if (!c) {
			reg_reply(nif, src, NHRP_CIE_INSUFFICIENT_RESOURCES, 0, nat);
			return;
		}
		c->via = pp.addr;
		if (nhrp_cache_bind(nif, c, src, PEER_T_DYNAMIC) < 0) {
			nhrp_cache_remove(nif, c, "no peer", now);
			reg_reply(nif, src, NHRP_CIE_INSUFFICIENT_RESOURCES, 0, nat);
			return;
		}
		log_info("nhrp %s: %s registered at %s%s", nif->name, nhrp_fmt(&pp.addr, b),
			 nhrp_fmt(src, b2), nat ? " (behind NAT)" : "");
	}
	c->nbma = *claimed;
	c->nat = nat;
	c->unique = unique;
	c->holdtime = hold;
	c->expires = now + hold;
	if (nat)
		c->peer->nbma_claimed = *claimed;
	peer_set_state(c->peer, PEER_UP, "registered");
	if (nif->ops.neigh_update)
		nif->ops.neigh_update(nif->ops.ctx, &c->via, c->peer);
	/* The host route to the spoke's tunnel address: the hub's own address
	 * is a /32 (/128), so without it the kernel has no way to the spoke.
	 * Withdrawn with the entry (expiry, deregistration, purge, peer down). */
	if (!c->route && nif->ops.route_add &&
	    nif->ops.route_add(nif->ops.ctx, &c->proto, &c->via) == 0) {
		c->route = true;
		nif->ctr.host_route_installed++;
	}
	reg_reply(nif, src, NHRP_CIE_SUCCESS, hold, nat);
}

static bool in_transit(const struct nhrp_if *nif, const struct nhrp_packet *p)
{
	const struct nhrp_ext *e = nhrp_ext_find(p, NHRP_EXT_FWD_TRANSIT);
	for (unsigned i = 0; e && i < e->u.cies.count; i++)
		if (nhrp_is_own(nif, &e->u.cies.e[i].proto))
			return true;
	return false;
}

static void remember_resolver(struct nhrp_cache *c, const struct ipaddr *nbma,
			      const struct ipaddr *proto)
{
	for (unsigned i = 0; i < c->n_resolvers; i++)
		if (ipaddr_eq(&c->resolvers[i].proto, proto)) {
			c->resolvers[i].nbma = *nbma;
			return;
		}
	if (c->n_resolvers < NHRP_RESOLVERS_MAX) {
		c->resolvers[c->n_resolvers].nbma = *nbma;
		c->resolvers[c->n_resolvers].proto = *proto;
		c->n_resolvers++;
	}
}

/* Forwards the request in nif->rx to nbma. */
static void res_forward(struct nhrp_if *nif, const struct ipaddr *src, const struct ipaddr *to,
			double now)
{
	struct nhrp_packet *p = &nif->tx;
	*p = nif->rx;
	(void)now;
	p->hop_count--;
	struct nhrp_cie own;
	nhrp_own_cie(nif, &own, 0, nif->holdtime);
	own.mtu = 0;
	if (!nhrp_ext_add(p, NHRP_EXT_FWD_TRANSIT) ||
	    nhrp_ext_append_cie(p, NHRP_EXT_FWD_TRANSIT, &own) != NHRP_OK) {
		nif->ctr.tx_errors++;
		return;
	}
	nhrp_tx_set_auth(nif, p); /* regenerated hop by hop (RFC 2332 5.3.4) */
	/* A requester behind NAT: give the owner its post-NAT address. */
	struct nhrp_cache *rc = nhrp_cache_find(nif, &p->src_proto, true);
	const struct ipaddr *rn = rc && rc->peer && rc->type == NC_DYNAMIC ? &rc->peer->nbma : src;
	if (!ipaddr_eq(rn, &p->src_nbma)) {
		struct nhrp_cie c = { 0 };
		c.prefix_len = (uint8_t)nif->plen_max;
		c.nbma = *rn;
		c.proto = p->src_proto;
		if (nhrp_ext_add(p, NHRP_EXT_CISCO_NAT))
			nhrp_ext_append_cie(p, NHRP_EXT_CISCO_NAT, &c);
	}
	if (nhrp_tx_send(nif, p, to) == 0)
		nif->ctr.res_req_fwd++;
}

void nhrp_server_recv_res(struct nhrp_if *nif, const struct ipaddr *src, double now)
{
	char b[ADDR_STRLEN];
	const struct nhrp_packet *p = &nif->rx;
	nif->ctr.res_req_rx++;
	if (!ipaddr_is_set(&p->dst_proto) || !ipaddr_is_set(&p->src_proto) ||
	    p->dst_proto.family != nif->family || p->cies.count < 1) {
		nif->ctr.rx_malformed++;
		return;
	}
	if (in_transit(nif, p)) {
		nif->ctr.rx_loop++;
		nhrp_error_send(nif, src, NHRP_ERROR_LOOP_DETECTED, 0, NULL, 0, now);
		return;
	}
	/* Ours, or routed out of a non-overlay interface here: answer. */
	struct nhrp_route_info ri = { 0 };
	bool have_route = nif->ops.route_lookup &&
			  nif->ops.route_lookup(nif->ops.ctx, &p->dst_proto, &ri) == 0 && ri.found;
	if (nhrp_is_own(nif, &p->dst_proto) || (have_route && !ri.via_overlay)) {
		nhrp_shortcut_answer(nif, src, now);
		return;
	}
	if (!nif->hub) {
		/* A spoke does not relay requests. */
		nif->ctr.rx_not_for_us++;
		nhrp_shortcut_answer(nif, src, now); /* answers with No Binding */
		return;
	}
	/* Hub: forward toward the owner (a registration of the target, or
	 * the overlay next hop the routing table gives). */
	struct nhrp_cache *c = nhrp_cache_find(nif, &p->dst_proto, false);
	if (!c || !c->peer || (c->type != NC_DYNAMIC && c->type != NC_STATIC)) {
		c = NULL;
		if (have_route && ri.via_overlay && ipaddr_is_set(&ri.gateway)) {
			c = nhrp_cache_find(nif, &ri.gateway, true);
			if (c && (!c->peer || (c->type != NC_DYNAMIC && c->type != NC_STATIC)))
				c = NULL;
		}
	}
	if (!c) {
		nif->ctr.rx_no_route++;
		log_rl(LOG_LVL_INFO, "nhrp %s: resolution of %s: no route", nif->name,
		       nhrp_fmt(&p->dst_proto, b));
		nhrp_error_send(nif, src, NHRP_ERROR_PROTO_ADDR_UNREACHABLE, 0, NULL, 0, now);
		return;
	}
	if (ipaddr_eq(&c->peer->nbma, src)) {
		/* The owner asks for its own prefix through us: refuse. */
		nif->ctr.rx_loop++;
		nhrp_error_send(nif, src, NHRP_ERROR_LOOP_DETECTED, 0, NULL, 0, now);
		return;
	}
	if (p->hop_count <= 1) {
		nif->ctr.hop_count_exceeded++;
		nhrp_error_send(nif, src, NHRP_ERROR_HOP_COUNT_EXCEEDED, 0, NULL, 0, now);
		return;
	}
	struct nhrp_cache *rc = nhrp_cache_find(nif, &p->src_proto, true);
	remember_resolver(c, rc && rc->peer ? &rc->peer->nbma : src, &p->src_proto);
	res_forward(nif, src, &c->peer->nbma, now);
}

/* One direct-mapped slot per hash of (source, destination): O(1) on the
 * relay path; a colliding pair evicts the older one (at worst one extra
 * Traffic Indication). */
static bool rl_allow(struct nhrp_if *nif, const struct ipaddr *s, const struct ipaddr *d,
		     double now)
{
	uint32_t h = 2166136261u;
	for (unsigned i = 0; i < s->len; i++)
		h = (h ^ s->b[i]) * 16777619u;
	for (unsigned i = 0; i < d->len; i++)
		h = (h ^ d->b[i]) * 16777619u;
	struct nhrp_rl *r = &nif->rl[h % NHRP_RL_MAX];
	if (r->until > now && ipaddr_eq(&r->src, s) && ipaddr_eq(&r->dst, d))
		return false;
	r->src = *s;
	r->dst = *d;
	r->until = now + NHRP_REDIRECT_HOLD;
	return true;
}

void nhrp_server_relay_seen(struct nhrp_if *nif, struct peer *in, struct peer *out,
			    const uint8_t *ip, size_t len, double now)
{
	(void)out;
	if (!nif->redirect)
		return;
	struct ipaddr s = { 0 }, d = { 0 };
	size_t hl;
	if (nif->family == AF_INET) {
		if (len < 20 || (ip[0] >> 4) != 4)
			return;
		ipaddr_from_bytes(&s, ip + 12, 4);
		ipaddr_from_bytes(&d, ip + 16, 4);
		hl = (size_t)(ip[0] & 15) * 4 + 8;
	} else {
		if (len < 40 || (ip[0] >> 4) != 6)
			return;
		ipaddr_from_bytes(&s, ip + 8, 16);
		ipaddr_from_bytes(&d, ip + 24, 16);
		hl = 48;
	}
	if (!rl_allow(nif, &s, &d, now)) {
		nif->ctr.traffic_ind_ratelimited++;
		return;
	}
	nhrp_tx_init(nif, NHRP_TRAFFIC_INDICATION);
	struct nhrp_packet *p = &nif->tx;
	p->traffic_code = NHRP_TRAFFIC_REDIRECT;
	const struct ipaddr *t = nif->family == AF_INET6 ? &in->tunnel6 : &in->tunnel4;
	p->dst_proto = ipaddr_is_set(t) ? *t : s;
	p->payload.p = ip;
	p->payload.len = (uint16_t)(len < hl ? len : hl);
	nhrp_tx_std_ext(nif, p, false);
	if (nhrp_tx_send(nif, p, &in->nbma) == 0)
		nif->ctr.traffic_ind_tx++;
}
