/* rtnetlink routes through libnl-3 (overlay/netlink.h has the API): add,
 * replace, delete, list and flush our routes (protocol RTPROT_DMVPN, ECMP
 * next hops) and the kernel's route lookup (`ip route get fibmatch`). The
 * handle, error capture and address conversion are in overlay/netlink.c. */
#include "netlink.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/log.h"
#include "overlay/netlink_int.h"

/* ---- routes ---- */

static uint8_t route_proto(const struct netlink_route *r)
{
	return r->protocol ? r->protocol : RTPROT_DMVPN;
}

static bool route_valid(const struct netlink_route *r, bool need_nh)
{
	const struct prefix *d = &r->dst;

	if (!netlink_family_ok(d->addr.family) || d->plen > d->addr.len * 8 ||
	    r->n_nh > NETLINK_MAX_NH)
		return false;
	if (need_nh && r->n_nh == 0)
		return false;
	for (unsigned i = 0; i < r->n_nh; i++) {
		const struct netlink_nexthop *h = &r->nh[i];

		if (h->ifindex <= 0 || h->weight > 256)
			return false;
		if (ipaddr_is_set(&h->via) && h->via.family != d->addr.family)
			return false;
	}
	return true;
}

static struct rtnl_route *route_build(const struct netlink_route *r)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct nl_addr *dst = netlink_nladdr_from(&r->dst.addr, r->dst.plen);
	bool gateway = false;

	if (!rt || !dst || rtnl_route_set_dst(rt, dst) < 0)
		goto fail;
	nl_addr_put(dst);
	dst = NULL;
	rtnl_route_set_family(rt, r->dst.addr.family);
	rtnl_route_set_table(rt, r->table ? r->table : RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, route_proto(r));
	rtnl_route_set_priority(rt, r->metric);
	rtnl_route_set_type(rt, RTN_UNICAST);
	for (unsigned i = 0; i < r->n_nh; i++) {
		const struct netlink_nexthop *h = &r->nh[i];
		struct rtnl_nexthop *nh = rtnl_route_nh_alloc();

		if (!nh)
			goto fail;
		rtnl_route_nh_set_ifindex(nh, h->ifindex);
		if (ipaddr_is_set(&h->via)) {
			struct nl_addr *gw = netlink_nladdr_from(&h->via, -1);
			if (!gw) {
				rtnl_route_nh_free(nh);
				goto fail;
			}
			rtnl_route_nh_set_gateway(nh, gw);
			nl_addr_put(gw);
			gateway = true;
		}
		if (h->onlink)
			rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
		/* rtnh_hops carries weight - 1 */
		rtnl_route_nh_set_weight(nh, (uint8_t)(h->weight ? h->weight - 1 : 0));
		rtnl_route_add_nexthop(rt, nh);
	}
	rtnl_route_set_scope(rt, gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	return rt;
fail:
	nl_addr_put(dst);
	rtnl_route_put(rt);
	return NULL;
}

static int route_send(struct netlink *nl, const struct netlink_route *r, int flags,
                      const char *what)
{
	char buf[PREFIX_STRLEN];
	struct rtnl_route *rt;
	int err;

	if (!route_valid(r, true))
		return -EINVAL;
	rt = route_build(r);
	if (!rt)
		return -ENOMEM;
	netlink_reset(nl);
	err = netlink_result(nl, rtnl_route_add(nl->sk, rt, flags), what);
	rtnl_route_put(rt);
	if (err)
		log_debug("netlink: %s %s failed", what, prefix_fmt(&r->dst, buf, sizeof(buf)));
	return err;
}

int netlink_route_add(struct netlink *nl, const struct netlink_route *r)
{
	return route_send(nl, r, NLM_F_EXCL, "add route");
}

int netlink_route_replace(struct netlink *nl, const struct netlink_route *r)
{
	return route_send(nl, r, NLM_F_REPLACE, "replace route");
}

/* RTM_DELROUTE with scope RT_SCOPE_NOWHERE (any scope, as iproute2 does;
 * libnl would guess one) and no next hops: the whole route goes. */
static int route_delete(struct netlink *nl, int family, const struct ipaddr *dst, uint8_t plen,
                        uint32_t table, uint32_t metric, uint8_t protocol, uint8_t tos)
{
	struct rtmsg rtm = {
	    .rtm_family = (uint8_t)family,
	    .rtm_dst_len = plen,
	    .rtm_tos = tos,
	    .rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC,
	    .rtm_protocol = protocol,
	    .rtm_scope = RT_SCOPE_NOWHERE,
	    .rtm_type = RTN_UNSPEC,
	};
	struct nl_msg *m = nlmsg_alloc_simple(RTM_DELROUTE, 0);
	int err = -ENOMEM;

	if (!m)
		return -ENOMEM;
	if (nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(m, RTA_TABLE, table) < 0 || nla_put_u32(m, RTA_PRIORITY, metric) < 0 ||
	    (plen && nla_put(m, RTA_DST, dst->len, dst->b) < 0))
		goto out;
	netlink_reset(nl);
	err = netlink_result(nl, nl_send_sync(nl->sk, m), "delete route");
	m = NULL; /* nl_send_sync frees it */
out:
	nlmsg_free(m);
	return err;
}

int netlink_route_del(struct netlink *nl, const struct netlink_route *r)
{
	if (!route_valid(r, false))
		return -EINVAL;
	return route_delete(nl, r->dst.addr.family, &r->dst.addr, r->dst.plen,
	                    r->table ? r->table : RT_TABLE_MAIN, r->metric, route_proto(r), 0);
}

static bool route_uses_if(struct rtnl_route *rt, int ifindex)
{
	int n = rtnl_route_get_nnexthops(rt);

	if (ifindex <= 0)
		return true;
	for (int i = 0; i < n; i++)
		if (rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(rt, i)) == ifindex)
			return true;
	return false;
}

static void route_from(struct netlink_route *out, struct rtnl_route *rt)
{
	int family = rtnl_route_get_family(rt);
	struct nl_addr *dst = rtnl_route_get_dst(rt);
	int n = rtnl_route_get_nnexthops(rt);

	memset(out, 0, sizeof(*out));
	netlink_nladdr_to(&out->dst.addr, dst, family);
	out->dst.plen = (uint8_t)(dst ? nl_addr_get_prefixlen(dst) : 0);
	out->table = rtnl_route_get_table(rt);
	out->metric = rtnl_route_get_priority(rt);
	out->protocol = rtnl_route_get_protocol(rt);
	for (int i = 0; i < n && out->n_nh < NETLINK_MAX_NH; i++) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, i);
		struct netlink_nexthop *h = &out->nh[out->n_nh++];
		struct nl_addr *gw = rtnl_route_nh_get_gateway(nh);

		h->ifindex = rtnl_route_nh_get_ifindex(nh);
		if (gw)
			netlink_nladdr_to(&h->via, gw, family);
		h->onlink = (rtnl_route_nh_get_flags(nh) & RTNH_F_ONLINK) != 0;
		h->weight = (uint16_t)(rtnl_route_nh_get_weight(nh) + 1);
	}
}

/* Dumps routes and calls fn on each that matches; fn returns 0 to go on. */
static int route_walk(struct netlink *nl, int ifindex, int family, uint8_t protocol,
                      int (*fn)(struct rtnl_route *rt, void *arg), void *arg)
{
	struct nl_cache *cache = NULL;
	int err, n = 0;

	if (family && !netlink_family_ok(family))
		return -EAFNOSUPPORT;
	netlink_reset(nl);
	err = netlink_result(nl,
	                     rtnl_route_alloc_cache(nl->sk, family ? family : AF_UNSPEC, 0, &cache),
	                     "dump routes");
	if (err)
		return err;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;

		if (!netlink_family_ok(rtnl_route_get_family(rt)) ||
		    (protocol && rtnl_route_get_protocol(rt) != protocol) ||
		    !route_uses_if(rt, ifindex))
			continue;
		err = fn(rt, arg);
		if (err < 0)
			break;
		n++;
	}
	nl_cache_free(cache);
	return err < 0 ? err : n;
}

struct route_list_arg {
	struct netlink_route *out;
	size_t cap;
	size_t n;
};

static int route_list_one(struct rtnl_route *rt, void *arg)
{
	struct route_list_arg *a = arg;

	if (a->n < a->cap)
		route_from(&a->out[a->n], rt);
	a->n++;
	return 0;
}

int netlink_route_list(struct netlink *nl, int ifindex, int family, uint8_t protocol,
                       struct netlink_route *out, size_t cap)
{
	struct route_list_arg a = {.out = out, .cap = cap};

	return route_walk(nl, ifindex, family, protocol, route_list_one, &a);
}

static int route_flush_one(struct rtnl_route *rt, void *arg)
{
	struct netlink *nl = arg;
	struct netlink_route r;
	int err;

	route_from(&r, rt);
	err = route_delete(nl, rtnl_route_get_family(rt), &r.dst.addr, r.dst.plen, r.table,
	                   r.metric, r.protocol, (uint8_t)rtnl_route_get_tos(rt));
	/* Gone already (an IPv6 sibling, a concurrent delete): not an error. */
	return err == -ESRCH || err == -ENOENT ? 0 : err;
}

int netlink_route_flush(struct netlink *nl, int ifindex, int family)
{
	int n = route_walk(nl, ifindex, family, RTPROT_DMVPN, route_flush_one, nl);

	if (n > 0)
		log_debug("netlink: flushed %d route(s) of ifindex %d", n, ifindex);
	return n;
}

/* ---- route lookup ---- */

struct route_get_arg {
	struct netlink_route *out;
	bool found;
	bool done;
};

static int route_get_ack(struct nl_msg *msg, void *arg)
{
	((struct route_get_arg *)arg)->done = true;
	return NL_STOP;
}

static int route_get_valid(struct nl_msg *msg, void *arg)
{
	struct route_get_arg *a = arg;
	struct rtnl_route *rt = NULL;

	if (rtnl_route_parse(nlmsg_hdr(msg), &rt) < 0 || !rt)
		return NL_SKIP;
	if (!a->found) {
		route_from(a->out, rt);
		a->found = true;
	}
	rtnl_route_put(rt);
	return NL_OK;
}

int netlink_route_get(struct netlink *nl, const struct ipaddr *dst, struct netlink_route *out)
{
	struct rtmsg rtm = {.rtm_family = dst->family,
	                    .rtm_dst_len = (unsigned char)(dst->len * 8),
	                    .rtm_flags = RTM_F_FIB_MATCH};
	struct route_get_arg a = {.out = out};
	struct nl_msg *msg;
	struct nl_cb *cb, *sock_cb;
	int err;

	if (!netlink_family_ok(dst->family))
		return -EINVAL;
	msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, dst->len, dst->b) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	netlink_reset(nl);
	err = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (err < 0)
		return netlink_result(nl, err, "route get");
	sock_cb = nl_socket_get_cb(nl->sk);
	cb = sock_cb ? nl_cb_clone(sock_cb) : NULL;
	if (sock_cb)
		nl_cb_put(sock_cb);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, route_get_valid, &a);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, route_get_ack, &a);
	/* until the acknowledgement (or an error): none may be left queued */
	do
		err = nl_recvmsgs(nl->sk, cb);
	while (err >= 0 && !a.done && nl->kerr == 0);
	nl_cb_put(cb);
	if (nl->kerr < 0)
		return netlink_result(nl, -NLE_FAILURE, "route get");
	if (err < 0)
		return netlink_result(nl, err, "route get");
	return a.found ? 0 : -ENETUNREACH;
}
