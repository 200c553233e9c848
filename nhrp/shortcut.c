/* Resolution and shortcuts (spoke with `ip nhrp shortcut`): a Traffic
 * Indication starts a Resolution Request via the preferred NHS; the owner
 * answers directly with the prefix it routes; the requester installs the
 * shortcut route through the peer, refreshes it while used and lets it
 * expire when idle. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nhrp/engine_int.h"

void nhrp_shortcut_send_req(struct nhrp_if *nif, struct nhrp_cache *c, double now)
{
	(void)now;
	struct nhrp_nhs *n = nhrp_nhs_active(nif);
	if (!n)
		return;
	nhrp_tx_init(nif, NHRP_RESOLUTION_REQUEST);
	struct nhrp_packet *p = &nif->tx;
	p->flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_S | NHRP_FLAG_CISCO_NAT;
	p->request_id = c->reqid;
	p->dst_proto = ipaddr_is_set(&c->target) ? c->target : c->proto.addr;
	struct nhrp_cie *e = &p->cies.e[0];
	memset(e, 0, sizeof(*e));
	e->mtu = nif->mtu;
	e->holding_time = nif->holdtime;
	p->cies.count = 1;
	nhrp_tx_std_ext(nif, p, true);
	if (nhrp_tx_send(nif, p, &n->nbma) == 0)
		nif->ctr.res_req_tx++;
}

/* Starts (or keeps) a resolution of dst. 0 when one is in progress. */
int nhrp_shortcut_resolve(struct nhrp_if *nif, const struct ipaddr *dst, double now)
{
	if (dst->family != nif->family || nhrp_is_own(nif, dst))
		return -1;
	struct nhrp_cache *c = nhrp_cache_find(nif, dst, false);
	if (c && (c->type == NC_INCOMPLETE || c->type == NC_NEGATIVE || c->type == NC_CACHED ||
		  c->type == NC_LOCAL))
		return c->type == NC_INCOMPLETE ? 0 : -1;
	if (!nhrp_nhs_active(nif))
		return -1;
	struct prefix p;
	nhrp_prefix_host(&p, dst);
	c = nhrp_cache_new(nif, NC_INCOMPLETE, &p, now);
	if (!c)
		return -1;
	c->reqid = nhrp_reqid(nif);
	c->target = *dst;
	c->tries = 1;
	c->retry_at = now + NHRP_REQ_TIMEOUT_MIN;
	nhrp_shortcut_send_req(nif, c, now);
	return 0;
}

void nhrp_shortcut_recv_ti(struct nhrp_if *nif, const struct ipaddr *src, double now)
{
	char b[ADDR_STRLEN];
	const struct nhrp_packet *p = &nif->rx;
	nif->ctr.traffic_ind_rx++;
	struct ipaddr d = { 0 };
	const uint8_t *ip = p->payload.p;
	size_t len = p->payload.len;
	if (nif->family == AF_INET && len >= 20 && (ip[0] >> 4) == 4)
		ipaddr_from_bytes(&d, ip + 16, 4);
	else if (nif->family == AF_INET6 && len >= 40 && (ip[0] >> 4) == 6)
		ipaddr_from_bytes(&d, ip + 24, 16);
	if (!ipaddr_is_set(&d)) {
		nif->ctr.rx_malformed++;
		log_rl(LOG_LVL_INFO, "nhrp %s: Traffic Indication from %s without a packet",
		       nif->name, nhrp_fmt(src, b));
		return;
	}
	if (!nif->shortcut || nif->hub) {
		nif->ctr.rx_unexpected++;
		return;
	}
	log_debug("nhrp %s: redirect for %s from %s", nif->name, nhrp_fmt(&d, b),
		  nhrp_fmt(src, b));
	nhrp_shortcut_resolve(nif, &d, now);
}

/* Owner side: answer the Resolution Request in nif->rx directly to the
 * requester, with the prefix we route the target by. */
void nhrp_shortcut_answer(struct nhrp_if *nif, const struct ipaddr *src, double now)
{
	char b[ADDR_STRLEN];
	const struct nhrp_packet *rq = &nif->rx;
	uint8_t code = NHRP_CIE_SUCCESS;
	uint8_t plen = (uint8_t)nif->plen_max;
	if (!nhrp_is_own(nif, &rq->dst_proto)) {
		struct nhrp_route_info ri = { 0 };
		if (nif->ops.route_lookup &&
		    nif->ops.route_lookup(nif->ops.ctx, &rq->dst_proto, &ri) == 0 && ri.found &&
		    !ri.via_overlay)
			plen = ri.match.plen;
		else
			code = NHRP_CIE_NO_BINDING;
	}
	/* Where the requester really is: the NAT extension the NHS added,
	 * else the address it claims. */
	struct ipaddr to = rq->src_nbma;
	const struct nhrp_ext *nat = nhrp_ext_find(rq, NHRP_EXT_CISCO_NAT);
	for (unsigned i = 0; nat && i < nat->u.cies.count; i++)
		if (ipaddr_eq(&nat->u.cies.e[i].proto, &rq->src_proto) &&
		    ipaddr_is_set(&nat->u.cies.e[i].nbma))
			to = nat->u.cies.e[i].nbma;
	if (!ipaddr_is_set(&to))
		to = *src;
	uint16_t req_hold = rq->cies.count ? rq->cies.e[0].holding_time : nif->holdtime;

	struct nhrp_packet *p = &nif->tx;
	*p = *rq;
	p->type = NHRP_RESOLUTION_REPLY;
	p->hop_count = NHRP_HOPS_MAX;
	p->flags |= NHRP_FLAG_RES_A | NHRP_FLAG_RES_D | NHRP_FLAG_RES_S | NHRP_FLAG_CISCO_NAT;
	if (code == NHRP_CIE_SUCCESS)
		p->flags |= NHRP_FLAG_RES_U;
	nhrp_own_cie(nif, &p->cies.e[0], plen, nif->holdtime);
	p->cies.e[0].code = code;
	if (code != NHRP_CIE_SUCCESS) {
		memset(&p->cies.e[0].nbma, 0, sizeof(p->cies.e[0].nbma));
		memset(&p->cies.e[0].proto, 0, sizeof(p->cies.e[0].proto));
	}
	p->cies.count = 1;
	nhrp_tx_std_ext(nif, p, true);
	nhrp_tx_set_responder(nif, p);
	nhrp_tx_set_auth(nif, p);
	struct nhrp_ext *ne = nhrp_ext_get(p, NHRP_EXT_CISCO_NAT);
	if (ne) {
		ne->u.cies.count = 0;
		if (ipaddr_is_set(&nif->nat_nbma)) {
			struct nhrp_cie c;
			nhrp_own_cie(nif, &c, (uint8_t)nif->plen_max, 0);
			c.nbma = nif->nat_nbma;
			nhrp_ext_append_cie(p, NHRP_EXT_CISCO_NAT, &c);
		}
	}
	if (nhrp_tx_send(nif, p, &to) < 0)
		return;
	if (code != NHRP_CIE_SUCCESS) {
		nif->ctr.res_nak_tx++;
		log_rl(LOG_LVL_INFO, "nhrp %s: no binding for %s", nif->name,
		       nhrp_fmt(&rq->dst_proto, b));
		return;
	}
	nif->ctr.res_reply_tx++;
	/* Remember the requester: return traffic goes direct, and we purge
	 * it when our binding goes away. */
	struct prefix hp;
	nhrp_prefix_host(&hp, &rq->src_proto);
	struct nhrp_cache *c = nhrp_cache_find_prefix(nif, &hp, NC_CACHED);
	if (!c && nhrp_cache_find(nif, &rq->src_proto, true))
		return; /* already bound otherwise (NHS, static, dynamic) */
	if (!c && !(c = nhrp_cache_new(nif, NC_CACHED, &hp, now)))
		return;
	c->via = rq->src_proto;
	c->nbma = rq->src_nbma;
	c->owner = true;
	c->nat = !ipaddr_eq(&to, &rq->src_nbma);
	c->holdtime = req_hold ? req_hold : nif->holdtime;
	c->expires = now + c->holdtime;
	if (nhrp_cache_bind(nif, c, &to, PEER_T_SHORTCUT) < 0) {
		nhrp_cache_remove(nif, c, "no peer", now);
		return;
	}
	peer_set_state(c->peer, PEER_UP, "resolution answered");
	if (nif->ops.neigh_update)
		nif->ops.neigh_update(nif->ops.ctx, &c->via, c->peer);
}

void nhrp_shortcut_recv_reply(struct nhrp_if *nif, const struct ipaddr *src, double now)
{
	char b[PREFIX_STRLEN], b2[ADDR_STRLEN];
	const struct nhrp_packet *p = &nif->rx;
	struct nhrp_cache *inc = nhrp_cache_find_reqid(nif, p->request_id);
	struct nhrp_cache *old = NULL;
	if (!inc) {
		/* A refresh of an installed shortcut. */
		for (struct nhrp_cache *c = nif->cache; c; c = c->next)
			if (c->type == NC_CACHED && c->shortcut && c->reqid == p->request_id)
				old = c;
	}
	if ((!inc && !old) || p->cies.count < 1 || !nhrp_is_own(nif, &p->src_proto)) {
		nif->ctr.rx_unexpected++;
		return;
	}
	nif->ctr.res_reply_rx++;
	const struct nhrp_cie *e = &p->cies.e[0];
	if (e->code != NHRP_CIE_SUCCESS || !ipaddr_is_set(&e->nbma)) {
		nif->ctr.res_nak_rx++;
		if (inc) {
			inc->type = NC_NEGATIVE;
			inc->expires = now + NHRP_NEGATIVE_HOLD;
			inc->retry_at = 0;
		}
		return;
	}
	struct prefix pfx = { .addr = p->dst_proto, .plen = e->prefix_len };
	if (pfx.plen == 0 || pfx.plen > nif->plen_max)
		pfx.plen = (uint8_t)nif->plen_max;
	prefix_normalize(&pfx);
	struct ipaddr via = ipaddr_is_set(&e->proto) ? e->proto : p->dst_proto;
	/* The owner's real address: its NAT extension, else where the
	 * reply came from when that differs from what it claims. */
	struct ipaddr nbma = e->nbma;
	bool nat = false;
	const struct nhrp_ext *ne = nhrp_ext_find(p, NHRP_EXT_CISCO_NAT);
	for (unsigned i = 0; ne && i < ne->u.cies.count; i++)
		if (ipaddr_eq(&ne->u.cies.e[i].proto, &via) && ipaddr_is_set(&ne->u.cies.e[i].nbma) &&
		    !ipaddr_eq(&ne->u.cies.e[i].nbma, &nbma)) {
			nbma = ne->u.cies.e[i].nbma;
			nat = true;
		}
	if (!nat && !ipaddr_eq(src, &nbma)) {
		nbma = *src;
		nat = true;
	}
	struct nhrp_cache *c = old ? old : inc;
	if (!old) {
		/* The incomplete entry was for the host; the answer may be wider. */
		struct nhrp_cache *dup = nhrp_cache_find_prefix(nif, &pfx, NC_CACHED);
		if (dup && dup != c)
			nhrp_cache_remove(nif, dup, "replaced", now);
		c->type = NC_CACHED;
		c->proto = pfx;
		c->retry_at = 0;
	}
	c->shortcut = true;
	c->via = via;
	c->nbma = e->nbma;
	c->nat = nat;
	c->holdtime = e->holding_time ? e->holding_time : nif->holdtime;
	c->expires = now + c->holdtime;
	c->refresh_at = now + c->holdtime * 2.0 / 3.0;
	if (!c->peer || !ipaddr_eq(&c->peer->nbma, &nbma)) {
		if (nhrp_cache_bind(nif, c, &nbma, PEER_T_SHORTCUT) < 0) {
			nhrp_cache_remove(nif, c, "no peer", now);
			return;
		}
	}
	c->last_pkts = c->peer->pkts_out;
	peer_set_state(c->peer, PEER_UP, "resolved");
	if (nif->ops.neigh_update)
		nif->ops.neigh_update(nif->ops.ctx, &via, c->peer);
	/* The peer's own tunnel address needs no route when our interface
	 * prefix covers it (the kernel asks for it directly); with a /32
	 * (/128) address it does (a host route via itself, onlink), or traffic
	 * to it keeps following the route through the hub. */
	bool connected = pfx.plen == nif->plen_max && ipaddr_eq(&pfx.addr, &via) &&
			 nif->proto.plen < nif->plen_max && prefix_contains(&nif->proto, &via);
	if (!c->route && !connected && nif->ops.route_add &&
	    nif->ops.route_add(nif->ops.ctx, &c->proto, &via) == 0) {
		c->route = true;
		nif->ctr.shortcut_installed++;
		log_info("nhrp %s: shortcut %s via %s (%s)", nif->name,
			 prefix_fmt(&c->proto, b, sizeof(b)), nhrp_fmt(&via, b2),
			 nat ? "behind NAT" : "direct");
	}
}

/* Retransmits pending resolutions; refreshes used shortcuts. */
void nhrp_shortcut_run(struct nhrp_if *nif, double now)
{
	for (struct nhrp_cache *c = nif->cache; c; c = c->next) {
		if (c->type == NC_INCOMPLETE && c->retry_at > 0 && c->retry_at <= now) {
			nif->ctr.res_timeout++;
			if (c->tries >= NHRP_RES_TRIES) {
				c->type = NC_NEGATIVE;
				c->expires = now + NHRP_NEGATIVE_HOLD;
				c->retry_at = 0;
				continue;
			}
			c->tries++;
			c->retry_at = now + NHRP_REQ_TIMEOUT_MIN * (double)(1u << (c->tries - 1));
			nhrp_shortcut_send_req(nif, c, now);
		} else if (c->type == NC_CACHED && c->shortcut && c->refresh_at > 0 &&
			   c->refresh_at <= now) {
			c->refresh_at = 0;
			if (c->peer && c->peer->pkts_out != c->last_pkts) {
				/* Used since the last check: resolve again. */
				c->last_pkts = c->peer->pkts_out;
				c->reqid = nhrp_reqid(nif);
				nhrp_shortcut_send_req(nif, c, now);
			}
		}
	}
}
