/* The zebra client (libev): dmvpnd as FRRouting's route source of type
 * NHRP. It connects to zserv.api without blocking, says HELLO (asking for
 * ROUTE_NOTIFY_OWNER), announces graceful restart (zebra keeps our routes
 * as stale for a while when we go away), sends the routes the overlay's
 * route sink hands it (zclient_route_apply, an ovl_route_apply_fn), and
 * counts zebra's verdicts. When zebra goes away it reconnects with backoff
 * and replays every route the overlay holds (through the replay callback),
 * then says "route update complete" so zebra sweeps what was not replayed.
 *
 * The zclient keeps no routes of its own: the overlay's tables
 * (struct ovl_routes) are the only copy. While it is not up, route
 * changes are accepted (0) and only the replay carries them to zebra.
 *
 * State: down -> connecting -> up -> down ..., one setter, logged
 * "frr: A -> B (reason)". Counters: group "frr".
 */
#ifndef DMVPN_ZCLIENT_H
#define DMVPN_ZCLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <ev.h>

#include "frr-integration/zapi.h"

#define ZCLIENT_PATH_MAX 108
#define ZCLIENT_STALE_TIME 60   /* seconds zebra keeps our routes while we are away */
#define ZCLIENT_RETRY_MIN 0.1   /* reconnect backoff, seconds */
#define ZCLIENT_RETRY_MAX 2.0
#define ZCLIENT_QUEUE_MAX (4u << 20) /* bytes queued to zebra before we reset */

enum zclient_state { ZCLIENT_DOWN, ZCLIENT_CONNECTING, ZCLIENT_UP, ZCLIENT_STATE_MAX };

#define ZCLIENT_CTRS(X)                                                                       \
	X(connects) X(connect_failures) X(disconnects) X(replays) X(tx_msgs) X(tx_bytes)     \
	X(tx_route_add) X(tx_route_del) X(route_deferred) X(route_errors) X(queue_overflows) \
	X(rx_msgs) X(rx_skipped) X(rx_bad) X(notify_installed) X(notify_fail_install)       \
	X(notify_better_admin_won) X(notify_removed) X(notify_remove_fail) X(notify_unknown)
#define ZCLIENT_CTR_ENUM(n) ZCLIENT_CTR_##n,
enum zclient_ctr { ZCLIENT_CTRS(ZCLIENT_CTR_ENUM) ZCLIENT_CTR_MAX };

struct zclient;
/* Called when a connection comes up: re-apply every route (through
 * zclient_route_apply); the zclient then sends "route update complete". */
typedef void (*zclient_replay_fn)(void *arg);

/* Connects to path (the zserv socket) from loop's next iteration. NULL on
 * memory failure only; an absent zebra just means retries. */
struct zclient *zclient_new(struct ev_loop *loop, const char *path,
                            const struct zapi_dialect *dialect, zclient_replay_fn replay,
                            void *arg);
/* Sends what is queued (blocking, bounded by 1 s), turns graceful restart
 * off so zebra drops whatever is left of ours, closes and frees. */
void zclient_free(struct zclient *zc);

/* The route sink (ovl_route_apply_fn; r is a struct netlink_route). 0, or
 * -EINVAL when r cannot be expressed in ZAPI. */
struct netlink_route;
int zclient_route_apply(void *ctx, bool add, const struct netlink_route *r);

enum zclient_state zclient_state(const struct zclient *zc);
const char *zclient_state_name(enum zclient_state s);
const char *zclient_path(const struct zclient *zc);
const uint64_t *zclient_counters(const struct zclient *zc);
extern const char *const zclient_ctr_names[ZCLIENT_CTR_MAX];

/* The default zserv path for a dmvpnd -N name (NULL: none) into buf. */
void zclient_default_path(const char *name, char *buf, size_t len);

#endif
