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

/* What a reload does to interface `name` (pure): KEEP (unchanged, or in
 * neither), ADD, REMOVE, or RECREATE: anything of it changed (address, mtu,
 * tunnel source/key/protection, keepalive, NHRP settings) or the IKE profile
 * it uses did; why gets "tunnel key changed", "mtu, nhs changed",
 * "profile P changed". Nothing is half-applied to a running interface. */
enum reload_if_action { RELOAD_IF_KEEP, RELOAD_IF_ADD, RELOAD_IF_REMOVE, RELOAD_IF_RECREATE };
enum reload_if_action reload_iface_action(const struct config *old, const struct config *new,
                                          const char *name, char *why, size_t len);

/* Applies nc (already diffed into changes) to the running interfaces:
 * removed and recreated ones shut down (ovl_if_shutdown), nc replaces
 * d->cfg (owned from here), the IPsec module gets nc's profiles for new
 * protected interfaces, and d->ifs_create makes the missing ones. One that
 * does not come up is listed in changes ("interface X: not up ..."). */
struct dmvpnd;
void reload_apply_ifaces(struct dmvpnd *d, struct config *nc, json_object *changes);

#endif
