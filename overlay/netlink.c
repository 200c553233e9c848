/* rtnetlink through libnl-3 (with overlay/netlink_route.c, the only libnl
 * user): the handle, errors, links, addresses, neighbours; routes are in
 * netlink_route.c. Requests are synchronous; the kernel's own errno is
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
#include <netlink/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/log.h"
#include "overlay/netlink_int.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef IN6_ADDR_GEN_MODE_NONE
#define IN6_ADDR_GEN_MODE_EUI64 0
#define IN6_ADDR_GEN_MODE_NONE  1
#endif

_Static_assert(NETLINK_NAMSIZ == IFNAMSIZ, "interface name size");

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
int netlink_result(struct netlink *nl, int nle, const char *what)
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

struct nl_addr *netlink_nladdr_from(const struct ipaddr *a, int plen)
{
	struct nl_addr *n = nl_addr_build(a->family, a->b, a->len);

	if (n && plen >= 0)
		nl_addr_set_prefixlen(n, (unsigned)plen);
	return n;
}

/* Copies an nl_addr of family AF_INET/AF_INET6 (a zero-length one, as a
 * default route's destination, becomes the all-zero address). */
void netlink_nladdr_to(struct ipaddr *out, const struct nl_addr *n, int family)
{
	static const uint8_t zero[16];
	size_t len = family == AF_INET ? 4 : 16;

	if (n && nl_addr_get_len(n) == len)
		ipaddr_from_bytes(out, nl_addr_get_binary_addr(n), len);
	else
		ipaddr_from_bytes(out, zero, len);
}

/* ---- links ---- */

static int link_fetch(struct netlink *nl, int ifindex, const char *name, struct rtnl_link **out)
{
	netlink_reset(nl);
	return netlink_result(
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
		netlink_reset(nl);
		err = netlink_result(nl, rtnl_link_change(nl->sk, orig, change, 0), what);
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

	if (!netlink_family_ok(p->addr.family) || p->plen > p->addr.len * 8)
		return NULL;
	a = rtnl_addr_alloc();
	local = netlink_nladdr_from(&p->addr, p->plen);
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
	netlink_reset(nl);
	err = netlink_result(nl, rtnl_addr_add(nl->sk, a, NLM_F_EXCL), "add address");
	rtnl_addr_put(a);
	return err;
}

int netlink_addr_del(struct netlink *nl, int ifindex, const struct prefix *p)
{
	struct rtnl_addr *a = addr_build(ifindex, p);
	int err;

	if (!a)
		return -EINVAL;
	netlink_reset(nl);
	err = netlink_result(nl, rtnl_addr_delete(nl->sk, a, 0), "delete address");
	rtnl_addr_put(a);
	return err;
}

int netlink_addr_list(struct netlink *nl, int ifindex, int family, struct netlink_addr *out,
                      size_t cap)
{
	struct nl_cache *cache = NULL;
	size_t n = 0;
	int err;

	netlink_reset(nl);
	err = netlink_result(nl, rtnl_addr_alloc_cache(nl->sk, &cache), "dump addresses");
	if (err)
		return err;
	/* Two passes: global scope first, then the rest. */
	for (int pass = 0; pass < 2; pass++) {
		for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
			struct rtnl_addr *a = (struct rtnl_addr *)o;
			int fam = rtnl_addr_get_family(a);
			int scope = rtnl_addr_get_scope(a);

			if (rtnl_addr_get_ifindex(a) != ifindex || !netlink_family_ok(fam) ||
			    (family && fam != family) ||
			    (scope == RT_SCOPE_UNIVERSE) != (pass == 0))
				continue;
			if (n < cap) {
				memset(&out[n], 0, sizeof(out[n]));
				netlink_nladdr_to(&out[n].pfx.addr, rtnl_addr_get_local(a), fam);
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

/* ---- neighbours ---- */

static struct rtnl_neigh *neigh_build(int ifindex, const struct ipaddr *ip)
{
	struct rtnl_neigh *ne = rtnl_neigh_alloc();
	struct nl_addr *dst = netlink_nladdr_from(ip, -1);

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

	if (!netlink_family_ok(ip->family))
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
	netlink_reset(nl);
	err = netlink_result(nl, rtnl_neigh_add(nl->sk, ne, NLM_F_CREATE | NLM_F_REPLACE),
	                     "set neighbour");
	rtnl_neigh_put(ne);
	return err;
}

int netlink_neigh_del(struct netlink *nl, int ifindex, const struct ipaddr *ip)
{
	struct rtnl_neigh *ne;
	int err;

	if (!netlink_family_ok(ip->family))
		return -EINVAL;
	ne = neigh_build(ifindex, ip);
	if (!ne)
		return -ENOMEM;
	netlink_reset(nl);
	err = netlink_result(nl, rtnl_neigh_delete(nl->sk, ne, 0), "delete neighbour");
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

	if (!netlink_family_ok(ip->family))
		return -EINVAL;
	netlink_reset(nl);
	err = netlink_result(nl, rtnl_neigh_alloc_cache(nl->sk, &cache), "dump neighbours");
	if (err)
		return err;
	dst = netlink_nladdr_from(ip, -1);
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
