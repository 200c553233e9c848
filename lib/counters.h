/* Counters registry: every module owns a plain array of uint64_t counters
 * (and a parallel array of names) and registers it once. The hot path just
 * increments its own array element: no lock, no lookup, no allocation.
 * `dmvpnctl show counters` and `metrics` walk the registry and render each
 * value as "module.name".
 *
 *     enum { NHRP_CTR_RX, NHRP_CTR_DROP_SHORT, NHRP_CTR_MAX };
 *     static const char *const nhrp_ctr_names[NHRP_CTR_MAX] = { "rx", "drop_short" };
 *     uint64_t nhrp_ctr[NHRP_CTR_MAX];
 *     counters_register("nhrp", nhrp_ctr_names, nhrp_ctr, NHRP_CTR_MAX);
 *     ...
 *     nhrp_ctr[NHRP_CTR_DROP_SHORT]++;
 *
 * The daemon is single-threaded (one libev loop), so plain increments are
 * exact. Names must be [a-z0-9_] (and the module may contain '.', e.g.
 * "iface.dmvpn0"); the registry keeps pointers, so both arrays must outlive
 * the registration (static storage or unregistered before being freed).
 */
#ifndef DMVPN_COUNTERS_H
#define DMVPN_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#define COUNTERS_MAX_GROUPS 128
#define COUNTERS_NAME_MAX   96 /* longest "module.name" rendered, with NUL */

enum counter_kind {
	COUNTER_KIND_COUNTER = 0, /* only goes up (Prometheus "counter") */
	COUNTER_KIND_GAUGE,       /* a current value (peers up, cache size) */
};

/* Registers n counters of `module`. Returns 0, or -1 when the registry is
 * full, an argument is invalid, a name is not [a-z0-9_] or "module.name" is
 * too long, or `vals` or `module` is already registered. */
int counters_register(const char *module, const char *const names[], uint64_t *vals, size_t n);
/* Same, for gauges. */
int counters_register_gauges(const char *module, const char *const names[], uint64_t *vals,
                             size_t n);
/* Removes the group whose value array is `vals` (no-op if unknown). */
void counters_unregister(const uint64_t *vals);
/* Forgets every group (tests, and daemon shutdown). */
void counters_unregister_all(void);

/* Number of registered groups and of counters over all groups. */
size_t counters_groups(void);
size_t counters_total(void);

/* Calls fn for every counter in registration order; stops early and returns
 * fn's value when it returns non-zero, else returns 0. */
typedef int (*counters_visit_fn)(const char *module, const char *name, enum counter_kind kind,
                                 uint64_t value, void *arg);
int counters_foreach(counters_visit_fn fn, void *arg);

/* Looks up "module.name"; 0 and *value set, or -1 when unknown. */
int counters_get(const char *fullname, uint64_t *value);

/* Sets every value of every COUNTER_KIND_COUNTER group to zero. */
void counters_zero_all(void);

#endif
