/* The daemon context: one `struct dmvpnd` per process, created by main()
 * (dmvpnd.c) and handed to everything that serves the control socket or
 * applies a configuration. Later modules (peers, NHRP, IKE, routes) hang
 * their state off it; main() stays small.
 */
#ifndef DMVPN_DMVPND_H
#define DMVPN_DMVPND_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <ev.h>

#include "cli/ctl_proto.h"

#ifndef DMVPN_VERSION
#define DMVPN_VERSION "0.0.0"
#endif
#ifndef DMVPN_CONFIG_DEFAULT
#define DMVPN_CONFIG_DEFAULT "/etc/dmvpn/dmvpnd.conf"
#endif

struct config;
struct ctl_server;
struct ovl_if;
struct ipsec;
struct zclient;

struct dmvpnd_opts {
	const char *config_path; /* -f, default DMVPN_CONFIG_DEFAULT */
	const char *name;        /* -N NAME, NULL without */
	bool daemonize;          /* --daemon */
	bool check;              /* --check */
};

enum dmvpnd_ctr { DMVPND_CTR_RELOADS, DMVPND_CTR_RELOAD_FAILURES, DMVPND_CTR_MAX };

enum dmvpnd_gauge {
	DMVPND_G_INTERFACES, /* configured interfaces */
	DMVPND_G_PROFILES,   /* configured IKE profiles */
	DMVPND_G_MAX
};

struct dmvpnd {
	struct ev_loop *loop;
	struct dmvpnd_opts opts;

	/* runtime files: /run/dmvpn[/NAME]/{dmvpnd.sock,dmvpnd.pid} */
	char rundir[CTL_PATH_MAX];
	char sock_path[CTL_PATH_MAX];
	char pid_path[CTL_PATH_MAX];
	int pid_fd; /* holds the flock that marks this instance alive; -1 */

	struct config *cfg; /* the running configuration (replaced on reload) */
	struct ctl_server *ctl;

	ev_signal sig_hup, sig_term, sig_int;
	double started_mono; /* mono_now() at start */
	time_t started_wall;

	struct ovl_if *ifs; /* overlay interfaces (overlay/iface.h), a list */
	struct ipsec *ipsec; /* tunnel protection (overlay/ipsec.h), NULL if none */
	struct zclient *zc;  /* `frr zapi`: the zebra client (frr-integration/zclient.h) */
	ev_timer retry;     /* creates interfaces that could not come up yet */
	/* creates the configured interfaces that do not exist (dmvpnd.c; a
	 * reload calls it after shutting the removed and changed ones down);
	 * NULL without a data plane (unit tests) */
	void (*ifs_create)(struct dmvpnd *d);

	uint64_t ctr[DMVPND_CTR_MAX]; /* "daemon.*" */
	uint64_t gauge[DMVPND_G_MAX]; /* "config.*" (gauges) */
};

/* reload.c: re-reads opts.config_path. On success the new configuration
 * replaces d->cfg and *data gets {"file":..., "changes":["...", ...]}; on
 * failure the running configuration stays, *data gets {"file":...,
 * "errors":["FILE:LINE: message", ...]} and err a summary. Emits a "reload"
 * event either way. Returns 0 or -1. */
struct json_object;
int dmvpnd_reload(struct dmvpnd *d, struct json_object **data, char *err, size_t errlen);

/* Registers / unregisters the daemon's counters and gauges. */
void dmvpnd_counters_register(struct dmvpnd *d);
void dmvpnd_counters_unregister(struct dmvpnd *d);
/* Refreshes gauges derived from the configuration. */
void dmvpnd_gauges_update(struct dmvpnd *d);

#endif
