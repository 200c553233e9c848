/* Kernel networking configuration through rtnetlink: links, addresses,
 * routes and neighbours. This is the only module that uses libnl; nothing
 * of libnl shows in this header.
 *
 * Every call is synchronous (it waits for the kernel's acknowledgement) and
 * works in the network namespace the handle was opened in. Functions return
 * 0 (or a count) on success and -errno on failure (-EEXIST, -ENOENT/-ESRCH,
 * -ENODEV, -EPERM, ...; -EIO for a libnl error without an errno).
 *
 * Routes we install carry protocol RTPROT_DMVPN, so that they can be told
 * apart from everybody else's (`ip route show proto 77`) and flushed
 * exactly, even after a crash.
 */
#ifndef DMVPN_OVERLAY_NETLINK_H
#define DMVPN_OVERLAY_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

/* Our route protocol number: unused by the kernel (include/uapi/linux/
 * rtnetlink.h), iproute2's rt_protos and FRR (186..198). */
#define RTPROT_DMVPN 77
/* Most next hops in one ECMP route. */
#define NETLINK_MAX_NH 16
/* IFNAMSIZ, without <net/if.h> (which clashes with <linux/if.h>). */
#define NETLINK_NAMSIZ 16

struct netlink; /* opaque handle: one rtnetlink socket */

/* Opens a handle in the current network namespace; NULL (errno set) on
 * failure. */
struct netlink *netlink_open(void);
void netlink_close(struct netlink *nl);

/* ---- links ---- */
struct netlink_link {
	int ifindex;
	char name[NETLINK_NAMSIZ];
	unsigned mtu;
	unsigned flags; /* IFF_UP, IFF_RUNNING, IFF_LOWER_UP, ... */
	bool has_mac;
	uint8_t mac[6];
};
/* Looks an interface up by index (ifindex > 0) or else by name. -ENODEV
 * when there is none. */
int netlink_link_get(struct netlink *nl, int ifindex, const char *name, struct netlink_link *out);
int netlink_link_set_up(struct netlink *nl, int ifindex, bool up);
int netlink_link_set_mtu(struct netlink *nl, int ifindex, unsigned mtu);
/* IPv6 address generation mode: false = none (no link-local address is made
 * when the link comes up; set it before), true = EUI-64 (the default). */
int netlink_link_set_ipv6_ll(struct netlink *nl, int ifindex, bool eui64);
/* Per-interface IPv4 setting (net.ipv4.conf.IF.*), `id` being one of
 * IPV4_DEVCONF_* from <linux/ip.h> (e.g. IPV4_DEVCONF_SEND_REDIRECTS,
 * IPV4_DEVCONF_RP_FILTER, IPV4_DEVCONF_ACCEPT_LOCAL). */
int netlink_link_set_ipv4_conf(struct netlink *nl, int ifindex, int id, uint32_t value);

/* ---- addresses ---- */
struct netlink_addr {
	struct prefix pfx; /* local address and its prefix length */
	uint8_t scope;     /* RT_SCOPE_UNIVERSE (0), RT_SCOPE_LINK (253), RT_SCOPE_HOST (254) */
	uint32_t flags;    /* IFA_F_* */
};
/* Adds an address (IPv6 with IFA_F_NODAD: usable at once). -EEXIST when
 * it is already there. */
int netlink_addr_add(struct netlink *nl, int ifindex, const struct prefix *p);
int netlink_addr_del(struct netlink *nl, int ifindex, const struct prefix *p);
/* Addresses of an interface (family AF_INET, AF_INET6 or 0 for both),
 * global ones first. Returns how many there are (which may exceed cap: only
 * the first cap are stored) or -errno. */
int netlink_addr_list(struct netlink *nl, int ifindex, int family, struct netlink_addr *out,
                      size_t cap);

/* ---- routes ----
 * Kernel behaviour (Linux 6.18, see tests/unit/test_link_routes.c): an onlink
 * route through a link that is down fails with -ENETDOWN, and taking a link down
 * deletes every IPv4 and IPv6 route through it: after link up, add them
 * again. Closing a TAP deletes its routes too. */
struct netlink_nexthop {
	struct ipaddr via; /* gateway; unset for a plain device route */
	int ifindex;
	bool onlink;     /* RTNH_F_ONLINK: the gateway is on the link, no subnet needed */
	uint16_t weight; /* ECMP weight 1..256; 0 means 1 */
};
struct netlink_route {
	struct prefix dst;
	uint32_t table;   /* 0 = main */
	uint32_t metric;  /* RTA_PRIORITY; IPv6 turns 0 into 1024 */
	uint8_t protocol; /* 0 = RTPROT_DMVPN */
	unsigned n_nh;    /* 1..NETLINK_MAX_NH (2 or more: ECMP multipath) */
	struct netlink_nexthop nh[NETLINK_MAX_NH];
};
/* Adds a route; -EEXIST when one with the same destination, table and
 * metric exists. */
int netlink_route_add(struct netlink *nl, const struct netlink_route *r);
/* Adds or replaces (same destination, table and metric) a route, next hops
 * and all, in one atomic step. */
int netlink_route_replace(struct netlink *nl, const struct netlink_route *r);
/* Deletes the route of r's protocol with r's destination, table and metric
 * (metric 0 matches any; next hops are not compared: the whole route, every
 * ECMP leg, goes). -ESRCH when there is none. */
int netlink_route_del(struct netlink *nl, const struct netlink_route *r);
/* Deletes every route of protocol RTPROT_DMVPN, in any table, that has a
 * next hop through ifindex (0: through any interface, e.g. to clean up
 * after a crash), family AF_INET, AF_INET6 or 0 for both. A multipath
 * route goes whole. Returns how many were deleted or -errno. */
int netlink_route_flush(struct netlink *nl, int ifindex, int family);
/* Routes (all tables) with a next hop through ifindex (0: any interface)
 * and of the given protocol (0: any). Returns the number that match (only
 * the first cap are stored) or -errno. */
int netlink_route_list(struct netlink *nl, int ifindex, int family, uint8_t protocol,
                       struct netlink_route *out, size_t cap);

/* Which route would the kernel use for dst (`ip route get fibmatch`)? On
 * success out gets that route (its prefix, table, protocol and next hops:
 * gateway and device). -ENETUNREACH / -EHOSTUNREACH (or another -errno)
 * when there is none. (Added for the data path's nhrp_ops.route_lookup.) */
int netlink_route_get(struct netlink *nl, const struct ipaddr *dst, struct netlink_route *out);

/* ---- neighbours ---- */
/* Installs a permanent neighbour entry ip -> mac on ifindex (replacing any
 * entry for ip): the kernel then sends to mac without asking ARP/ND. */
int netlink_neigh_set(struct netlink *nl, int ifindex, const struct ipaddr *ip,
                      const uint8_t mac[6]);
int netlink_neigh_del(struct netlink *nl, int ifindex, const struct ipaddr *ip);
/* The kernel's entry for ip on ifindex: *state gets NUD_* (<linux/
 * neighbour.h>), mac the link-layer address when it has one. -ENOENT when
 * there is no entry. */
int netlink_neigh_get(struct netlink *nl, int ifindex, const struct ipaddr *ip, uint16_t *state,
                      uint8_t mac[6]);

/* Name of a -errno code from this module (strerror of it). */
const char *netlink_strerror(int err);
/* The kernel's own words on the last failed request (its extended ack,
 * e.g. "Nexthop has invalid gateway"), or "" when it gave none. */
const char *netlink_last_error(const struct netlink *nl);

#endif
