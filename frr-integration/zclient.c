/* The zebra client (see zclient.h). One connection, one send queue (a
 * linear buffer that grows to ZCLIENT_QUEUE_MAX at most and is reused),
 * one read buffer of two maximum-sized messages. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "frr-integration/zclient.h"
#include "lib/counters.h"
#include "lib/log.h"
#include "overlay/netlink.h"

#define RBUF_SIZE (2 * ZAPI_MAX_MSG)

struct zclient {
	struct ev_loop *loop;
	const struct zapi_dialect *d;
	char path[ZCLIENT_PATH_MAX];
	zclient_replay_fn replay;
	void *arg;

	enum zclient_state state;
	int fd;
	ev_io w_io;
	int io_events, io_fd; /* what w_io watches (0, -1: stopped) */
	ev_timer w_retry;
	double backoff;

	uint8_t *q; /* send queue: bytes [qhead, qlen) are unsent */
	size_t qhead, qlen, qcap;
	uint8_t *rbuf;
	size_t rlen;

	uint64_t ctr[ZCLIENT_CTR_MAX];
	uint64_t gauge[1]; /* "frr.session.up": 1 while up */
	bool ctr_registered, gauge_registered;
};

#define ZCLIENT_CTR_NAME(n) #n,
const char *const zclient_ctr_names[ZCLIENT_CTR_MAX] = {ZCLIENT_CTRS(ZCLIENT_CTR_NAME)};
static const char *const gauge_names[1] = {"up"};
static const char *const state_names[ZCLIENT_STATE_MAX] = {"down", "connecting", "up"};

static void on_io(struct ev_loop *loop, ev_io *w, int revents);
static void on_retry(struct ev_loop *loop, ev_timer *w, int revents);

const char *zclient_state_name(enum zclient_state s)
{
	return (unsigned)s < ZCLIENT_STATE_MAX ? state_names[s] : "?";
}
enum zclient_state zclient_state(const struct zclient *zc) { return zc->state; }
const char *zclient_path(const struct zclient *zc) { return zc->path; }
const uint64_t *zclient_counters(const struct zclient *zc) { return zc->ctr; }

void zclient_default_path(const char *name, char *buf, size_t len)
{
	if (name)
		snprintf(buf, len, "/run/frr/%s/zserv.api", name);
	else
		snprintf(buf, len, "/run/frr/zserv.api");
}

static void set_state(struct zclient *zc, enum zclient_state s, const char *reason)
{
	if (zc->state == s)
		return;
	if (s == ZCLIENT_UP || zc->state == ZCLIENT_UP)
		log_notice("frr: %s -> %s (%s)", state_names[zc->state], state_names[s], reason);
	else
		log_info("frr: %s -> %s (%s)", state_names[zc->state], state_names[s], reason);
	zc->state = s;
	zc->gauge[0] = s == ZCLIENT_UP;
}

static void io_watch(struct zclient *zc, int events)
{
	if (!zc->loop || (events == zc->io_events && zc->fd == zc->io_fd))
		return;
	ev_io_stop(zc->loop, &zc->w_io);
	zc->io_events = 0;
	zc->io_fd = -1;
	if (zc->fd < 0 || !events)
		return;
	ev_io_set(&zc->w_io, zc->fd, events);
	ev_io_start(zc->loop, &zc->w_io);
	zc->io_events = events;
	zc->io_fd = zc->fd;
}

/* Closes the connection and schedules the next attempt. */
static void drop(struct zclient *zc, const char *reason)
{
	if (zc->fd >= 0) {
		io_watch(zc, 0);
		close(zc->fd);
		zc->fd = -1;
	}
	if (zc->state == ZCLIENT_UP)
		zc->ctr[ZCLIENT_CTR_disconnects]++;
	else
		zc->ctr[ZCLIENT_CTR_connect_failures]++;
	zc->qhead = zc->qlen = 0;
	zc->rlen = 0;
	set_state(zc, ZCLIENT_DOWN, reason);
	if (zc->loop) {
		log_debug("frr: retrying in %.1f s", zc->backoff);
		ev_timer_set(&zc->w_retry, zc->backoff, 0.0);
		ev_timer_start(zc->loop, &zc->w_retry);
	}
	zc->backoff = zc->backoff * 2 > ZCLIENT_RETRY_MAX ? ZCLIENT_RETRY_MAX : zc->backoff * 2;
}

/* Writes what the socket takes; waits for EV_WRITE for the rest. */
static void flush(struct zclient *zc)
{
	while (zc->qhead < zc->qlen) {
		ssize_t n = send(zc->fd, zc->q + zc->qhead, zc->qlen - zc->qhead, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				io_watch(zc, EV_READ | EV_WRITE);
				return;
			}
			drop(zc, strerror(errno));
			return;
		}
		zc->ctr[ZCLIENT_CTR_tx_bytes] += (uint64_t)n;
		zc->qhead += (size_t)n;
	}
	zc->qhead = zc->qlen = 0;
	io_watch(zc, EV_READ);
}

/* Queues one message built in msg[len]; -1 (connection reset) when the
 * queue would pass ZCLIENT_QUEUE_MAX. */
static int enqueue(struct zclient *zc, const uint8_t *msg, size_t len)
{
	if (zc->qhead > 0 && zc->qlen + len > zc->qcap) { /* compact */
		memmove(zc->q, zc->q + zc->qhead, zc->qlen - zc->qhead);
		zc->qlen -= zc->qhead;
		zc->qhead = 0;
	}
	if (zc->qlen + len > zc->qcap) {
		size_t cap = zc->qcap ? zc->qcap : 4096;
		while (cap < zc->qlen + len)
			cap *= 2;
		uint8_t *q = cap <= ZCLIENT_QUEUE_MAX ? realloc(zc->q, cap) : NULL;
		if (!q) {
			zc->ctr[ZCLIENT_CTR_queue_overflows]++;
			drop(zc, "send queue full");
			return -1;
		}
		zc->q = q;
		zc->qcap = cap;
	}
	memcpy(zc->q + zc->qlen, msg, len);
	zc->qlen += len;
	zc->ctr[ZCLIENT_CTR_tx_msgs]++;
	return 0;
}

static int send_msg(struct zclient *zc, const uint8_t *msg, long len)
{
	if (len <= 0 || enqueue(zc, msg, (size_t)len) < 0)
		return -1;
	return 0;
}

int zclient_route_apply(void *ctx, bool add, const struct netlink_route *r)
{
	struct zclient *zc = ctx;
	struct zapi_route zr = {.dst = r->dst};
	uint8_t msg[512];
	long len;

	zr.n_nh = r->n_nh < ZAPI_MAX_NH ? r->n_nh : ZAPI_MAX_NH;
	for (unsigned i = 0; i < zr.n_nh; i++) {
		zr.nh[i].via = r->nh[i].via;
		zr.nh[i].ifindex = (uint32_t)r->nh[i].ifindex;
		zr.nh[i].onlink = r->nh[i].onlink;
	}
	len = zapi_route_build(zc->d, msg, sizeof(msg), add, &zr);
	if (len < 0) {
		zc->ctr[ZCLIENT_CTR_route_errors]++;
		return -EINVAL;
	}
	if (zc->state != ZCLIENT_UP) {
		zc->ctr[ZCLIENT_CTR_route_deferred]++; /* the replay carries it */
		return 0;
	}
	zc->ctr[add ? ZCLIENT_CTR_tx_route_add : ZCLIENT_CTR_tx_route_del]++;
	if (send_msg(zc, msg, len) == 0)
		flush(zc);
	return 0; /* a lost connection replays everything */
}

/* Connected: HELLO, graceful restart, every route, then "complete". */
static void session_start(struct zclient *zc)
{
	uint8_t msg[64];

	zc->ctr[ZCLIENT_CTR_connects]++;
	set_state(zc, ZCLIENT_UP, zc->path);
	if (send_msg(zc, msg, zapi_hello_build(zc->d, msg, sizeof(msg), true)) < 0 ||
	    send_msg(zc, msg, zapi_cap_gr_build(zc->d, msg, sizeof(msg), ZCLIENT_STALE_TIME)) < 0)
		return;
	zc->ctr[ZCLIENT_CTR_replays]++;
	if (zc->replay)
		zc->replay(zc->arg);
	if (zc->state != ZCLIENT_UP) /* the replay overflowed the queue */
		return;
	if (send_msg(zc, msg, zapi_cap_complete_build(zc->d, msg, sizeof(msg), ZAPI_AFI_IP)) < 0 ||
	    send_msg(zc, msg, zapi_cap_complete_build(zc->d, msg, sizeof(msg), ZAPI_AFI_IP6)) < 0)
		return;
	flush(zc);
}

static void try_connect(struct zclient *zc)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", zc->path);
	zc->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (zc->fd < 0) {
		drop(zc, strerror(errno));
		return;
	}
	if (connect(zc->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		session_start(zc);
		return;
	}
	if (errno == EINPROGRESS || errno == EAGAIN) {
		set_state(zc, ZCLIENT_CONNECTING, zc->path);
		io_watch(zc, EV_WRITE);
		return;
	}
	drop(zc, strerror(errno));
}

static void note_count(struct zclient *zc, const struct zapi_notify *n)
{
	static const enum zclient_ctr map[ZAPI_NOTE_MAX] = {
	    [ZAPI_NOTE_FAIL_INSTALL] = ZCLIENT_CTR_notify_fail_install,
	    [ZAPI_NOTE_BETTER_ADMIN_WON] = ZCLIENT_CTR_notify_better_admin_won,
	    [ZAPI_NOTE_INSTALLED] = ZCLIENT_CTR_notify_installed,
	    [ZAPI_NOTE_REMOVED] = ZCLIENT_CTR_notify_removed,
	    [ZAPI_NOTE_REMOVE_FAIL] = ZCLIENT_CTR_notify_remove_fail,
	};
	char b[PREFIX_STRLEN];

	if (n->note >= ZAPI_NOTE_MAX) {
		zc->ctr[ZCLIENT_CTR_notify_unknown]++;
		log_rl(LOG_LVL_WARNING, "frr: unknown route note %u for %s", n->raw_note,
		       prefix_fmt(&n->dst, b, sizeof(b)));
		return;
	}
	zc->ctr[map[n->note]]++;
	if (n->note == ZAPI_NOTE_FAIL_INSTALL || n->note == ZAPI_NOTE_REMOVE_FAIL ||
	    n->note == ZAPI_NOTE_BETTER_ADMIN_WON)
		log_rl(LOG_LVL_WARNING, "frr: zebra: %s %s", prefix_fmt(&n->dst, b, sizeof(b)),
		       zapi_note_names[n->note]);
	else
		log_debug("frr: zebra: %s %s", prefix_fmt(&n->dst, b, sizeof(b)),
		          zapi_note_names[n->note]);
}

static void handle(struct zclient *zc, const uint8_t *buf, size_t len)
{
	struct zapi_msg m;

	zc->ctr[ZCLIENT_CTR_rx_msgs]++;
	if (zapi_msg_parse(zc->d, buf, len, &m) < 0) {
		zc->ctr[ZCLIENT_CTR_rx_bad]++;
		log_rl(LOG_LVL_WARNING, "frr: malformed message from zebra (%zu bytes), dropped", len);
		return;
	}
	switch (m.cmd) {
	case ZAPI_CMD_ROUTE_NOTIFY_OWNER:
		note_count(zc, &m.notify);
		break;
	case ZAPI_CMD_CAPABILITIES:
		zc->backoff = ZCLIENT_RETRY_MIN; /* zebra answered: a healthy session */
		log_info("frr: zebra capabilities: multipath %u, mpls %s", m.caps.multipath,
		         m.caps.mpls ? "yes" : "no");
		break;
	default:
		zc->ctr[ZCLIENT_CTR_rx_skipped]++;
		break;
	}
}

static void do_read(struct zclient *zc)
{
	for (;;) {
		ssize_t n = recv(zc->fd, zc->rbuf + zc->rlen, RBUF_SIZE - zc->rlen, 0);
		if (n == 0) {
			drop(zc, "zebra closed the connection");
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				drop(zc, strerror(errno));
			return;
		}
		zc->rlen += (size_t)n;
		size_t off = 0;
		long m;
		while ((m = zapi_split(zc->rbuf + off, zc->rlen - off)) > 0) {
			handle(zc, zc->rbuf + off, (size_t)m);
			off += (size_t)m;
		}
		if (m < 0) {
			zc->ctr[ZCLIENT_CTR_rx_bad]++;
			drop(zc, "corrupt stream from zebra");
			return;
		}
		memmove(zc->rbuf, zc->rbuf + off, zc->rlen - off);
		zc->rlen -= off;
	}
}

static void on_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct zclient *zc = w->data;

	if (zc->state == ZCLIENT_CONNECTING) {
		int err = 0;
		socklen_t el = sizeof(err);
		if (getsockopt(zc->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err) {
			drop(zc, strerror(err));
			return;
		}
		session_start(zc);
		return;
	}
	if (revents & EV_READ) {
		do_read(zc);
		if (zc->state != ZCLIENT_UP)
			return;
	}
	if (revents & EV_WRITE)
		flush(zc);
}

static void on_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct zclient *zc = w->data;

	if (zc->state == ZCLIENT_DOWN)
		try_connect(zc);
}

struct zclient *zclient_new(struct ev_loop *loop, const char *path,
                            const struct zapi_dialect *dialect, zclient_replay_fn replay,
                            void *arg)
{
	struct zclient *zc = calloc(1, sizeof(*zc));

	if (!zc)
		return NULL;
	zc->rbuf = malloc(RBUF_SIZE);
	if (!zc->rbuf) {
		free(zc);
		return NULL;
	}
	zc->loop = loop;
	zc->d = dialect ? dialect : &zapi_frr_8_4;
	snprintf(zc->path, sizeof(zc->path), "%s", path);
	zc->replay = replay;
	zc->arg = arg;
	zc->fd = zc->io_fd = -1;
	zc->backoff = ZCLIENT_RETRY_MIN;
	ev_io_init(&zc->w_io, on_io, 0, EV_READ);
	zc->w_io.data = zc;
	ev_timer_init(&zc->w_retry, on_retry, 0.0, 0.0);
	zc->w_retry.data = zc;
	zc->ctr_registered =
	    counters_register("frr", zclient_ctr_names, zc->ctr, ZCLIENT_CTR_MAX) == 0;
	zc->gauge_registered =
	    counters_register_gauges("frr.session", gauge_names, zc->gauge, 1) == 0;
	log_info("frr: zebra at %s (FRR %s dialect)", zc->path, zc->d->name);
	/* the first attempt from the loop: the replay callback never runs
	 * before the caller has our pointer */
	if (zc->loop)
		ev_timer_start(zc->loop, &zc->w_retry);
	return zc;
}

void zclient_free(struct zclient *zc)
{
	if (!zc)
		return;
	if (zc->loop) {
		ev_timer_stop(zc->loop, &zc->w_retry);
		io_watch(zc, 0);
		zc->loop = NULL; /* from here on: blocking, no watchers, no retries */
	}
	if (zc->state == ZCLIENT_UP && zc->fd >= 0) {
		uint8_t msg[64];
		struct timeval tv = {.tv_sec = 1};
		send_msg(zc, msg, zapi_cap_gr_disable_build(zc->d, msg, sizeof(msg)));
		if (zc->fd >= 0) {
			int fl = fcntl(zc->fd, F_GETFL);
			if (fl >= 0)
				fcntl(zc->fd, F_SETFL, fl & ~O_NONBLOCK);
			setsockopt(zc->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			flush(zc);
		}
		if (zc->fd >= 0)
			set_state(zc, ZCLIENT_DOWN, "shutdown");
	}
	if (zc->fd >= 0)
		close(zc->fd);
	if (zc->ctr_registered)
		counters_unregister(zc->ctr);
	if (zc->gauge_registered)
		counters_unregister(zc->gauge);
	free(zc->q);
	free(zc->rbuf);
	free(zc);
}
