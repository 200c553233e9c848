/* Reload: compare the running configuration with a new one and swap them.
 *
 * For now the comparison is coarse (what changed, per object and field
 * group); applying changes to live peers and SAs hooks in here later
 * (SPEC: unchanged peers and SAs stay up, changed ones are renegotiated).
 */
#ifndef DMVPN_RELOAD_H
#define DMVPN_RELOAD_H

#include <json-c/json.h>

#include "config.h"

/* Appends to `changes` (a JSON array) one string per difference, e.g.
 *   "hostname: spoke1 -> spoke2"      "log level: info -> debug"
 *   "interface dmvpn1: added"         "interface dmvpn0: changed (mtu, nhs)"
 *   "profile DMVPN: removed"          "frr: changed"
 * Objects are matched by name; order follows the new configuration. */
void reload_diff(const struct config *old, const struct config *new, json_object *changes);

#endif
