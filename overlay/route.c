/* Route sink (doc/ARCHITECTURE.md seam 2): the routes the NHRP engines ask
 * for go into the kernel with protocol RTPROT_DMVPN, onlink through the TAP
 * via a peer's overlay address. Every route is tracked so that a peer going
 * down withdraws the routes through it and shutdown withdraws them all.
 * The kernel is reached through an apply function (netlink in the daemon,
 * a mock in the unit tests) or, with `frr zapi`, through zebra (the
 * daemon sets ovl_route_sink_apply to frr-integration's zclient). Allocation happens here only on route changes,
 * never per packet. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "overlay/iface.h"
#include "overlay/netlink.h"

int ovl_routes_netlink_apply(void *ctx, bool add, const struct netlink_route *r)
{
	struct netlink *nl = ctx;

	return add ? netlink_route_replace(nl, r) : netlink_route_del(nl, r);
}

ovl_route_apply_fn ovl_route_sink_apply;
void *ovl_route_sink_ctx;

void ovl_routes_init_sink(struct ovl_routes *rs, int ifindex, struct netlink *nl)
{
	if (ovl_route_sink_apply)
		ovl_routes_init(rs, ifindex, ovl_route_sink_apply, ovl_route_sink_ctx);
	else
		ovl_routes_init(rs, ifindex, ovl_routes_netlink_apply, nl);
}

void ovl_routes_init(struct ovl_routes *rs, int ifindex, ovl_route_apply_fn apply, void *ctx)
{
	memset(rs, 0, sizeof(*rs));
	rs->ifindex = ifindex;
	rs->apply = apply;
	rs->ctx = ctx;
}

static void route_fill(const struct ovl_routes *rs, const struct ovl_route *e,
                       struct netlink_route *r)
{
	memset(r, 0, sizeof(*r));
	r->dst = e->dst;
	r->protocol = RTPROT_DMVPN;
	r->n_nh = 1;
	r->nh[0].via = e->via;
	r->nh[0].ifindex = rs->ifindex;
	r->nh[0].onlink = true;
}

static void ctr(struct ovl_routes *rs, enum ovl_ctr c)
{
	if (rs->ctr)
		rs->ctr[c]++;
}

static int apply(struct ovl_routes *rs, struct ovl_route *e, bool add)
{
	struct netlink_route r;
	char b1[PREFIX_STRLEN], b2[ADDR_STRLEN];
	int err;

	route_fill(rs, e, &r);
	err = rs->apply ? rs->apply(rs->ctx, add, &r) : 0;
	if (err && !(add == false && (err == -ESRCH || err == -ENOENT))) {
		ctr(rs, OVL_CTR_route_errors);
		log_warn("route %s %s via %s: %s", add ? "add" : "del",
		         prefix_fmt(&e->dst, b1, sizeof(b1)), ipaddr_fmt(&e->via, b2, sizeof(b2)),
		         strerror(-err));
		return err;
	}
	ctr(rs, add ? OVL_CTR_route_add : OVL_CTR_route_del);
	log_info("route %s %s via %s", add ? "installed" : "withdrawn",
	         prefix_fmt(&e->dst, b1, sizeof(b1)), ipaddr_fmt(&e->via, b2, sizeof(b2)));
	return 0;
}

static struct ovl_route *find(struct ovl_routes *rs, const struct prefix *dst)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->v[i].dst.plen == dst->plen && ipaddr_eq(&rs->v[i].dst.addr, &dst->addr))
			return &rs->v[i];
	return NULL;
}

static void remove_at(struct ovl_routes *rs, size_t i)
{
	rs->v[i] = rs->v[--rs->n];
}

int ovl_routes_add(struct ovl_routes *rs, const struct prefix *dst, const struct ipaddr *via)
{
	struct prefix d = *dst;
	struct ovl_route *e;
	int err;

	if (!ipaddr_is_set(&dst->addr) || !ipaddr_is_set(via) || via->family != dst->addr.family)
		return -EINVAL;
	prefix_normalize(&d);
	e = find(rs, &d);
	if (!e) {
		if (rs->n == rs->cap) {
			size_t cap = rs->cap ? rs->cap * 2 : 16;
			struct ovl_route *v = realloc(rs->v, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			rs->v = v;
			rs->cap = cap;
		}
		e = &rs->v[rs->n++];
		memset(e, 0, sizeof(*e));
		e->dst = d;
	} else if (e->installed && ipaddr_eq(&e->via, via)) {
		return 0;
	}
	e->via = *via;
	err = apply(rs, e, true);
	e->installed = err == 0;
	if (err)
		remove_at(rs, (size_t)(e - rs->v));
	return err;
}

int ovl_routes_del(struct ovl_routes *rs, const struct prefix *dst, const struct ipaddr *via)
{
	struct prefix d = *dst;
	struct ovl_route *e;
	int err = 0;

	prefix_normalize(&d);
	e = find(rs, &d);
	if (!e)
		return -ENOENT;
	if (via && ipaddr_is_set(via) && !ipaddr_eq(&e->via, via))
		return -ENOENT; /* replaced since by a route through another peer */
	if (e->installed)
		err = apply(rs, e, false);
	remove_at(rs, (size_t)(e - rs->v));
	return err;
}

unsigned ovl_routes_del_via(struct ovl_routes *rs, const struct ipaddr *via)
{
	unsigned n = 0;

	if (!ipaddr_is_set(via))
		return 0;
	for (size_t i = 0; i < rs->n;) {
		if (ipaddr_eq(&rs->v[i].via, via)) {
			if (rs->v[i].installed)
				apply(rs, &rs->v[i], false);
			remove_at(rs, i);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

void ovl_routes_reapply(struct ovl_routes *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		rs->v[i].installed = apply(rs, &rs->v[i], true) == 0;
}

void ovl_routes_flush(struct ovl_routes *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->v[i].installed)
			apply(rs, &rs->v[i], false);
	free(rs->v);
	rs->v = NULL;
	rs->n = rs->cap = 0;
}
