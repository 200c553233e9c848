/* Rendering of daemon replies for humans (dmvpnctl without --json).
 *
 * The daemon only ever produces JSON (see doc/CONTROL.md); these functions
 * turn the `data` member of a successful reply into aligned tables. They
 * never fail on missing or mistyped fields: an absent value prints as "-".
 */
#ifndef DMVPN_SHOW_H
#define DMVPN_SHOW_H

#include <stdio.h>

#include <json-c/json.h>

#include "cli/ctl_proto.h"

/* Renders data for the request. Returns 0. */
int show_render(const struct ctl_request *req, json_object *data, FILE *out);

/* Prometheus text exposition (format 0.0.4) from
 * {"metrics":[{"name":"module.name","type":"counter|gauge","value":N},...]}:
 * "dmvpn_<module>_<name>[_total]", with a module "iface.X" becoming the label
 * {interface="X"} (and any other "family.X" {instance="X"}). */
int show_metrics(json_object *data, FILE *out);

/* One `monitor` event as a single human line: "TIME TYPE key=value ...". */
void show_event(json_object *ev, FILE *out);

/* "00:05:12", "3d04h", or "-" for a negative value. */
const char *show_duration(long long secs, char *buf, size_t len);

#endif
