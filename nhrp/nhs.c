/* NHS client (spoke): Registration Requests to every configured NHS, with
 * retransmission backoff, refresh at holdtime/3, NHS states and the choice
 * of the preferred NHS (lowest priority value that is up). */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "nhrp/engine_int.h"

static const char *const nhs_state_names[NHS_STATE_MAX_] = { "down", "probing", "up" };

const char *nhrp_nhs_state_name(enum nhrp_nhs_state s)
{
	return (unsigned)s < NHS_STATE_MAX_ ? nhs_state_names[s] : "unknown";
}

/* Doubles t (at least lo), capped at NHRP_REQ_TIMEOUT_MAX. */
static double backoff(double t, double lo)
{
	t *= 2;
	if (t < lo)
		t = lo;
	return t > NHRP_REQ_TIMEOUT_MAX ? NHRP_REQ_TIMEOUT_MAX : t;
}

static void nhs_pick_active(struct nhrp_if *nif, const char *why)
{
	int best = -1;
	for (unsigned i = 0; i < nif->n_nhs; i++) {
		if (nif->nhs[i].state != NHS_UP)
			continue;
		if (best < 0 || nif->nhs[i].priority < nif->nhs[best].priority)
			best = (int)i;
	}
	if (best != nif->active_nhs) {
		char a[ADDR_STRLEN], b[ADDR_STRLEN];
		log_notice("nhrp %s: preferred NHS %s -> %s (%s)", nif->name,
			   nif->active_nhs >= 0 ? nhrp_fmt(&nif->nhs[nif->active_nhs].nbma, a) : "none",
			   best >= 0 ? nhrp_fmt(&nif->nhs[best].nbma, b) : "none", why);
		nif->active_nhs = best;
	}
}

/* The one setter of an NHS's state. */
static void nhs_set_state(struct nhrp_if *nif, struct nhrp_nhs *n, enum nhrp_nhs_state s,
			  const char *reason)
{
	if (n->state == s)
		return;
	char b[ADDR_STRLEN];
	log_notice("nhrp %s: nhs %s: %s -> %s (%s)", nif->name, nhrp_fmt(&n->nbma, b),
		   nhrp_nhs_state_name(n->state), nhrp_nhs_state_name(s), reason);
	n->state = s;
	if (n->peer)
		peer_set_state(n->peer, s == NHS_UP ? PEER_UP : s == NHS_PROBING ? PEER_CONNECTING
										   : PEER_DOWN,
			       reason);
	nhs_pick_active(nif, reason);
}

static void nhs_bind_cache(struct nhrp_if *nif, struct nhrp_nhs *n, double now);

struct nhrp_nhs *nhrp_nhs_active(struct nhrp_if *nif)
{
	return nif->active_nhs >= 0 ? &nif->nhs[nif->active_nhs] : NULL;
}

struct peer *nhrp_nhs_preferred_peer(const struct nhrp_if *nif)
{
	if (!nif || nif->active_nhs < 0 || nif->nhs[nif->active_nhs].state != NHS_UP)
		return NULL;
	return nif->nhs[nif->active_nhs].peer;
}

const struct ipaddr *nhrp_if_nat_nbma(const struct nhrp_if *nif)
{
	return nif && ipaddr_is_set(&nif->nat_nbma) ? &nif->nat_nbma : NULL;
}

void nhrp_nhs_init(struct nhrp_if *nif, const void *cfg_af, double now)
{
	const struct cfg_nhrp_af *af = cfg_af;
	for (size_t i = 0; i < af->n_nhs && nif->n_nhs < NHRP_MAX_NHS; i++) {
		const struct cfg_nhs *c = &af->nhs[i];
		struct nhrp_nhs *n = &nif->nhs[nif->n_nhs++];
		memset(n, 0, sizeof(*n));
		n->dynamic = c->proto_dynamic;
		if (!c->proto_dynamic && c->proto.family == nif->family)
			n->proto = c->proto;
		n->nbma = c->nbma;
		if (!ipaddr_is_set(&n->nbma) && c->nbma_from_map) {
			for (size_t m = 0; m < af->n_maps; m++)
				if (ipaddr_eq(&af->maps[m].proto, &c->proto))
					n->nbma = af->maps[m].nbma;
		}
		n->priority = c->priority;
		n->state = NHS_DOWN;
		n->last_reg = -1;
		n->rtt_ms = -1;
		n->timeout = NHRP_REQ_TIMEOUT_MIN;
		n->next_at = now;
		if (ipaddr_is_set(&n->nbma))
			n->peer = peer_get(nif->oif, &n->nbma, PEER_T_NHS);
		if (n->peer && ipaddr_is_set(&n->proto)) {
			if (n->proto.family == AF_INET6)
				n->peer->tunnel6 = n->proto;
			else
				n->peer->tunnel4 = n->proto;
		}
		/* Like Cisco, `nhs PROTO nbma NBMA` is also a mapping: the data
		 * path can reach the NHS before it answers. */
		nhs_bind_cache(nif, n, now);
	}
	/* The first registrations leave on the first timer run (next_at =
	 * now), not from here: the caller may still be wiring the interface
	 * (tunnel protection is attached after the engine exists). */
}

static void nhs_send(struct nhrp_if *nif, struct nhrp_nhs *n, uint16_t holdtime)
{
	if (!ipaddr_is_set(&nif->nbma) || !ipaddr_is_set(&nif->proto.addr))
		return;
	nhrp_tx_init(nif, NHRP_REGISTRATION_REQUEST);
	struct nhrp_packet *p = &nif->tx;
	p->flags = NHRP_FLAG_CISCO_NAT | (nif->reg_no_unique ? 0 : NHRP_FLAG_REG_U);
	p->request_id = n->reqid;
	p->dst_proto = ipaddr_is_set(&n->proto) ? n->proto : nif->proto.addr;
	struct nhrp_cie *c = &p->cies.e[0];
	memset(c, 0, sizeof(*c));
	c->code = NHRP_CIE_SUCCESS;
	c->prefix_len = (uint8_t)nif->plen_max;
	c->mtu = nif->mtu;
	c->holding_time = holdtime;
	p->cies.count = 1;
	nhrp_tx_std_ext(nif, p, true);
	/* Cisco puts the NHS as we address it in the NAT extension. */
	struct nhrp_cie nat = { 0 };
	nat.prefix_len = (uint8_t)nif->plen_max;
	nat.nbma = n->nbma;
	nat.proto = p->dst_proto;
	nhrp_ext_append_cie(p, NHRP_EXT_CISCO_NAT, &nat);
	if (nhrp_tx_send(nif, p, &n->nbma) == 0)
		nif->ctr.reg_req_tx++;
}

static void nhs_start(struct nhrp_if *nif, struct nhrp_nhs *n, double now)
{
	n->reqid = nhrp_reqid(nif);
	n->pending = true;
	n->sent_at = now;
	n->tries = 0;
	n->timeout = NHRP_REQ_TIMEOUT_MIN;
	n->next_at = now + n->timeout;
	if (n->state != NHS_UP)
		nhs_set_state(nif, n, NHS_PROBING, "registering");
	nhs_send(nif, n, nif->holdtime);
}

void nhrp_nhs_run(struct nhrp_if *nif, double now)
{
	for (unsigned i = 0; i < nif->n_nhs; i++) {
		struct nhrp_nhs *n = &nif->nhs[i];
		if (!ipaddr_is_set(&n->nbma) || nif->shutting_down)
			continue;
		if (n->state == NHS_UP && n->expires > 0 && n->expires <= now) {
			n->pending = false;
			nhs_set_state(nif, n, NHS_DOWN, "registration expired");
		}
		if (n->next_at > now)
			continue;
		if (!n->pending) {
			nhs_start(nif, n, now);
			continue;
		}
		/* The outstanding request timed out: retransmit with backoff. */
		nif->ctr.reg_timeout++;
		n->tries++;
		if (n->tries >= NHRP_NHS_DOWN_TRIES && n->state != NHS_DOWN)
			nhs_set_state(nif, n, NHS_DOWN, "no registration reply");
		n->timeout = backoff(n->timeout, NHRP_REQ_TIMEOUT_MIN);
		n->next_at = now + n->timeout;
		nhs_send(nif, n, nif->holdtime);
	}
}

double nhrp_nhs_deadline(const struct nhrp_if *nif)
{
	double d = 0;
	for (unsigned i = 0; i < nif->n_nhs; i++) {
		const struct nhrp_nhs *n = &nif->nhs[i];
		if (!ipaddr_is_set(&n->nbma))
			continue;
		double t = n->next_at;
		if (n->state == NHS_UP && n->expires > 0 && n->expires < t)
			t = n->expires;
		if (t > 0 && (d == 0 || t < d))
			d = t;
	}
	return d;
}

static void nhs_bind_cache(struct nhrp_if *nif, struct nhrp_nhs *n, double now)
{
	if (!ipaddr_is_set(&n->proto) || !n->peer)
		return;
	struct prefix p;
	nhrp_prefix_host(&p, &n->proto);
	struct nhrp_cache *c = nhrp_cache_find_prefix(nif, &p, NC_NHS);
	if (!c) {
		c = nhrp_cache_new(nif, NC_NHS, &p, now);
		if (!c)
			return;
	}
	c->via = n->proto;
	c->nbma = n->nbma;
	if (c->peer != n->peer && nhrp_cache_bind(nif, c, &n->nbma, PEER_T_NHS) < 0)
		return;
	if (nif->ops.neigh_update)
		nif->ops.neigh_update(nif->ops.ctx, &c->via, c->peer);
}

void nhrp_nhs_recv_reply(struct nhrp_if *nif, const struct ipaddr *src, double now)
{
	char b[ADDR_STRLEN];
	const struct nhrp_packet *p = &nif->rx;
	struct nhrp_nhs *n = NULL;
	for (unsigned i = 0; i < nif->n_nhs; i++)
		if (nif->nhs[i].pending && nif->nhs[i].reqid == p->request_id)
			n = &nif->nhs[i];
	if (!n || p->cies.count < 1) {
		nif->ctr.rx_unexpected++;
		log_rl(LOG_LVL_DEBUG, "nhrp %s: unexpected Registration Reply from %s", nif->name,
		       nhrp_fmt(src, b));
		return;
	}
	nif->ctr.reg_reply_rx++;
	const struct nhrp_cie *c = &p->cies.e[0];
	n->pending = false;
	if (c->code != NHRP_CIE_SUCCESS) {
		nif->ctr.reg_nak_rx++;
		log_warn("nhrp %s: nhs %s refused registration: %s", nif->name, nhrp_fmt(&n->nbma, b),
			 nhrp_cie_code_name(c->code));
		nhs_set_state(nif, n, NHS_DOWN, nhrp_cie_code_name(c->code));
		n->timeout = backoff(n->timeout, 8.0); /* refused: at least 8 s */
		n->next_at = now + n->timeout;
		return;
	}
	const struct nhrp_ext *r = nhrp_ext_find(p, NHRP_EXT_RESPONDER);
	if (n->dynamic && r && r->u.cies.count && ipaddr_is_set(&r->u.cies.e[0].proto) &&
	    r->u.cies.e[0].proto.family == nif->family) {
		n->proto = r->u.cies.e[0].proto;
		if (n->peer) {
			if (n->proto.family == AF_INET6)
				n->peer->tunnel6 = n->proto;
			else
				n->peer->tunnel4 = n->proto;
		}
	}
	/* Our post-NAT NBMA as the NHS sees it (Cisco NAT extension). */
	const struct nhrp_ext *nat = nhrp_ext_find(p, NHRP_EXT_CISCO_NAT);
	for (unsigned i = 0; nat && i < nat->u.cies.count; i++) {
		const struct nhrp_cie *e = &nat->u.cies.e[i];
		if (nhrp_is_own(nif, &e->proto) && ipaddr_is_set(&e->nbma) &&
		    !ipaddr_eq(&e->nbma, &nif->nbma))
			nif->nat_nbma = e->nbma;
	}
	double hold = c->holding_time ? c->holding_time : nif->holdtime;
	n->rtt_ms = (now - n->sent_at) * 1000.0;
	n->last_reg = now;
	n->tries = 0;
	n->timeout = NHRP_REQ_TIMEOUT_MIN;
	n->expires = now + hold;
	n->next_at = now + hold / 3.0;
	nhs_bind_cache(nif, n, now);
	nhs_set_state(nif, n, NHS_UP, "registered");
}

void nhrp_nhs_deregister(struct nhrp_if *nif, double now)
{
	(void)now;
	for (unsigned i = 0; i < nif->n_nhs; i++) {
		struct nhrp_nhs *n = &nif->nhs[i];
		if (!ipaddr_is_set(&n->nbma) || n->state == NHS_DOWN)
			continue;
		n->reqid = nhrp_reqid(nif);
		nhs_send(nif, n, 0);
		n->pending = false;
		nhs_set_state(nif, n, NHS_DOWN, "deregistered");
	}
}

void nhrp_nhs_free(struct nhrp_if *nif)
{
	for (unsigned i = 0; i < nif->n_nhs; i++) {
		if (nif->nhs[i].peer)
			peer_put(nif->nhs[i].peer);
		nif->nhs[i].peer = NULL;
	}
	nif->n_nhs = 0;
	nif->active_nhs = -1;
}

/* The peer of an NHS was declared dead: down now, register again soon. */
void nhrp_nhs_peer_dead(struct nhrp_if *nif, const struct peer *p, const char *reason, double now)
{
	for (unsigned i = 0; i < nif->n_nhs; i++) {
		struct nhrp_nhs *n = &nif->nhs[i];
		if (n->peer != p)
			continue;
		n->pending = false;
		n->expires = 0;
		n->timeout = NHRP_REQ_TIMEOUT_MIN;
		n->next_at = now + NHRP_REQ_TIMEOUT_MIN;
		nhs_set_state(nif, n, NHS_DOWN, reason);
	}
}
