/* Control socket server: accept, read one line, dispatch, write, close. */
#define _GNU_SOURCE /* accept4 */
#include "cli/ctl_server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/events.h"
#include "lib/counters.h"
#include "lib/log.h"

static const char *const ctl_ctr_names[CTL_CTR_MAX] = {
    [CTL_CTR_ACCEPTED] = "accepted",
    [CTL_CTR_REQUESTS] = "requests",
    [CTL_CTR_BAD_REQUESTS] = "bad_requests",
    [CTL_CTR_OVERSIZE] = "oversize",
    [CTL_CTR_TIMEOUTS] = "timeouts",
    [CTL_CTR_REJECTED] = "rejected",
    [CTL_CTR_EARLY_CLOSE] = "early_close",
    [CTL_CTR_WRITE_ERRORS] = "write_errors",
    [CTL_CTR_DISPATCH_ERRORS] = "dispatch_errors",
    [CTL_CTR_MONITOR_OVERFLOW] = "monitor_overflow",
    [CTL_CTR_EVENTS_SENT] = "events_sent",
};

struct ctl_conn {
	struct ctl_server *srv;
	struct ctl_conn *prev, *next;
	int fd;
	ev_io rio, wio;
	ev_timer timer;
	bool monitor;
	bool closing;   /* close once out is drained */
	bool lingering; /* reply sent, write side shut: discarding input until EOF */
	size_t in_len;
	char in[CTL_LINE_MAX + 1];
	char *out;
	size_t out_len, out_off, out_cap;
	uint64_t sent; /* bytes written so far */
};

struct ctl_server {
	struct ev_loop *loop;
	struct ctl_server_opts o;
	char path[CTL_PATH_MAX];
	int fd;
	ev_io lio;
	ctl_dispatch_fn dispatch;
	void *arg;
	struct ctl_conn *conns;
	unsigned n_conns, n_monitors;
	bool ctr_registered;
	uint64_t ctr[CTL_CTR_MAX];
};

static void conn_close(struct ctl_conn *c)
{
	struct ctl_server *s = c->srv;

	ev_io_stop(s->loop, &c->rio);
	ev_io_stop(s->loop, &c->wio);
	ev_timer_stop(s->loop, &c->timer);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_conns--;
	if (c->monitor)
		s->n_monitors--;
	free(c->out);
	free(c);
}

/* Reads and discards what the client sent; true at EOF or on an error. */
static bool conn_discard(struct ctl_conn *c)
{
	char scratch[4096];

	for (int i = 0; i < 16; i++) { /* bounded: a flooding client cannot hold the loop */
		ssize_t n = recv(c->fd, scratch, sizeof(scratch), MSG_DONTWAIT);
		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
	}
	return false;
}

/* The reply is out: shut our side and wait (bounded by the timer) for the
 * client's EOF, so that closing with unread input does not reset the
 * connection and destroy the reply before the client has read it. */
static void conn_linger(struct ctl_conn *c)
{
	struct ctl_server *s = c->srv;

	shutdown(c->fd, SHUT_WR);
	if (conn_discard(c)) {
		conn_close(c);
		return;
	}
	c->lingering = true;
	ev_io_start(s->loop, &c->rio);
	ev_timer_again(s->loop, &c->timer);
}

/* Writes what it can; closes the connection when done or broken. Returns
 * false when c was freed or is lingering. */
static bool conn_flush(struct ctl_conn *c)
{
	struct ctl_server *s = c->srv;

	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			c->out_off += (size_t)n;
			c->sent += (uint64_t)n;
			ev_timer_again(s->loop, &c->timer);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ev_io_start(s->loop, &c->wio);
			return true;
		}
		s->ctr[CTL_CTR_WRITE_ERRORS]++;
		conn_close(c);
		return false;
	}
	c->out_off = c->out_len = 0;
	ev_io_stop(s->loop, &c->wio);
	if (c->closing) {
		conn_linger(c);
		return false;
	}
	if (c->monitor)
		ev_timer_stop(s->loop, &c->timer); /* idle monitors never time out */
	return true;
}

/* Appends to the output buffer; false on allocation failure. */
static bool conn_queue(struct ctl_conn *c, const char *p, size_t n)
{
	if (c->out_off > 0 && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < c->out_len + n)
			cap *= 2;
		char *nb = realloc(c->out, cap);
		if (!nb)
			return false;
		c->out = nb;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
	return true;
}

/* Queues one JSON document (plus '\n'), takes ownership of j, flushes. */
static bool conn_send_json(struct ctl_conn *c, json_object *j, bool then_close)
{
	const char *txt = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
	                                                        JSON_C_TO_STRING_NOSLASHESCAPE);
	bool ok = conn_queue(c, txt, strlen(txt)) && conn_queue(c, "\n", 1);

	json_object_put(j);
	c->closing = then_close;
	if (!ok) {
		conn_close(c);
		return false;
	}
	ev_now_update(c->srv->loop); /* building the reply may have taken a while */
	ev_timer_again(c->srv->loop, &c->timer);
	return conn_flush(c);
}

static void conn_reply_error(struct ctl_conn *c, const char *msg)
{
	ev_io_stop(c->srv->loop, &c->rio);
	conn_send_json(c, ctl_reply_error(msg, NULL), true);
}

static void conn_handle_line(struct ctl_conn *c, size_t len)
{
	struct ctl_server *s = c->srv;
	struct ctl_request req;
	json_object *reply;
	int r;

	s->ctr[CTL_CTR_REQUESTS]++;
	r = ctl_request_parse(c->in, len, &req);
	if (r != CTL_OK) {
		s->ctr[CTL_CTR_BAD_REQUESTS]++;
		conn_reply_error(c, ctl_strerror(r));
		return;
	}
	if (req.cmd == CTL_CMD_MONITOR) {
		json_object *d = json_object_new_object();
		json_object_object_add(d, "monitor", json_object_new_boolean(1));
		c->monitor = true;
		s->n_monitors++;
		/* keep reading to notice the client closing; discard its bytes */
		conn_send_json(c, ctl_reply_ok(d), false);
		return;
	}
	ev_io_stop(s->loop, &c->rio);
	reply = s->dispatch ? s->dispatch(s->arg, &req) : NULL;
	if (!reply) {
		s->ctr[CTL_CTR_DISPATCH_ERRORS]++;
		reply = ctl_reply_error("internal error", NULL);
	}
	conn_send_json(c, reply, true);
}

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_conn *c = w->data;
	struct ctl_server *s = c->srv;
	if (c->monitor || c->lingering) {
		if (conn_discard(c))
			conn_close(c);
		return;
	}
	size_t room = sizeof(c->in) - c->in_len;
	ssize_t n = recv(c->fd, c->in + c->in_len, room, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		conn_close(c);
		return;
	}
	if (n == 0) {
		s->ctr[CTL_CTR_EARLY_CLOSE]++;
		conn_close(c);
		return;
	}
	size_t start = c->in_len;
	c->in_len += (size_t)n;
	char *nl = memchr(c->in + start, '\n', c->in_len - start);
	if (nl) {
		conn_handle_line(c, (size_t)(nl - c->in));
		return;
	}
	if (c->in_len == sizeof(c->in)) {
		s->ctr[CTL_CTR_REQUESTS]++;
		s->ctr[CTL_CTR_BAD_REQUESTS]++;
		s->ctr[CTL_CTR_OVERSIZE]++;
		conn_reply_error(c, ctl_strerror(CTL_ERR_TOO_LONG));
	}
}

static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	conn_flush(w->data);
}

static void conn_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_conn *c = w->data;

	if (c->out_off < c->out_len && !c->lingering) {
		/* the loop may have been busy rather than the client slow: a
		 * write that still makes progress restarts the timer */
		uint64_t before = c->sent;
		if (!conn_flush(c) || c->sent != before)
			return;
	}
	if (!c->lingering)
		c->srv->ctr[CTL_CTR_TIMEOUTS]++;
	conn_close(c);
}

static void accept_one(struct ctl_server *s, int fd)
{
	struct ctl_conn *c;

	if (s->n_conns >= s->o.max_clients || !(c = calloc(1, sizeof(*c)))) {
		s->ctr[CTL_CTR_REJECTED]++;
		close(fd);
		return;
	}
	s->ctr[CTL_CTR_ACCEPTED]++;
	c->srv = s;
	c->fd = fd;
	ev_io_init(&c->rio, conn_read_cb, fd, EV_READ);
	ev_io_init(&c->wio, conn_write_cb, fd, EV_WRITE);
	ev_init(&c->timer, conn_timer_cb);
	c->timer.repeat = s->o.timeout_s;
	c->rio.data = c->wio.data = c->timer.data = c;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->n_conns++;
	ev_io_start(s->loop, &c->rio);
	ev_timer_again(s->loop, &c->timer);
}

static void listen_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_server *s = w->data;

	for (int i = 0; i < 64; i++) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_rl(LOG_LVL_WARNING, "ctl: accept: %s", strerror(errno));
			return;
		}
		accept_one(s, fd);
	}
}

static void events_sink_cb(void *arg, const char *line, size_t len)
{
	struct ctl_server *s = arg;
	struct ctl_conn *c = s->conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (!c->monitor)
			continue;
		if (c->out_len - c->out_off + len > s->o.monitor_backlog) {
			s->ctr[CTL_CTR_MONITOR_OVERFLOW]++;
			conn_close(c);
			continue;
		}
		if (!conn_queue(c, line, len)) {
			conn_close(c);
			continue;
		}
		s->ctr[CTL_CTR_EVENTS_SENT]++;
		ev_timer_again(s->loop, &c->timer);
		conn_flush(c);
	}
}

static bool events_active_cb(void *arg)
{
	const struct ctl_server *s = arg;
	return s->n_monitors > 0;
}

static int server_bind(struct ctl_server *s)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	mode_t old;
	int r;

	if (strlen(s->o.path) >= sizeof(sun.sun_path)) {
		log_err("ctl: socket path too long: %s", s->o.path);
		return -1;
	}
	strcpy(sun.sun_path, s->o.path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		log_err("ctl: socket: %s", strerror(errno));
		return -1;
	}
	if (unlink(s->o.path) < 0 && errno != ENOENT)
		log_warn("ctl: cannot remove old %s: %s", s->o.path, strerror(errno));
	old = umask(0777 & ~s->o.mode);
	r = bind(s->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r < 0) {
		log_err("ctl: bind %s: %s", s->o.path, strerror(errno));
		return -1;
	}
	if (chmod(s->o.path, s->o.mode) < 0)
		log_warn("ctl: chmod %s: %s", s->o.path, strerror(errno));
	if (listen(s->fd, 32) < 0) {
		log_err("ctl: listen %s: %s", s->o.path, strerror(errno));
		unlink(s->o.path);
		return -1;
	}
	return 0;
}

struct ctl_server *ctl_server_new(struct ev_loop *loop, const struct ctl_server_opts *opts,
                                  ctl_dispatch_fn dispatch, void *arg)
{
	struct ctl_server *s;

	if (!opts || !opts->path)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->loop = loop;
	s->o = *opts;
	snprintf(s->path, sizeof(s->path), "%s", opts->path);
	s->o.path = s->path;
	if (!s->o.mode)
		s->o.mode = 0660;
	if (s->o.timeout_s <= 0)
		s->o.timeout_s = 5.0;
	if (!s->o.max_clients)
		s->o.max_clients = 64;
	if (!s->o.monitor_backlog)
		s->o.monitor_backlog = 1u << 20;
	s->dispatch = dispatch;
	s->arg = arg;
	s->fd = -1;
	if (server_bind(s) < 0) {
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return NULL;
	}
	ev_io_init(&s->lio, listen_cb, s->fd, EV_READ);
	s->lio.data = s;
	ev_io_start(loop, &s->lio);
	s->ctr_registered = counters_register("ctl", ctl_ctr_names, s->ctr, CTL_CTR_MAX) == 0;
	if (events_sink_add(events_sink_cb, events_active_cb, s) < 0)
		log_warn("ctl: no free events sink; monitor will stay silent");
	return s;
}

void ctl_server_free(struct ctl_server *s)
{
	if (!s)
		return;
	events_sink_del(events_sink_cb, s);
	if (s->ctr_registered)
		counters_unregister(s->ctr);
	while (s->conns)
		conn_close(s->conns);
	ev_io_stop(s->loop, &s->lio);
	close(s->fd);
	unlink(s->path);
	free(s);
}

unsigned ctl_server_clients(const struct ctl_server *s)
{
	return s->n_conns;
}
unsigned ctl_server_monitors(const struct ctl_server *s)
{
	return s->n_monitors;
}
const uint64_t *ctl_server_counters(const struct ctl_server *s)
{
	return s->ctr;
}
