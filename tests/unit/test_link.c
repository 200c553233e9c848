/* Overlay link layer against the real kernel: TAP, netlink, ARP/ND answers.
 *
 * Root only (exit 77 otherwise, or without /dev/net/tun). Run as is, it
 * creates the network namespace dmvpnt-link-PID, runs itself again inside
 * it (`ip netns exec`) and deletes the namespace whatever happens to the
 * child. Inside, it makes TAP dmvpnt0 (10.99.0.1/32, fd00:99::1/128, MTU
 * 1400), routes 10.99.5.0/24 and fd00:99:5::/64 onlink via the peer's tunnel
 * address, pings through it with ping sockets, answers the kernel's ARP/NS
 * with the MAC of peer 7, checks the echo request goes to that MAC, writes
 * the echo reply into the TAP and sees the ping socket receive it. Then
 * routes (ECMP, replace, delete, flush by protocol), addresses, static
 * neighbours, NUD unicast probes and TAP removal.
 *
 * This file has the namespace handling, setup, the ping, probe and
 * neighbour tests, and main; test_link_routes.c has the link, address,
 * route and TAP tests (declared in link_harness.h), run in the same order
 * as before in one cmocka group.
 *
 * DMVPNT_LINK_DUMP=DIR saves every frame read from the TAP into DIR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/ip.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/util.h"
#include "overlay/arp.h"
#include "overlay/netlink.h"
#include "overlay/tap.h"
#include "tests/unit/link_harness.h"

#define NS_PREFIX "dmvpnt-link-"
#define PEER      7
#define WAIT_MS   3000

struct netlink *nl;
struct tap tap0;
uint8_t self_mac[6];
static unsigned frame_seq;
static double last_use[2]; /* when traffic last went to the peer, IPv4 / IPv6 */

/* ---- small helpers ---- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

static void dump_frame(const uint8_t *f, size_t len)
{
	const char *dir = getenv("DMVPNT_LINK_DUMP");
	char path[PATH_MAX];
	FILE *fp;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%03u-%s.bin", dir, frame_seq++,
	         arp_frame_kind_name(arp_frame_classify(f, len)));
	fp = fopen(path, "wb");
	if (fp) {
		fwrite(f, 1, len, fp);
		fclose(fp);
	}
}

typedef bool (*frame_pred)(const uint8_t *f, size_t len, const void *arg);

/* Reads frames from the TAP until one satisfies pred; returns its length,
 * or -1 after timeout_ms. Other frames are counted in *skipped. */
static int wait_frame(struct tap *t, uint8_t *buf, size_t cap, frame_pred pred, const void *arg,
                      int timeout_ms, unsigned *skipped)
{
	double end = now_ms() + timeout_ms;

	for (;;) {
		int left = (int)(end - now_ms());
		struct pollfd pfd = {.fd = t->fd, .events = POLLIN};

		if (left <= 0)
			return -1;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		ssize_t n = tap_read(t, buf, cap);
		if (n == -EAGAIN)
			continue;
		assert_true(n > 0);
		dump_frame(buf, (size_t)n);
		if (pred(buf, (size_t)n, arg))
			return (int)n;
		if (skipped)
			(*skipped)++;
	}
}

/* A query (ARP request or NS) for the given target. */
static bool is_query_for(const uint8_t *f, size_t len, const void *arg)
{
	struct arp_query q;

	return arp_query_parse(f, len, &q) == ARP_OK && ipaddr_eq(&q.target, arg);
}

/* An IP packet (not ND) to the given destination. */
static bool is_ip_to(const uint8_t *f, size_t len, const void *arg)
{
	const struct ipaddr *dst = arg;
	enum arp_frame_kind k = arp_frame_classify(f, len);

	if (k == ARP_FRAME_IPV4 && dst->len == 4)
		return memcmp(f + ARP_ETH_HLEN + 16, dst->b, 4) == 0;
	if (k == ARP_FRAME_IPV6 && dst->len == 16)
		return memcmp(f + ARP_ETH_HLEN + 24, dst->b, 16) == 0;
	return false;
}

/* Either of the above: arg is { next hop, destination }. */
static bool is_query_or_ip(const uint8_t *f, size_t len, const void *arg)
{
	const struct ipaddr *const *both = arg;

	return is_query_for(f, len, both[0]) || is_ip_to(f, len, both[1]);
}

/* Waits for an IP packet to dst, answering (as the daemon would) every
 * query for nh with the MAC of PEER on the way: the kernel asks again after
 * retrans_time when an answer was lost, and probes by unicast when an entry
 * ages. Returns the frame length or -1; *asked counts the answers. */
static int wait_ip_answering(const struct ipaddr *dst, const struct ipaddr *nh, uint8_t *frame,
                             size_t cap, unsigned *asked)
{
	const struct ipaddr *both[2] = {nh, dst};
	uint8_t out[ARP_ANSWER_MAX], mac[6];
	struct arp_query q;
	int len;

	peer_mac_from_index(mac, PEER);
	while ((len = wait_frame(&tap0, frame, cap, is_query_or_ip, both, WAIT_MS, NULL)) > 0 &&
	       arp_query_parse(frame, (size_t)len, &q) == ARP_OK) {
		int n = arp_answer_build(out, sizeof(out), &q, mac);
		assert_int_equal(tap_write(&tap0, out, (size_t)n), n);
		if (asked)
			(*asked)++;
	}
	return len;
}

/* ---- ping sockets ---- */

static int ping_socket(int family)
{
	int s = socket(family, SOCK_DGRAM | SOCK_NONBLOCK,
	               family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);

	assert_true(s >= 0);
	return s;
}

static void ping_send(int s, const struct ipaddr *dst, uint16_t seq)
{
	uint8_t msg[40] = {0};
	struct sockaddr_storage ss;
	socklen_t sl;

	memset(&ss, 0, sizeof(ss));
	if (dst->len == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, dst->b, 4);
		sl = sizeof(*sin);
		msg[0] = 8; /* echo request */
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, dst->b, 16);
		sl = sizeof(*sin6);
		msg[0] = 128;
	}
	msg[6] = (uint8_t)(seq >> 8);
	msg[7] = (uint8_t)seq;
	memcpy(msg + 8, "dmvpnd link-layer test payload!!", 32);
	/* ping sockets fill in the identifier and the checksum */
	assert_int_equal(sendto(s, msg, sizeof(msg), 0, (struct sockaddr *)&ss, sl),
	                 (ssize_t)sizeof(msg));
}

/* Waits for an echo reply with sequence seq on ping socket s. */
static bool ping_recv(int s, uint16_t seq, int timeout_ms)
{
	double end = now_ms() + timeout_ms;
	uint8_t buf[256];

	while (now_ms() < end) {
		struct pollfd pfd = {.fd = s, .events = POLLIN};

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		ssize_t n = recv(s, buf, sizeof(buf), 0);
		if (n >= 8 && (buf[0] == 0 || buf[0] == 129) && buf[6] == (seq >> 8) &&
		    buf[7] == (uint8_t)seq)
			return true;
	}
	return false;
}

/* Builds the echo reply to the echo request in frame f (from peer mac to
 * the TAP), as the peer would send it back through the tunnel. */
static int echo_reply_frame(const uint8_t *f, size_t len, const uint8_t peer[6], uint8_t *out,
                            size_t cap)
{
	uint8_t pkt[2048];
	size_t plen = len - ARP_ETH_HLEN;

	assert_true(plen <= sizeof(pkt));
	memcpy(pkt, f + ARP_ETH_HLEN, plen);
	if ((pkt[0] >> 4) == 4) {
		size_t ihl = (size_t)(pkt[0] & 15) * 4;
		uint8_t t[4];

		memcpy(t, pkt + 12, 4);
		memcpy(pkt + 12, pkt + 16, 4);
		memcpy(pkt + 16, t, 4);
		pkt[8] = 64;
		pkt[10] = pkt[11] = 0;
		uint16_t c = inet_csum(pkt, ihl);
		pkt[10] = (uint8_t)(c >> 8);
		pkt[11] = (uint8_t)c;
		assert_int_equal(pkt[ihl], 8);
		pkt[ihl] = 0; /* echo reply */
		pkt[ihl + 2] = pkt[ihl + 3] = 0;
		c = inet_csum(pkt + ihl, plen - ihl);
		pkt[ihl + 2] = (uint8_t)(c >> 8);
		pkt[ihl + 3] = (uint8_t)c;
	} else {
		uint8_t t[16], ph[40] = {0};
		size_t l4 = plen - 40;

		memcpy(t, pkt + 8, 16);
		memcpy(pkt + 8, pkt + 24, 16);
		memcpy(pkt + 24, t, 16);
		pkt[7] = 64;
		assert_int_equal(pkt[6], 58);
		assert_int_equal(pkt[40], 128);
		pkt[40] = 129;
		pkt[42] = pkt[43] = 0;
		memcpy(ph, pkt + 8, 32);
		uint32_t acc = inet_csum_add(0, ph, 32);
		uint8_t tail[8] = {0, 0, (uint8_t)(l4 >> 8), (uint8_t)l4, 0, 0, 0, 58};
		acc = inet_csum_add(acc, tail, 8);
		acc = inet_csum_add(acc, pkt + 40, l4);
		uint16_t c = inet_csum_fold(acc);
		pkt[42] = (uint8_t)(c >> 8);
		pkt[43] = (uint8_t)c;
	}
	return arp_eth_build(out, cap, self_mac, peer, pkt, plen);
}

/* The whole exchange for one family: ping, ARP/NS answered with the MAC of
 * peer 7, echo request to that MAC, echo reply accepted by the kernel. */
static void ping_through(const char *dst_s, const char *nexthop_s, int family)
{
	struct ipaddr dst = ip(dst_s), nh = ip(nexthop_s);
	uint8_t frame[TAP_FRAME_MAX], out[2048], mac[6];
	struct arp_query q;
	unsigned skipped = 0;
	uint32_t idx;
	uint16_t state;
	int s = ping_socket(family), len;

	/* frames still queued from before (e.g. probes of a deleted entry) */
	while (tap_read(&tap0, frame, sizeof(frame)) > 0)
		;
	double t0 = now_ms();
	ping_send(s, &dst, 1);
	last_use[family == AF_INET6] = t0;
	len = wait_frame(&tap0, frame, sizeof(frame), is_query_for, &nh, WAIT_MS, &skipped);
	assert_true(len > 0);
	double t_query = now_ms();
	assert_int_equal(arp_query_parse(frame, (size_t)len, &q), ARP_OK);
	assert_int_equal(q.family, family);
	assert_memory_equal(q.eth_src, self_mac, 6);
	assert_memory_equal(q.sender_mac, self_mac, 6);
	assert_false(q.unicast); /* first resolution: broadcast / solicited-node multicast */
	printf("# %s: query for %s from %s after %.2f ms (%u other frames: DAD, MLD, RS)\n",
	       family == AF_INET ? "ARP" : "NS", nexthop_s,
	       ipaddr_fmt(&q.sender, (char[ADDR_STRLEN]){0}, ADDR_STRLEN), t_query - t0, skipped);

	peer_mac_from_index(mac, PEER);
	len = arp_answer_build(out, sizeof(out), &q, mac);
	assert_true(len > 0);
	assert_int_equal(tap_write(&tap0, out, (size_t)len), len);

	unsigned again = 0;
	len = wait_ip_answering(&dst, &nh, frame, sizeof(frame), &again);
	assert_true(len > 0);
	if (again)
		printf("# %s: the kernel asked %u more time(s)\n", family == AF_INET ? "ARP" : "NS",
		       again);
	double t_echo = now_ms();
	assert_memory_equal(frame, mac, 6); /* Ethernet destination: peer 7 */
	assert_int_equal(peer_mac_to_index(frame, &idx), 0);
	assert_int_equal(idx, PEER);
	assert_memory_equal(frame + 6, self_mac, 6);
	assert_true((size_t)len <= ARP_ETH_HLEN + 1400);

	len = echo_reply_frame(frame, (size_t)len, mac, out, sizeof(out));
	assert_true(len > 0);
	assert_int_equal(tap_write(&tap0, out, (size_t)len), len);
	assert_true(ping_recv(s, 1, WAIT_MS));
	printf("# %s: echo request %.2f ms after the answer; reply accepted, round trip %.2f ms\n",
	       family == AF_INET ? "IPv4" : "IPv6", t_echo - t_query, now_ms() - t0);

	assert_int_equal(netlink_neigh_get(nl, tap0.ifindex, &nh, &state, out), 0);
	assert_true(state & NUD_REACHABLE);
	assert_memory_equal(out, mac, 6);
	close(s);
}

/* ---- tests ---- */

static void test_ping_ipv4(void **state)
{
	ping_through("10.99.5.1", "10.99.0.2", AF_INET);
}

static void test_ping_ipv6(void **state)
{
	ping_through("fd00:99:5::1", "fd00:99::2", AF_INET6);
}

/* Unicast probes (RFC 4861 7.3.3, Linux NUD for ARP too). When REACHABLE
 * runs out while the entry was used within delay_first_probe_time, the
 * kernel goes DELAY and then PROBE: it asks the peer directly, an ARP
 * request / NS whose Ethernet destination is the peer MAC (unanswered, the
 * entry goes FAILED after ucast_probes tries). Setup set
 * base_reachable_time_ms 500 and delay_first_probe_time 1 s. */
static bool is_unicast_query_for(const uint8_t *f, size_t len, const void *arg)
{
	struct arp_query q;

	return arp_query_parse(f, len, &q) == ARP_OK && ipaddr_eq(&q.target, arg) && q.unicast;
}

static void probe_unicast(const char *dst_s, const char *nexthop_s, int family)
{
	struct ipaddr dst = ip(dst_s), nh = ip(nexthop_s);
	uint8_t frame[TAP_FRAME_MAX], out[ARP_ANSWER_MAX], mac[6];
	struct arp_query q;
	uint16_t st = 0;
	int s = ping_socket(family), len;

	peer_mac_from_index(mac, PEER);
	len = wait_frame(&tap0, frame, sizeof(frame), is_unicast_query_for, &nh, 5000, NULL);
	assert_true(len > 0);
	printf("# %s: unicast probe to the peer MAC %.0f ms after the last use\n",
	       family == AF_INET ? "ARP" : "NS", now_ms() - last_use[family == AF_INET6]);
	assert_int_equal(arp_query_parse(frame, (size_t)len, &q), ARP_OK);
	assert_memory_equal(q.eth_dst, mac, 6);
	assert_true(ipaddr_is_set(&q.sender));
	len = arp_answer_build(out, sizeof(out), &q, mac);
	assert_true(len > 0);
	assert_int_equal(tap_write(&tap0, out, (size_t)len), len);
	usleep(20000);
	assert_int_equal(netlink_neigh_get(nl, tap0.ifindex, &nh, &st, NULL), 0);
	assert_true(st & NUD_REACHABLE);
	/* and traffic goes straight to the peer MAC */
	ping_send(s, &dst, 2);
	len = wait_ip_answering(&dst, &nh, frame, sizeof(frame), NULL);
	assert_true(len > 0);
	assert_memory_equal(frame, mac, 6);
	close(s);
}

static void test_probe_ipv4(void **state)
{
	probe_unicast("10.99.5.1", "10.99.0.2", AF_INET);
}

static void test_probe_ipv6(void **state)
{
	probe_unicast("fd00:99:5::1", "fd00:99::2", AF_INET6);
}

/* A permanent neighbour entry: packets go to the peer MAC with no query. */
static void test_neigh_static(void **state)
{
	struct ipaddr nh = ip("10.99.0.9"), dst = ip("10.99.9.1");
	struct netlink_route r = {.dst = pfx("10.99.9.0/24"), .n_nh = 1};
	uint8_t frame[TAP_FRAME_MAX], mac[6], got[6];
	unsigned skipped = 0;
	uint16_t st;
	int s = ping_socket(AF_INET), len;

	peer_mac_from_index(mac, 9);
	assert_int_equal(netlink_neigh_set(nl, tap0.ifindex, &nh, mac), 0);
	assert_int_equal(netlink_neigh_get(nl, tap0.ifindex, &nh, &st, got), 0);
	assert_int_equal(st, NUD_PERMANENT);
	assert_memory_equal(got, mac, 6);
	r.nh[0] = (struct netlink_nexthop){.via = nh, .ifindex = tap0.ifindex, .onlink = true};
	assert_int_equal(netlink_route_add(nl, &r), 0);
	ping_send(s, &dst, 3);
	len = wait_frame(&tap0, frame, sizeof(frame), is_ip_to, &dst, WAIT_MS, &skipped);
	assert_true(len > 0);
	assert_memory_equal(frame, mac, 6);
	assert_int_equal(netlink_neigh_del(nl, tap0.ifindex, &nh), 0);
	assert_int_equal(netlink_neigh_get(nl, tap0.ifindex, &nh, &st, NULL), -ENOENT);
	assert_int_equal(netlink_route_del(nl, &r), 0);
	close(s);
}

/* A peer's MAC changes (new peer index for the same tunnel address): an
 * IPv6 NA with Override replaces the cached MAC at once; an ARP reply is
 * ignored within locktime (default 1 s) of the entry's last update, which
 * NUD state changes refresh too. With locktime 0 it is taken at once. */
static void neigh_remac(const char *nexthop_s, int family, const char *locktime, int expect_idx)
{
	struct ipaddr nh = ip(nexthop_s);
	uint8_t out[ARP_ANSWER_MAX], mac[6], got[6];
	struct arp_query q = {.family = (uint8_t)family, .target = nh};
	uint16_t st;
	uint32_t idx;
	int len;

	/* the kernel's last query for nh, rebuilt: asker is our own address */
	q.sender = ip(family == AF_INET ? "10.99.0.1" : "fd00:99::1");
	memcpy(q.sender_mac, self_mac, 6);
	peer_mac_from_index(mac, 7);
	/* set + delete: no entry left, whatever there was */
	assert_int_equal(netlink_neigh_set(nl, tap0.ifindex, &nh, mac), 0);
	assert_int_equal(netlink_neigh_del(nl, tap0.ifindex, &nh), 0);
	/* a fresh dynamic entry for peer 7 via a normal resolution */
	ping_through(family == AF_INET ? "10.99.5.1" : "fd00:99:5::1", nexthop_s, family);
	assert_int_equal(write_file("/proc/sys/net/ipv4/neigh/" TAP0 "/locktime", locktime), 0);
	usleep(20000); /* a few jiffies: "after locktime" is strict */
	peer_mac_from_index(mac, 8);
	len = arp_answer_build(out, sizeof(out), &q, mac);
	assert_true(len > 0);
	assert_int_equal(tap_write(&tap0, out, (size_t)len), len);
	usleep(20000);
	assert_int_equal(netlink_neigh_get(nl, tap0.ifindex, &nh, &st, got), 0);
	assert_int_equal(peer_mac_to_index(got, &idx), 0);
	printf("# %s answer with a new MAC right after the first (locktime %s): cached MAC is "
	       "peer %u\n",
	       family == AF_INET ? "ARP" : "NA", family == AF_INET ? locktime : "-", idx);
	assert_int_equal(idx, expect_idx);
}

static void test_neigh_remac(void **state)
{
	neigh_remac("fd00:99::2", AF_INET6, "100", 8);
	neigh_remac("10.99.0.2", AF_INET, "100", 7);
	neigh_remac("10.99.0.2", AF_INET, "0", 8);
	assert_int_equal(write_file("/proc/sys/net/ipv4/neigh/" TAP0 "/locktime", "100"), 0);
}

/* Sends a ping to 10.99.5.1, reads the echo request from the TAP, and
 * writes a reply that claims to come from `src`. True when the ping socket
 * got it, i.e. the kernel's source checks let it through. */
static bool reply_from(const char *src_s, uint16_t seq)
{
	struct ipaddr dst = ip("10.99.5.1"), src = ip(src_s), nh = ip("10.99.0.2");
	uint8_t frame[TAP_FRAME_MAX], out[2048], mac[6];
	int s = ping_socket(AF_INET), len;
	bool ok;

	peer_mac_from_index(mac, PEER);
	ping_send(s, &dst, seq);
	len = wait_ip_answering(&dst, &nh, frame, sizeof(frame), NULL);
	assert_true(len > 0);
	len = echo_reply_frame(frame, (size_t)len, mac, out, sizeof(out));
	assert_true(len > 0);
	uint8_t *iph = out + ARP_ETH_HLEN;
	memcpy(iph + 12, src.b, 4);
	iph[10] = iph[11] = 0;
	uint16_t c = inet_csum(iph, (size_t)(iph[0] & 15) * 4);
	iph[10] = (uint8_t)(c >> 8);
	iph[11] = (uint8_t)c;
	assert_int_equal(tap_write(&tap0, out, (size_t)len), len);
	ok = ping_recv(s, seq, 300);
	close(s);
	return ok;
}

/* What the kernel's IPv4 source checks do to packets written into the TAP:
 * rp_filter (strict) wants the route back to the source through the TAP;
 * a source that is one of our own addresses needs accept_local. */
static void test_ipv4_source_checks(void **state)
{
	const int rp = IPV4_DEVCONF_RP_FILTER, al = IPV4_DEVCONF_ACCEPT_LOCAL;

	assert_true(reply_from("10.99.5.1", 10));  /* routed back via the TAP */
	assert_true(reply_from("10.99.77.1", 11)); /* no route back, rp_filter 0 */
	assert_int_equal(netlink_link_set_ipv4_conf(nl, tap0.ifindex, rp, 1), 0);
	assert_int_equal(read_long("/proc/sys/net/ipv4/conf/" TAP0 "/rp_filter"), 1);
	assert_true(reply_from("10.99.5.1", 12));
	assert_false(reply_from("10.99.77.1", 13)); /* strict: dropped */
	assert_int_equal(netlink_link_set_ipv4_conf(nl, tap0.ifindex, rp, 2), 0);
	assert_false(reply_from("10.99.77.1", 14)); /* loose: no route at all, dropped */
	assert_int_equal(netlink_link_set_ipv4_conf(nl, tap0.ifindex, rp, 0), 0);
	bool own = reply_from("10.99.0.1", 15);
	assert_int_equal(netlink_link_set_ipv4_conf(nl, tap0.ifindex, al, 1), 0);
	bool own_al = reply_from("10.99.0.1", 16);
	assert_int_equal(netlink_link_set_ipv4_conf(nl, tap0.ifindex, al, 0), 0);
	printf("# source = own address: %s with accept_local 0, %s with 1\n",
	       own ? "accepted" : "dropped", own_al ? "accepted" : "dropped");
	assert_false(own);
	assert_true(own_al);
}

/* ---- setup inside the namespace ---- */

static int setup(void **state)
{
	struct prefix a4 = pfx("10.99.0.1/32"), a6 = pfx("fd00:99::1/128");
	struct netlink_link l;
	struct netlink_route r;
	char path[128];

	nl = netlink_open();
	assert_non_null(nl);
	assert_int_equal(netlink_link_get(nl, 0, "lo", &l), 0);
	assert_int_equal(netlink_link_set_up(nl, l.ifindex, true), 0);
	assert_int_equal(tap_open(&tap0, TAP0), 0);
	assert_string_equal(tap0.name, TAP0);
	arp_self_mac(self_mac);
	assert_int_equal(tap_set_mac(&tap0, self_mac), 0);
	/* ping sockets for root; short NUD timers for the probe tests */
	assert_int_equal(write_file("/proc/sys/net/ipv4/ping_group_range", "0 0"), 0);
	for (int v = 4; v <= 6; v += 2) {
		snprintf(path, sizeof(path),
		         "/proc/sys/net/ipv%d/neigh/" TAP0 "/base_reachable_time_ms", v);
		assert_int_equal(write_file(path, "500"), 0);
		snprintf(path, sizeof(path),
		         "/proc/sys/net/ipv%d/neigh/" TAP0 "/delay_first_probe_time", v);
		assert_int_equal(write_file(path, "1"), 0);
	}
	printf("# fresh netns: rp_filter all=%ld default=%ld, accept_local=%ld, ip_forward=%ld\n",
	       read_long("/proc/sys/net/ipv4/conf/all/rp_filter"),
	       read_long("/proc/sys/net/ipv4/conf/default/rp_filter"),
	       read_long("/proc/sys/net/ipv4/conf/" TAP0 "/accept_local"),
	       read_long("/proc/sys/net/ipv4/ip_forward"));
	assert_int_equal(netlink_link_set_mtu(nl, tap0.ifindex, 1400), 0);
	assert_int_equal(netlink_addr_add(nl, tap0.ifindex, &a4), 0);
	assert_int_equal(netlink_addr_add(nl, tap0.ifindex, &a6), 0);
	assert_int_equal(netlink_link_set_up(nl, tap0.ifindex, true), 0);
	double t0 = now_ms();
	bool local6 = false;
	while (!local6 && now_ms() - t0 < 2000) {
		struct netlink_route got[16];
		int n = netlink_route_list(nl, tap0.ifindex, AF_INET6, RTPROT_KERNEL, got, 16);
		for (int i = 0; i < n && i < 16; i++)
			local6 |=
			    got[i].table == RT_TABLE_LOCAL && ipaddr_eq(&got[i].dst.addr, &a6.addr);
	}
	printf("# IPv6 local route for the NODAD address after %.2f ms (%s)\n", now_ms() - t0,
	       local6 ? "present" : "missing");
	r = route2("10.99.5.0/24", "10.99.0.2", NULL, 0);
	assert_int_equal(netlink_route_add(nl, &r), 0);
	r = route2("fd00:99:5::/64", "fd00:99::2", NULL, 0);
	assert_int_equal(netlink_route_add(nl, &r), 0);
	return 0;
}

static int teardown(void **state)
{
	tap_close(&tap0);
	netlink_close(nl);
	return 0;
}

static int link_tests_run(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ping_ipv4),    cmocka_unit_test(test_ping_ipv6),
	    cmocka_unit_test(test_probe_ipv4),   cmocka_unit_test(test_probe_ipv6),
	    cmocka_unit_test(test_neigh_static), cmocka_unit_test(test_ipv4_source_checks),
	    cmocka_unit_test(test_neigh_remac),  cmocka_unit_test(test_link_and_addresses),
	    cmocka_unit_test(test_routes_ecmp),  cmocka_unit_test(test_routes_errors),
	    cmocka_unit_test(test_tap_api),      cmocka_unit_test(test_routes_flush),
	    cmocka_unit_test(test_link_down_up), cmocka_unit_test(test_tap_removal),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* ---- outside: make the namespace, run inside, always delete it ---- */

static char ns_name[64];
static volatile sig_atomic_t child_pid;

static int ip_cmd(const char *a, const char *b, const char *c)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		execlp("ip", "ip", a, b, c, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static bool in_our_namespace(const char *name)
{
	char path[128];
	struct stat mine, theirs;

	if (strncmp(name, NS_PREFIX, strlen(NS_PREFIX)) != 0)
		return false;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return stat("/proc/self/ns/net", &mine) == 0 && stat(path, &theirs) == 0 &&
	       mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev;
}

int main(int argc, char **argv)
{
	const char *inside = getenv("DMVPNT_LINK_NS");
	char self[PATH_MAX];
	int st = 0, rc;
	ssize_t n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (inside) {
		if (!in_our_namespace(inside)) {
			printf("test_link: SKIP: not inside network namespace %s\n", inside);
			return 77;
		}
		return link_tests_run() ? 1 : 0;
	}
	if (geteuid() != 0) {
		printf("test_link: SKIP: needs root (creates a network namespace and TAPs)\n");
		return 77;
	}
	if (access("/dev/net/tun", R_OK | W_OK) != 0) {
		printf("test_link: SKIP: /dev/net/tun is missing\n");
		return 77;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 99;
	self[n] = '\0';
	snprintf(ns_name, sizeof(ns_name), NS_PREFIX "%d", (int)getpid());
	if (ip_cmd("netns", "add", ns_name) != 0) {
		printf("test_link: SKIP: cannot create network namespace %s (ip netns add)\n",
		       ns_name);
		return 77;
	}
	signal(SIGINT, forward_signal);
	signal(SIGTERM, forward_signal);
	signal(SIGHUP, forward_signal);
	setenv("DMVPNT_LINK_NS", ns_name, 1);
	pid_t pid = fork();
	if (pid == 0) {
		execlp("ip", "ip", "netns", "exec", ns_name, self, (char *)NULL);
		_exit(127);
	}
	child_pid = pid;
	rc = 99;
	if (pid > 0) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
		if (WIFSIGNALED(st))
			printf("test_link: inner run killed by signal %d\n", WTERMSIG(st));
	}
	if (ip_cmd("netns", "del", ns_name) != 0)
		printf("test_link: could not delete network namespace %s\n", ns_name);
	(void)argc;
	(void)argv;
	return rc;
}
