/* Mock NBMA network for the NHRP engine tests (see nhrp_mock.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nhrp/packet.h"
#include "overlay/peer.h"
#include "tests/unit/nhrp_mock.h"

struct ipaddr mock_ip(const char *s)
{
	struct ipaddr a = { 0 };
	if (s)
		ipaddr_parse(&a, s);
	return a;
}

void mock_net_init(struct mock_net *net)
{
	memset(net, 0, sizeof(*net));
	net->q = calloc(MOCK_QUEUE, sizeof(*net->q));
	net->now = 1000.0;
	net->check = true;
}

void mock_net_free(struct mock_net *net)
{
	for (unsigned i = 0; i < net->n_nodes; i++)
		mock_node_stop(&net->node[i], false);
	free(net->q);
	net->q = NULL;
}

static bool has_ext(const struct nhrp_packet *p, uint16_t t)
{
	return nhrp_ext_find(p, t) != NULL;
}

/* Cisco's extension set per type (captures in testdata/captures/tcpdump). */
static bool cisco_ext_ok(const struct mock_node *n, const struct nhrp_packet *p)
{
	bool auth = n->cfg.nhrp_auth != NULL;
	if (auth && !has_ext(p, NHRP_EXT_AUTH))
		return false;
	switch (p->type) {
	case NHRP_REGISTRATION_REQUEST:
	case NHRP_RESOLUTION_REQUEST:
		if (!(p->flags & NHRP_FLAG_CISCO_NAT))
			return false;
		/* fallthrough */
	case NHRP_REGISTRATION_REPLY:
	case NHRP_RESOLUTION_REPLY:
		return has_ext(p, NHRP_EXT_RESPONDER) && has_ext(p, NHRP_EXT_FWD_TRANSIT) &&
		       has_ext(p, NHRP_EXT_REV_TRANSIT) && has_ext(p, NHRP_EXT_CISCO_NAT);
	case NHRP_TRAFFIC_INDICATION:
	case NHRP_PURGE_REQUEST:
	case NHRP_PURGE_REPLY:
		return has_ext(p, NHRP_EXT_FWD_TRANSIT) && has_ext(p, NHRP_EXT_REV_TRANSIT) &&
		       has_ext(p, NHRP_EXT_CISCO_NAT);
	default:
		return true;
	}
}

static int m_send(void *ctx, const struct ipaddr *nbma, const uint8_t *pkt, size_t len)
{
	struct mock_node *n = ctx;
	struct mock_net *net = n->net;
	static struct nhrp_packet p;
	int r = nhrp_parse(&p, pkt, len);
	if (r != NHRP_OK) {
		net->bad_parse++;
		return 0;
	}
	if (net->check && !cisco_ext_ok(n, &p))
		net->bad_ext++;
	if (p.type < 9) {
		net->sent[p.type]++;
		net->last[p.type].from = n->id;
		net->last[p.type].dst = *nbma;
		net->last[p.type].len = len < MOCK_PKT_MAX ? len : MOCK_PKT_MAX;
		memcpy(net->last[p.type].buf, pkt, net->last[p.type].len);
	}
	if (net->drop_next) {
		net->drop_next--;
		net->dropped++;
		return 0;
	}
	if (net->qn >= MOCK_QUEUE || len > MOCK_PKT_MAX) {
		net->dropped++;
		return -105; /* ENOBUFS */
	}
	struct mock_pkt *q = &net->q[(net->qh + net->qn++) % MOCK_QUEUE];
	q->from = n->id;
	q->dst = *nbma;
	q->src_seen = n->nat ? n->public : n->nbma;
	q->len = len;
	memcpy(q->buf, pkt, len);
	return 0;
}

static int m_route_add(void *ctx, const struct prefix *dst, const struct ipaddr *via)
{
	struct mock_node *n = ctx;
	n->route_adds++;
	for (unsigned i = 0; i < n->n_inst; i++)
		if (!n->inst[i].live) {
			n->inst[i] = (struct mock_installed){ *dst, *via, true };
			return 0;
		}
	if (n->n_inst >= MOCK_INSTALLED)
		return -28;
	n->inst[n->n_inst++] = (struct mock_installed){ *dst, *via, true };
	return 0;
}

static int m_route_del(void *ctx, const struct prefix *dst, const struct ipaddr *via)
{
	struct mock_node *n = ctx;
	n->route_dels++;
	for (unsigned i = 0; i < n->n_inst; i++)
		if (n->inst[i].live && n->inst[i].p.plen == dst->plen &&
		    ipaddr_eq(&n->inst[i].p.addr, &dst->addr) && ipaddr_eq(&n->inst[i].via, via)) {
			n->inst[i].live = false;
			return 0;
		}
	return -2;
}

static int m_route_lookup(void *ctx, const struct ipaddr *dst, struct nhrp_route_info *out)
{
	struct mock_node *n = ctx;
	memset(out, 0, sizeof(*out));
	int best = -1;
	for (unsigned i = 0; i < n->n_routes; i++)
		if (prefix_contains(&n->routes[i].p, dst) &&
		    (best < 0 || n->routes[i].p.plen > n->routes[best].p.plen))
			best = (int)i;
	if (best < 0)
		return 0;
	out->found = true;
	out->via_overlay = n->routes[best].via_overlay;
	out->gateway = n->routes[best].gateway;
	out->match = n->routes[best].p;
	return 0;
}

static void m_neigh_update(void *ctx, const struct ipaddr *proto, struct peer *p)
{
	struct mock_node *n = ctx;
	n->neigh_updates++;
	struct mock_neigh *e = NULL;
	for (unsigned i = 0; i < n->n_neigh; i++)
		if (ipaddr_eq(&n->neigh[i].proto, proto))
			e = &n->neigh[i];
	if (!e && n->n_neigh < MOCK_NEIGH)
		e = &n->neigh[n->n_neigh++];
	if (!e)
		return;
	e->proto = *proto;
	memset(&e->nbma, 0, sizeof(e->nbma));
	if (p)
		e->nbma = p->nbma;
}

struct mock_node *mock_node_add(struct mock_net *net, const char *name, int family,
				const char *nbma, const char *proto_prefix)
{
	if (net->n_nodes >= MOCK_NODES)
		return NULL;
	struct mock_node *n = &net->node[net->n_nodes];
	memset(n, 0, sizeof(*n));
	n->net = net;
	n->id = (int)net->n_nodes++;
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->family = family;
	n->nbma = mock_ip(nbma);
	n->public = n->nbma;
	n->cfg.name = n->name;
	n->cfg.tunnel_source = n->nbma;
	struct cfg_nhrp_af *af = family == AF_INET6 ? &n->cfg.nhrp6 : &n->cfg.nhrp4;
	struct prefix p;
	prefix_parse(&p, proto_prefix);
	if (family == AF_INET6) {
		n->cfg.addr6 = p;
		n->cfg.has_addr6 = true;
	} else {
		n->cfg.addr4 = p;
		n->cfg.has_addr4 = true;
	}
	af->has_network_id = true;
	af->network_id = 1;
	af->holdtime = 600;
	af->nhs = n->nhs;
	return n;
}

void mock_node_add_nhs(struct mock_node *n, const char *proto, const char *nbma, unsigned prio)
{
	struct cfg_nhrp_af *af = n->family == AF_INET6 ? &n->cfg.nhrp6 : &n->cfg.nhrp4;
	if (af->n_nhs >= 4)
		return;
	struct cfg_nhs *h = &n->nhs[af->n_nhs++];
	memset(h, 0, sizeof(*h));
	if (proto)
		h->proto = mock_ip(proto);
	else
		h->proto_dynamic = true;
	h->nbma = mock_ip(nbma);
	h->priority = prio;
}

void mock_node_add_route(struct mock_node *n, const char *prefix, bool via_overlay,
			 const char *gateway)
{
	if (n->n_routes >= MOCK_ROUTES)
		return;
	struct mock_route *r = &n->routes[n->n_routes++];
	memset(r, 0, sizeof(*r));
	prefix_parse(&r->p, prefix);
	prefix_normalize(&r->p);
	r->via_overlay = via_overlay;
	if (gateway)
		r->gateway = mock_ip(gateway);
}

void mock_node_start(struct mock_node *n)
{
	struct nhrp_ops ops = {
		.ctx = n,
		.send = m_send,
		.route_add = m_route_add,
		.route_del = m_route_del,
		.route_lookup = m_route_lookup,
		.neigh_update = m_neigh_update,
		.reg_allowed = n->reg_allowed,
	};
	n->nif = nhrp_if_new_af((struct ovl_if *)&n->ovl, &n->cfg, n->family, &ops, n->net->now);
	/* As the daemon's timer does right after the interface is wired up:
	 * the first registrations go out now. */
	if (n->nif)
		nhrp_if_run(n->nif, n->net->now);
}

void mock_node_stop(struct mock_node *n, bool clean)
{
	if (!n->nif)
		return;
	if (clean)
		nhrp_if_shutdown(n->nif, n->net->now);
	else
		nhrp_if_free(n->nif);
	n->nif = NULL;
}

static struct mock_node *node_by_nbma(struct mock_net *net, const struct ipaddr *a)
{
	for (unsigned i = 0; i < net->n_nodes; i++) {
		struct mock_node *n = &net->node[i];
		if (n->nat ? ipaddr_eq(&n->public, a) : ipaddr_eq(&n->nbma, a))
			return n;
	}
	return NULL;
}

void mock_pump(struct mock_net *net)
{
	static struct mock_pkt cur;
	unsigned guard = 0;
	while (net->qn && guard++ < 100000) {
		cur = net->q[net->qh];
		net->qh = (net->qh + 1) % MOCK_QUEUE;
		net->qn--;
		struct mock_node *to = node_by_nbma(net, &cur.dst);
		if (!to || !to->nif || to->rx_down) {
			net->undeliverable++;
			continue;
		}
		net->delivered++;
		nhrp_input(to->nif, &cur.src_seen, cur.buf, cur.len, net->now);
	}
}

void mock_advance(struct mock_net *net, double t)
{
	mock_pump(net);
	for (unsigned guard = 0; guard < 100000; guard++) {
		double d = 0;
		for (unsigned i = 0; i < net->n_nodes; i++) {
			if (!net->node[i].nif)
				continue;
			double x = nhrp_if_next_deadline(net->node[i].nif);
			if (x > 0 && (d == 0 || x < d))
				d = x;
		}
		if (d == 0 || d > t)
			break;
		if (d > net->now)
			net->now = d;
		for (unsigned i = 0; i < net->n_nodes; i++)
			if (net->node[i].nif)
				nhrp_if_run(net->node[i].nif, net->now);
		mock_pump(net);
	}
	net->now = t;
	for (unsigned i = 0; i < net->n_nodes; i++)
		if (net->node[i].nif)
			nhrp_if_run(net->node[i].nif, net->now);
	mock_pump(net);
}

void mock_inject(struct mock_node *n, const char *src, const uint8_t *buf, size_t len)
{
	struct ipaddr s = mock_ip(src);
	nhrp_input(n->nif, &s, buf, len, n->net->now);
	mock_pump(n->net);
}

const struct mock_installed *mock_route_find(const struct mock_node *n, const char *prefix)
{
	struct prefix p;
	prefix_parse(&p, prefix);
	for (unsigned i = 0; i < n->n_inst; i++)
		if (n->inst[i].live && n->inst[i].p.plen == p.plen &&
		    ipaddr_eq(&n->inst[i].p.addr, &p.addr))
			return &n->inst[i];
	return NULL;
}

const struct mock_neigh *mock_neigh_find(const struct mock_node *n, const char *proto)
{
	struct ipaddr a = mock_ip(proto);
	for (unsigned i = 0; i < n->n_neigh; i++)
		if (ipaddr_eq(&n->neigh[i].proto, &a))
			return &n->neigh[i];
	return NULL;
}
