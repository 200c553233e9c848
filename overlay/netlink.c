/* rtnetlink through libnl-3 (the only libnl user): links, addresses,
 * routes, neighbours. Requests are synchronous; the kernel's own errno is
 * captured from the NLMSG_ERROR answer (libnl's codes lose it), and so is
 * its extended-ack text, which goes to the debug log. */
#include "netlink.h"

#include <errno.h>
#include <linux/ip.h>
#include <net/if.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/log.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef IN6_ADDR_GEN_MODE_NONE
#define IN6_ADDR_GEN_MODE_EUI64 0
#define IN6_ADDR_GEN_MODE_NONE  1
#endif

_Static_assert(NETLINK_NAMSIZ == IFNAMSIZ, "interface name size");

struct netlink {
	struct nl_sock *sk;
	int kerr;       /* errno from the last NLMSG_ERROR (negative), 0 if none */
	char kmsg[128]; /* its extended-ack message, if any */
};

/* ---- errors ---- */

static const struct {
	int nle;
	int err;
} nle_errno[] = {
    {NLE_INTR, EINTR},           {NLE_BAD_SOCK, EBADF},
    {NLE_AGAIN, EAGAIN},         {NLE_NOMEM, ENOMEM},
    {NLE_EXIST, EEXIST},         {NLE_INVAL, EINVAL},
    {NLE_RANGE, ERANGE},         {NLE_MSGSIZE, EMSGSIZE},
    {NLE_OPNOTSUPP, EOPNOTSUPP}, {NLE_AF_NOSUPPORT, EAFNOSUPPORT},
    {NLE_OBJ_NOTFOUND, ENOENT},  {NLE_NOADDR, EADDRNOTAVAIL},
    {NLE_BUSY, EBUSY},           {NLE_NOACCESS, EACCES},
    {NLE_PERM, EPERM},           {NLE_NODEV, ENODEV},
    {NLE_MISSING_ATTR, EINVAL},  {NLE_AF_MISMATCH, EAFNOSUPPORT},
};

/* Turns a libnl result into 0 or -errno, preferring the kernel's errno. */
static int nl_result(struct netlink *nl, int nle, const char *what)
{
	int err = 0;

	if (nle >= 0)
		return 0;
	if (nl->kerr < 0) {
		err = nl->kerr;
	} else {
		err = -EIO;
		for (size_t i = 0; i < sizeof(nle_errno) / sizeof(nle_errno[0]); i++)
			if (nle_errno[i].nle == -nle)
				err = -nle_errno[i].err;
	}
	log_debug("netlink: %s: %s%s%s", what, strerror(-err), nl->kmsg[0] ? ": " : "", nl->kmsg);
	return err;
}

static void nl_reset(struct netlink *nl)
{
	nl->kerr = 0;
	nl->kmsg[0] = '\0';
}

/* Error callback: keeps the kernel's errno and NLMSGERR_ATTR_MSG. */
static int nl_err_cb(struct sockaddr_nl *from, struct nlmsgerr *e, void *arg)
{
	struct netlink *nl = arg;
	const struct nlmsghdr *h = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);

	nl->kerr = e->error;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || h->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
		return NL_STOP;
	/* The request is echoed unless NLM_F_CAPPED; the TLVs follow it. */
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(e->error) + e->msg.nlmsg_len);
	while (off + NLA_HDRLEN <= h->nlmsg_len) {
		const struct nlattr *a = (const struct nlattr *)((const char *)h + off);
		size_t alen = a->nla_len;

		if (alen < NLA_HDRLEN || off + alen > h->nlmsg_len)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			size_t n = alen - NLA_HDRLEN;
			if (n >= sizeof(nl->kmsg))
				n = sizeof(nl->kmsg) - 1;
			memcpy(nl->kmsg, (const char *)a + NLA_HDRLEN, n);
			nl->kmsg[n] = '\0';
			nl->kmsg[strcspn(nl->kmsg, "\n")] = '\0';
		}
		off += NLA_ALIGN(alen);
	}
	return NL_STOP;
}

const char *netlink_strerror(int err)
{
	return strerror(err < 0 ? -err : err);
}

const char *netlink_last_error(const struct netlink *nl)
{
	return nl->kmsg;
}

/* ---- handle ---- */

struct netlink *netlink_open(void)
{
	struct netlink *nl = calloc(1, sizeof(*nl));
	int one = 1, err;

	if (!nl)
		return NULL;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		errno = ENOMEM;
		return NULL;
	}
	err = nl_connect(nl->sk, NETLINK_ROUTE);
	if (err < 0) {
		log_err("netlink: connect: %s", nl_geterror(err));
		nl_socket_free(nl->sk);
		free(nl);
		errno = EPROTONOSUPPORT;
		return NULL;
	}
	nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, nl_err_cb, nl);
	/* Extended acks are a convenience; older kernels lack them. */
	(void)setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return nl;
}

void netlink_close(struct netlink *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

/* ---- address conversion ---- */

static struct nl_addr *nladdr_from(const struct ipaddr *a, int plen)
{
	struct nl_addr *n = nl_addr_build(a->family, a->b, a->len);

	if (n && plen >= 0)
		nl_addr_set_prefixlen(n, (unsigned)plen);
	return n;
}

/* Copies an nl_addr of family AF_INET/AF_INET6 (a zero-length one, as a
 * default route's destination, becomes the all-zero address). */
static void nladdr_to(struct ipaddr *out, const struct nl_addr *n, int family)
{
	static const uint8_t zero[16];
	size_t len = family == AF_INET ? 4 : 16;

	if (n && nl_addr_get_len(n) == len)
		ipaddr_from_bytes(out, nl_addr_get_binary_addr(n), len);
	else
		ipaddr_from_bytes(out, zero, len);
}

static bool family_ok(int family)
{
	return family == AF_INET || family == AF_INET6;
}

/* ---- links ---- */

static int link_fetch(struct netlink *nl, int ifindex, const char *name, struct rtnl_link **out)
{
	nl_reset(nl);
	return nl_result(
	    nl,
	    rtnl_link_get_kernel(nl->sk, ifindex > 0 ? ifindex : 0, ifindex > 0 ? NULL : name, out),
	    "get link");
}

int netlink_link_get(struct netlink *nl, int ifindex, const char *name, struct netlink_link *out)
{
	struct rtnl_link *l = NULL;
	struct nl_addr *mac;
	int err;

	memset(out, 0, sizeof(*out));
	if (ifindex <= 0 && (!name || !*name || strlen(name) >= NETLINK_NAMSIZ))
		return -ENODEV;
	err = link_fetch(nl, ifindex, name, &l);
	if (err)
		return err == -EINVAL || err == -ENOENT ? -ENODEV : err;
	out->ifindex = rtnl_link_get_ifindex(l);
	snprintf(out->name, sizeof(out->name), "%s", rtnl_link_get_name(l) ?: "");
	out->mtu = rtnl_link_get_mtu(l);
	out->flags = rtnl_link_get_flags(l);
	mac = rtnl_link_get_addr(l);
	if (mac && nl_addr_get_len(mac) == 6) {
		memcpy(out->mac, nl_addr_get_binary_addr(mac), 6);
		out->has_mac = true;
	}
	rtnl_link_put(l);
	return 0;
}

/* Applies the settings in `change` to interface ifindex. */
static int link_apply(struct netlink *nl, int ifindex, struct rtnl_link *change, const char *what)
{
	struct rtnl_link *orig = NULL;
	int err = link_fetch(nl, ifindex, NULL, &orig);

	if (!err) {
		nl_reset(nl);
		err = nl_result(nl, rtnl_link_change(nl->sk, orig, change, 0), what);
		rtnl_link_put(orig);
	}
	rtnl_link_put(change);
	return err;
}

int netlink_link_set_up(struct netlink *nl, int ifindex, bool up)
{
	struct rtnl_link *c = rtnl_link_alloc();

	if (!c)
		return -ENOMEM;
	if (up)
		rtnl_link_set_flags(c, IFF_UP);
	else
		rtnl_link_unset_flags(c, IFF_UP);
	return link_apply(nl, ifindex, c, up ? "link up" : "link down");
}

int netlink_link_set_mtu(struct netlink *nl, int ifindex, unsigned mtu)
{
	struct rtnl_link *c = rtnl_link_alloc();

	if (!c)
		return -ENOMEM;
	rtnl_link_set_mtu(c, mtu);
	return link_apply(nl, ifindex, c, "link mtu");
}

int netlink_link_set_ipv6_ll(struct netlink *nl, int ifindex, bool eui64)
{
	struct rtnl_link *c = rtnl_link_alloc();
	int err;

	if (!c)
		return -ENOMEM;
	err = rtnl_link_inet6_set_addr_gen_mode(c, eui64 ? IN6_ADDR_GEN_MODE_EUI64
	                                                 : IN6_ADDR_GEN_MODE_NONE);
	if (err < 0) {
		rtnl_link_put(c);
		return -EINVAL;
	}
	return link_apply(nl, ifindex, c, "link addrgenmode");
}

int netlink_link_set_ipv4_conf(struct netlink *nl, int ifindex, int id, uint32_t value)
{
	struct rtnl_link *c = rtnl_link_alloc();

	if (!c)
		return -ENOMEM;
	if (id <= 0 || id > IPV4_DEVCONF_MAX ||
	    rtnl_link_inet_set_conf(c, (unsigned)id, value) < 0) {
		rtnl_link_put(c);
		return -EINVAL;
	}
	return link_apply(nl, ifindex, c, "link ipv4 conf");
}

/* ---- addresses ---- */

static struct rtnl_addr *addr_build(int ifindex, const struct prefix *p)
{
	struct rtnl_addr *a;
	struct nl_addr *local;

	if (!family_ok(p->addr.family) || p->plen > p->addr.len * 8)
		return NULL;
	a = rtnl_addr_alloc();
	local = nladdr_from(&p->addr, p->plen);
	if (!a || !local || rtnl_addr_set_local(a, local) < 0) {
		nl_addr_put(local);
		rtnl_addr_put(a);
		return NULL;
	}
	nl_addr_put(local);
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_prefixlen(a, p->plen);
	if (p->addr.family == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	return a;
}

int netlink_addr_add(struct netlink *nl, int ifindex, const struct prefix *p)
{
	struct rtnl_addr *a = addr_build(ifindex, p);
	int err;

	if (!a)
		return -EINVAL;
	nl_reset(nl);
	err = nl_result(nl, rtnl_addr_add(nl->sk, a, NLM_F_EXCL), "add address");
	rtnl_addr_put(a);
	return err;
}

int netlink_addr_del(struct netlink *nl, int ifindex, const struct prefix *p)
{
	struct rtnl_addr *a = addr_build(ifindex, p);
	int err;

	if (!a)
		return -EINVAL;
	nl_reset(nl);
	err = nl_result(nl, rtnl_addr_delete(nl->sk, a, 0), "delete address");
	rtnl_addr_put(a);
	return err;
}

int netlink_addr_list(struct netlink *nl, int ifindex, int family, struct netlink_addr *out,
                      size_t cap)
{
	struct nl_cache *cache = NULL;
	size_t n = 0;
	int err;

	nl_reset(nl);
	err = nl_result(nl, rtnl_addr_alloc_cache(nl->sk, &cache), "dump addresses");
	if (err)
		return err;
	/* Two passes: global scope first, then the rest. */
	for (int pass = 0; pass < 2; pass++) {
		for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
			struct rtnl_addr *a = (struct rtnl_addr *)o;
			int fam = rtnl_addr_get_family(a);
			int scope = rtnl_addr_get_scope(a);

			if (rtnl_addr_get_ifindex(a) != ifindex || !family_ok(fam) ||
			    (family && fam != family) ||
			    (scope == RT_SCOPE_UNIVERSE) != (pass == 0))
				continue;
			if (n < cap) {
				memset(&out[n], 0, sizeof(out[n]));
				nladdr_to(&out[n].pfx.addr, rtnl_addr_get_local(a), fam);
				out[n].pfx.plen = (uint8_t)rtnl_addr_get_prefixlen(a);
				out[n].scope = (uint8_t)scope;
				out[n].flags = (uint32_t)rtnl_addr_get_flags(a);
			}
			n++;
		}
	}
	nl_cache_free(cache);
	return (int)n;
}

/* ---- routes ---- */

static uint8_t route_proto(const struct netlink_route *r)
{
	return r->protocol ? r->protocol : RTPROT_DMVPN;
}

static bool route_valid(const struct netlink_route *r, bool need_nh)
{
	const struct prefix *d = &r->dst;

	if (!family_ok(d->addr.family) || d->plen > d->addr.len * 8 || r->n_nh > NETLINK_MAX_NH)
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
	struct nl_addr *dst = nladdr_from(&r->dst.addr, r->dst.plen);
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
			struct nl_addr *gw = nladdr_from(&h->via, -1);
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
	nl_reset(nl);
	err = nl_result(nl, rtnl_route_add(nl->sk, rt, flags), what);
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
	nl_reset(nl);
	err = nl_result(nl, nl_send_sync(nl->sk, m), "delete route");
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
	nladdr_to(&out->dst.addr, dst, family);
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
			nladdr_to(&h->via, gw, family);
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

	if (family && !family_ok(family))
		return -EAFNOSUPPORT;
	nl_reset(nl);
	err = nl_result(nl, rtnl_route_alloc_cache(nl->sk, family ? family : AF_UNSPEC, 0, &cache),
	                "dump routes");
	if (err)
		return err;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;

		if (!family_ok(rtnl_route_get_family(rt)) ||
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
	struct rtmsg rtm = {.rtm_family = dst->family, .rtm_dst_len = (unsigned char)(dst->len * 8),
	                    .rtm_flags = RTM_F_FIB_MATCH};
	struct route_get_arg a = {.out = out};
	struct nl_msg *msg;
	struct nl_cb *cb, *sock_cb;
	int err;

	if (!family_ok(dst->family))
		return -EINVAL;
	msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, dst->len, dst->b) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_reset(nl);
	err = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (err < 0)
		return nl_result(nl, err, "route get");
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
		return nl_result(nl, -NLE_FAILURE, "route get");
	if (err < 0)
		return nl_result(nl, err, "route get");
	return a.found ? 0 : -ENETUNREACH;
}

/* ---- neighbours ---- */

static struct rtnl_neigh *neigh_build(int ifindex, const struct ipaddr *ip)
{
	struct rtnl_neigh *ne = rtnl_neigh_alloc();
	struct nl_addr *dst = nladdr_from(ip, -1);

	if (!ne || !dst || rtnl_neigh_set_dst(ne, dst) < 0) {
		nl_addr_put(dst);
		rtnl_neigh_put(ne);
		return NULL;
	}
	nl_addr_put(dst);
	rtnl_neigh_set_ifindex(ne, ifindex);
	return ne;
}

int netlink_neigh_set(struct netlink *nl, int ifindex, const struct ipaddr *ip,
                      const uint8_t mac[6])
{
	struct rtnl_neigh *ne;
	struct nl_addr *ll;
	int err;

	if (!family_ok(ip->family))
		return -EINVAL;
	ne = neigh_build(ifindex, ip);
	ll = nl_addr_build(AF_LLC, mac, 6);
	if (!ne || !ll) {
		nl_addr_put(ll);
		rtnl_neigh_put(ne);
		return -ENOMEM;
	}
	rtnl_neigh_set_lladdr(ne, ll);
	nl_addr_put(ll);
	rtnl_neigh_set_state(ne, NUD_PERMANENT);
	nl_reset(nl);
	err = nl_result(nl, rtnl_neigh_add(nl->sk, ne, NLM_F_CREATE | NLM_F_REPLACE),
	                "set neighbour");
	rtnl_neigh_put(ne);
	return err;
}

int netlink_neigh_del(struct netlink *nl, int ifindex, const struct ipaddr *ip)
{
	struct rtnl_neigh *ne;
	int err;

	if (!family_ok(ip->family))
		return -EINVAL;
	ne = neigh_build(ifindex, ip);
	if (!ne)
		return -ENOMEM;
	nl_reset(nl);
	err = nl_result(nl, rtnl_neigh_delete(nl->sk, ne, 0), "delete neighbour");
	rtnl_neigh_put(ne);
	return err;
}

int netlink_neigh_get(struct netlink *nl, int ifindex, const struct ipaddr *ip, uint16_t *state,
                      uint8_t mac[6])
{
	struct nl_cache *cache = NULL;
	struct rtnl_neigh *ne;
	struct nl_addr *dst, *ll;
	int err;

	if (!family_ok(ip->family))
		return -EINVAL;
	nl_reset(nl);
	err = nl_result(nl, rtnl_neigh_alloc_cache(nl->sk, &cache), "dump neighbours");
	if (err)
		return err;
	dst = nladdr_from(ip, -1);
	ne = dst ? rtnl_neigh_get(cache, ifindex, dst) : NULL;
	nl_addr_put(dst);
	if (!ne) {
		nl_cache_free(cache);
		return -ENOENT;
	}
	*state = (uint16_t)rtnl_neigh_get_state(ne);
	ll = rtnl_neigh_get_lladdr(ne);
	if (mac)
		memset(mac, 0, 6);
	if (mac && ll && nl_addr_get_len(ll) == 6)
		memcpy(mac, nl_addr_get_binary_addr(ll), 6);
	rtnl_neigh_put(ne);
	nl_cache_free(cache);
	return 0;
}
