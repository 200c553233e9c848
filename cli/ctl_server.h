/* Control socket server (daemon side): a non-blocking unix stream socket
 * served from the libev loop. Each client sends one request line and gets
 * one JSON envelope back; `monitor` clients stay and receive events.
 *
 * Robustness: any number of clients up to max_clients (more are closed at
 * once), partial reads and writes, a client that sends no complete line
 * within timeout_s is dropped, a line longer than CTL_LINE_MAX gets an
 * error reply, a slow monitor client is dropped once its backlog exceeds
 * monitor_backlog bytes. Nothing a client sends can crash the daemon.
 */
#ifndef DMVPN_CTL_SERVER_H
#define DMVPN_CTL_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ev.h>
#include <json-c/json.h>

#include "cli/ctl_proto.h"

/* Answers one parsed request with a complete envelope (ctl_reply_ok() or
 * ctl_reply_error()); the server takes ownership. NULL means internal
 * error. Never called for `monitor` (the server handles it). */
typedef json_object *(*ctl_dispatch_fn)(void *arg, const struct ctl_request *req);

struct ctl_server_opts {
	const char *path;       /* socket path (an old file there is removed) */
	mode_t mode;            /* socket file mode, default 0660 */
	double timeout_s;       /* request line deadline, and write stall limit; default 5 */
	unsigned max_clients;   /* default 64 */
	size_t monitor_backlog; /* bytes queued per monitor client; default 1 MiB */
};

enum ctl_ctr {
	CTL_CTR_ACCEPTED,
	CTL_CTR_REQUESTS,
	CTL_CTR_BAD_REQUESTS,
	CTL_CTR_OVERSIZE,
	CTL_CTR_TIMEOUTS,
	CTL_CTR_REJECTED,
	CTL_CTR_EARLY_CLOSE,
	CTL_CTR_WRITE_ERRORS,
	CTL_CTR_DISPATCH_ERRORS,
	CTL_CTR_MONITOR_OVERFLOW,
	CTL_CTR_EVENTS_SENT,
	CTL_CTR_MAX
};

struct ctl_server;

/* Binds and listens; registers the "ctl" counters and an events sink.
 * NULL on failure (logged). */
struct ctl_server *ctl_server_new(struct ev_loop *loop, const struct ctl_server_opts *opts,
                                  ctl_dispatch_fn dispatch, void *arg);
/* Closes every client and the socket, unlinks the socket file. */
void ctl_server_free(struct ctl_server *s);

unsigned ctl_server_clients(const struct ctl_server *s);
unsigned ctl_server_monitors(const struct ctl_server *s);
const uint64_t *ctl_server_counters(const struct ctl_server *s);

#endif
