/* The zebra client against a fake zebra (a listening Unix socket in this
 * process): session start (HELLO, graceful restart, replay, route update
 * complete), route add/delete, ROUTE_NOTIFY_OWNER counted, a corrupt
 * stream drops the session, reconnect replays, shutdown turns graceful
 * restart off. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "frr-integration/zclient.h"
#include "lib/counters.h"
#include "overlay/netlink.h"

struct fake {
	char path[108];
	int srv, conn;
	struct ev_loop *loop;
	struct zclient *zc;
	struct netlink_route route; /* what the "overlay" holds */
	int replays;
};

static void replay(void *arg)
{
	struct fake *f = arg;

	f->replays++;
	zclient_route_apply(f->zc, true, &f->route);
}

static void spin(struct fake *f, double secs)
{
	double end = ev_time() + secs;

	while (ev_time() < end) {
		ev_run(f->loop, EVRUN_NOWAIT);
		usleep(2000);
	}
}

static int accept_conn(struct fake *f)
{
	struct pollfd p = {.fd = f->srv, .events = POLLIN};

	for (int i = 0; i < 200 && poll(&p, 1, 0) == 0; i++)
		spin(f, 0.01);
	return accept(f->srv, NULL, NULL);
}

/* Reads messages from the client for a while; returns their commands. */
static int read_cmds(struct fake *f, uint16_t *cmds, int max)
{
	static uint8_t buf[65536];
	size_t len = 0;
	int n = 0;

	for (int i = 0; i < 20; i++) {
		spin(f, 0.005);
		ssize_t r = recv(f->conn, buf + len, sizeof(buf) - len, MSG_DONTWAIT);
		if (r > 0)
			len += (size_t)r;
	}
	size_t off = 0;
	long m;
	while ((m = zapi_split(buf + off, len - off)) > 0 && n < max) {
		cmds[n++] = (uint16_t)(buf[off + 8] << 8 | buf[off + 9]);
		off += (size_t)m;
	}
	assert_true(m >= 0);
	assert_int_equal(off, len); /* only whole messages */
	return n;
}

static uint64_t ctr(struct fake *f, enum zclient_ctr c) { return zclient_counters(f->zc)[c]; }

static void test_session(void **state)
{
	struct fake f = {.conn = -1};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	uint16_t cmds[16];
	int n;

	snprintf(f.path, sizeof(f.path), "/tmp/test_zclient.%ld.sock", (long)getpid());
	unlink(f.path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f.path);
	f.srv = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f.srv >= 0);
	assert_int_equal(bind(f.srv, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(f.srv, 4), 0);
	f.loop = ev_loop_new(EVFLAG_AUTO);
	assert_int_equal(prefix_parse(&f.route.dst, "10.1.2.0/24"), 0);
	f.route.n_nh = 1;
	assert_int_equal(ipaddr_parse(&f.route.nh[0].via, "10.0.0.12"), 0);
	f.route.nh[0].ifindex = 7;
	f.route.nh[0].onlink = true;

	f.zc = zclient_new(f.loop, f.path, &zapi_frr_8_4, replay, &f);
	assert_non_null(f.zc);
	f.conn = accept_conn(&f);
	assert_true(f.conn >= 0);
	spin(&f, 0.02);
	assert_int_equal(zclient_state(f.zc), ZCLIENT_UP);
	n = read_cmds(&f, cmds, 16);
	/* HELLO, GR, the replayed route, complete (IPv4), complete (IPv6) */
	assert_int_equal(n, 5);
	assert_int_equal(cmds[0], 18);
	assert_int_equal(cmds[1], 119);
	assert_int_equal(cmds[2], 8);
	assert_int_equal(cmds[3], 119);
	assert_int_equal(cmds[4], 119);
	assert_int_equal(f.replays, 1);

	/* a delete goes out at once */
	assert_int_equal(zclient_route_apply(f.zc, false, &f.route), 0);
	n = read_cmds(&f, cmds, 16);
	assert_int_equal(n, 1);
	assert_int_equal(cmds[0], 9);
	assert_int_equal(ctr(&f, ZCLIENT_CTR_tx_route_del), 1);

	/* zebra's verdicts are counted; unknown messages skipped */
	uint8_t note[26] = {0, 26, 0xfe, 6, 0, 0, 0, 0, 0, 10};
	uint32_t installed = ZAPI_NOTE_INSTALLED;
	memcpy(note + 10, &installed, 4);
	note[14] = 2, note[15] = 24, note[16] = 10, note[17] = 1, note[18] = 2;
	uint8_t other[12] = {0, 12, 0xfe, 6, 0, 0, 0, 0, 0, 14, 1, 2};
	assert_int_equal(send(f.conn, note, sizeof(note), 0), sizeof(note));
	assert_int_equal(send(f.conn, other, 5, 0), 5); /* split across reads */
	spin(&f, 0.02);
	assert_int_equal(send(f.conn, other + 5, sizeof(other) - 5, 0), sizeof(other) - 5);
	spin(&f, 0.02);
	assert_int_equal(ctr(&f, ZCLIENT_CTR_notify_installed), 1);
	assert_int_equal(ctr(&f, ZCLIENT_CTR_rx_skipped), 1);
	assert_int_equal(counters_get("frr.notify_installed", &(uint64_t){0}), 0);

	/* a corrupt stream: the session drops, the client comes back and
	 * replays */
	uint8_t bad[10] = {0, 10, 0xab, 6, 0, 0, 0, 0, 0, 10};
	assert_int_equal(send(f.conn, bad, sizeof(bad), 0), sizeof(bad));
	spin(&f, 0.02);
	assert_int_equal(ctr(&f, ZCLIENT_CTR_rx_bad), 1);
	assert_int_equal(ctr(&f, ZCLIENT_CTR_disconnects), 1);
	close(f.conn);
	/* while down, route changes are accepted and deferred */
	assert_int_equal(zclient_route_apply(f.zc, true, &f.route), 0);
	assert_true(ctr(&f, ZCLIENT_CTR_route_deferred) >= 1);
	f.conn = accept_conn(&f);
	assert_true(f.conn >= 0);
	spin(&f, 0.02);
	assert_int_equal(zclient_state(f.zc), ZCLIENT_UP);
	n = read_cmds(&f, cmds, 16);
	assert_int_equal(n, 5);
	assert_int_equal(cmds[2], 8);
	assert_int_equal(f.replays, 2);
	assert_int_equal(ctr(&f, ZCLIENT_CTR_connects), 2);

	/* shutdown: graceful restart off, then the connection closes */
	zclient_free(f.zc);
	uint8_t buf[64];
	ssize_t r = recv(f.conn, buf, sizeof(buf), 0);
	assert_int_equal(r, 18);
	assert_int_equal(buf[9], 119);
	assert_int_equal(buf[13], ZAPI_CAP_GR_DISABLE);
	assert_int_equal(recv(f.conn, buf, sizeof(buf), 0), 0); /* EOF */
	assert_int_equal(counters_get("frr.notify_installed", &(uint64_t){0}), -1);

	close(f.conn);
	close(f.srv);
	unlink(f.path);
	ev_loop_destroy(f.loop);
}

/* No zebra at all: the client keeps retrying, nothing breaks. */
static void test_absent_zebra(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct zclient *zc = zclient_new(loop, "/nonexistent/zserv.api", NULL, NULL, NULL);
	struct netlink_route r = {.n_nh = 1};
	double end = ev_time() + 0.35;

	assert_non_null(zc);
	while (ev_time() < end) {
		ev_run(loop, EVRUN_NOWAIT);
		usleep(2000);
	}
	assert_int_equal(zclient_state(zc), ZCLIENT_DOWN);
	assert_true(zclient_counters(zc)[ZCLIENT_CTR_connect_failures] >= 2);
	assert_int_equal(prefix_parse(&r.dst, "10.1.2.0/24"), 0);
	assert_int_equal(ipaddr_parse(&r.nh[0].via, "10.0.0.12"), 0);
	assert_int_equal(zclient_route_apply(zc, true, &r), 0);
	assert_int_equal(ipaddr_parse(&r.nh[0].via, "fd00::1"), 0); /* wrong family */
	assert_int_equal(zclient_route_apply(zc, true, &r), -EINVAL);
	zclient_free(zc);
	ev_loop_destroy(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_session),
	    cmocka_unit_test(test_absent_zebra),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
