/* Daemon side of the control socket: answers each request with the JSON
 * the SPEC names (doc/CONTROL.md), built from the daemon context.
 */
#ifndef DMVPN_DAEMON_SHOW_H
#define DMVPN_DAEMON_SHOW_H

#include <stdbool.h>

#include <json-c/json.h>

#include "cli/ctl_proto.h"

struct dmvpnd;

/* The ctl_dispatch_fn of the daemon's control server (arg: struct dmvpnd). */
json_object *dmvpnd_ctl_dispatch(void *arg, const struct ctl_request *req);

/* The `data` objects, one per command. */
json_object *daemon_show_dmvpn(const struct dmvpnd *d, bool detail);
json_object *daemon_show_nhrp_nhs(const struct dmvpnd *d);
json_object *daemon_show_nhrp_cache(const struct dmvpnd *d);
json_object *daemon_show_nhrp_shortcut(const struct dmvpnd *d);
json_object *daemon_show_ikev2_sa(const struct dmvpnd *d);
/* {"counters":{"module.name":N,...}} from the registry. */
json_object *daemon_show_counters(void);
/* {"metrics":[{"name":"module.name","type":"counter|gauge","value":N},...]} */
json_object *daemon_show_metrics(void);
json_object *daemon_show_version(const struct dmvpnd *d);

#endif
