/* Internals shared by the two halves of the netlink module,
 * overlay/netlink.c (handle, errors, links, addresses, neighbours) and
 * overlay/netlink_route.c (routes): the handle, libnl error capture and
 * address conversion. Only those two files include it; overlay/netlink.h
 * is the API and shows nothing of libnl. */
#ifndef DMVPN_OVERLAY_NETLINK_INT_H
#define DMVPN_OVERLAY_NETLINK_INT_H

#include <stdbool.h>
#include <sys/socket.h>

#include "overlay/netlink.h"

struct nl_sock;
struct nl_addr;

struct netlink {
	struct nl_sock *sk;
	int kerr;       /* errno from the last NLMSG_ERROR (negative), 0 if none */
	char kmsg[128]; /* its extended-ack message, if any */
};

/* Turns a libnl result into 0 or -errno, preferring the kernel's errno. */
int netlink_result(struct netlink *nl, int nle, const char *what);

/* Forgets the last request's kernel errno and message (before each request). */
static inline void netlink_reset(struct netlink *nl)
{
	nl->kerr = 0;
	nl->kmsg[0] = '\0';
}

/* An nl_addr (reference held by the caller) from a, with prefix length plen
 * unless it is negative; NULL when out of memory. */
struct nl_addr *netlink_nladdr_from(const struct ipaddr *a, int plen);
/* Copies an nl_addr of family AF_INET/AF_INET6 (a zero-length one, as a
 * default route's destination, becomes the all-zero address). */
void netlink_nladdr_to(struct ipaddr *out, const struct nl_addr *n, int family);

static inline bool netlink_family_ok(int family)
{
	return family == AF_INET || family == AF_INET6;
}

#endif
