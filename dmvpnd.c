/* dmvpnd: options, runtime files, signals and the libev main loop. */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/ctl_server.h"
#include "cli/daemon_show.h"
#include "cli/events.h"
#include "config.h"
#include "dmvpnd.h"
#include "frr-integration/zclient.h"
#include "lib/counters.h"
#include "lib/log.h"
#include "overlay/iface.h"
#include "overlay/ipsec.h"
#include "overlay/peer.h"

enum { EXIT_USAGE = 2 };

static void usage(FILE *out)
{
	fprintf(out, "usage: dmvpnd [-f FILE] [-N NAME] [--daemon] [--check] [--version]\n"
	             "  -f, --config FILE  configuration (default " DMVPN_CONFIG_DEFAULT ")\n"
	             "  -N, --name NAME    runtime files in " CTL_RUNDIR "/NAME (one instance per "
	             "namespace)\n"
	             "  -d, --daemon       fork, detach and log to syslog\n"
	             "  -C, --check        validate the configuration and exit (0 ok, 1 errors)\n"
	             "  -v, --version      print the version and exit\n"
	             "  -h, --help         this text\n");
}

/* Returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv, struct dmvpnd_opts *o)
{
	static const struct option lopts[] = {
	    {"config", required_argument, NULL, 'f'},
	    {"name", required_argument, NULL, 'N'},
	    {"daemon", no_argument, NULL, 'd'},
	    {"check", no_argument, NULL, 'C'},
	    {"version", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	o->config_path = DMVPN_CONFIG_DEFAULT;
	while ((c = getopt_long(argc, argv, "f:N:dCvh", lopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->config_path = optarg;
			break;
		case 'N':
			if (ctl_name_valid(optarg) != CTL_OK) {
				fprintf(stderr,
				        "dmvpnd: invalid name '%s': use 1..%d of "
				        "[A-Za-z0-9_.-]\n",
				        optarg, CTL_NAME_MAX);
				return EXIT_USAGE;
			}
			o->name = optarg;
			break;
		case 'd':
			o->daemonize = true;
			break;
		case 'C':
			o->check = true;
			break;
		case 'v':
			printf("dmvpnd %s\n", DMVPN_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dmvpnd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return -1;
}

static int check_config(const char *path)
{
	int nerr = 0;
	struct config *cfg = config_load(path, stderr, &nerr);

	if (!cfg)
		return 1;
	printf("%s: configuration OK (%zu interface%s, %zu IKE profile%s)\n", path, cfg->n_ifaces,
	       cfg->n_ifaces == 1 ? "" : "s", cfg->n_profiles, cfg->n_profiles == 1 ? "" : "s");
	config_free(cfg);
	return 0;
}

/* Tells systemd (Type=notify) about our state, when NOTIFY_SOCKET is set. */
static void sd_notify_state(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sun.sun_path))
		return;
	len = strlen(path);
	memcpy(sun.sun_path, path, len);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0'; /* abstract namespace */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun,
	           (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		log_debug("sd_notify: %s", strerror(errno));
	close(fd);
}

/* Forks twice; the original process waits on a pipe until the daemon says
 * it is ready (exit 0) or dies first (exit 1), so start-up errors still
 * reach the terminal and the exit status. Returns the pipe's write end. */
static int daemonize(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		fprintf(stderr, "dmvpnd: cannot daemonize: %s\n", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		ssize_t n;
		close(p[1]);
		do
			n = read(p[0], &c, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 && c == 'R' ? 0 : 1);
	}
	close(p[0]);
	if (setsid() < 0 || (pid = fork()) < 0) {
		fprintf(stderr, "dmvpnd: cannot daemonize: %s\n", strerror(errno));
		exit(1);
	}
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		exit(1);
	umask(022);
	return p[1];
}

/* After start-up: release the waiting parent, switch logging to syslog and
 * detach from the terminal. */
static void daemon_ready(int ready_fd, enum log_level level)
{
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

	log_init("dmvpnd", LOG_DEST_SYSLOG, level);
	if (nul >= 0) {
		dup2(nul, STDIN_FILENO);
		dup2(nul, STDOUT_FILENO);
		dup2(nul, STDERR_FILENO);
		close(nul);
	}
	if (write(ready_fd, "R", 1) != 1)
		log_warn("cannot notify the parent process");
	close(ready_fd);
}

static int mkdir_p(const char *dir, mode_t mode)
{
	char buf[CTL_PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = saved;
		if (!saved)
			return 0;
	}
}

/* Creates the run directory and takes the pid file lock. */
static int runtime_open(struct dmvpnd *d)
{
	const char *name = d->opts.name;
	char buf[32];
	ssize_t n;

	if (ctl_rundir(CTL_RUNDIR, name, d->rundir, sizeof(d->rundir)) != CTL_OK ||
	    ctl_runfile(CTL_RUNDIR, name, CTL_SOCK_NAME, d->sock_path, sizeof(d->sock_path)) ||
	    ctl_runfile(CTL_RUNDIR, name, CTL_PID_NAME, d->pid_path, sizeof(d->pid_path))) {
		log_err("runtime path too long for name '%s'", name ? name : "");
		return -1;
	}
	if (mkdir_p(d->rundir, 0755) < 0) {
		log_err("cannot create %s: %s", d->rundir, strerror(errno));
		return -1;
	}
	d->pid_fd = open(d->pid_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (d->pid_fd < 0) {
		log_err("cannot open %s: %s", d->pid_path, strerror(errno));
		return -1;
	}
	if (flock(d->pid_fd, LOCK_EX | LOCK_NB) < 0) {
		n = read(d->pid_fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		log_err("another dmvpnd (pid %s) is running with %s", buf[0] ? buf : "?",
		        d->pid_path);
		close(d->pid_fd);
		d->pid_fd = -1;
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(d->pid_fd, 0) < 0 || pwrite(d->pid_fd, buf, (size_t)n, 0) != n)
		log_warn("cannot write %s: %s", d->pid_path, strerror(errno));
	return 0;
}

static void runtime_close(struct dmvpnd *d)
{
	if (d->pid_fd < 0)
		return;
	unlink(d->pid_path);
	close(d->pid_fd); /* releases the lock */
	d->pid_fd = -1;
	if (d->opts.name)
		rmdir(d->rundir); /* only when empty */
}

static void on_sighup(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct dmvpnd *d = w->data;
	json_object *data = NULL;
	char err[256];

	log_notice("SIGHUP: reloading %s", d->opts.config_path);
	sd_notify_state("RELOADING=1");
	dmvpnd_reload(d, &data, err, sizeof(err));
	json_object_put(data);
	sd_notify_state("READY=1");
}

static void on_sigterm(struct ev_loop *loop, ev_signal *w, int revents)
{
	log_notice("signal %d: shutting down", w->signum);
	sd_notify_state("STOPPING=1");
	ev_break(loop, EVBREAK_ALL);
}

static void signals_start(struct dmvpnd *d)
{
	signal(SIGPIPE, SIG_IGN);
	ev_signal_init(&d->sig_hup, on_sighup, SIGHUP);
	ev_signal_init(&d->sig_term, on_sigterm, SIGTERM);
	ev_signal_init(&d->sig_int, on_sigterm, SIGINT);
	d->sig_hup.data = d->sig_term.data = d->sig_int.data = d;
	ev_signal_start(d->loop, &d->sig_hup);
	ev_signal_start(d->loop, &d->sig_term);
	ev_signal_start(d->loop, &d->sig_int);
}

static void signals_stop(struct dmvpnd *d)
{
	ev_signal_stop(d->loop, &d->sig_hup);
	ev_signal_stop(d->loop, &d->sig_term);
	ev_signal_stop(d->loop, &d->sig_int);
}

struct taken_ctx {
	const struct peer *self;
	const struct ipaddr *tun;
	bool taken;
};

static void taken_one(struct peer *p, void *arg)
{
	struct taken_ctx *c = arg;

	if (p != c->self && p->state != PEER_DOWN &&
	    (ipaddr_eq(&p->tunnel4, c->tun) || ipaddr_eq(&p->tunnel6, c->tun)))
		c->taken = true;
}

/* Is tun now bound to another live peer (the same spoke back at another
 * NBMA)? Its routes are that peer's then. */
static bool tunnel_taken(const struct peer *self, const struct ipaddr *tun)
{
	struct taken_ctx c = {.self = self, .tun = tun};

	if (!ipaddr_is_set(tun))
		return false;
	peer_walk(self->oif, taken_one, &c);
	return c.taken;
}

/* Peer listener: a "peer" event for `dmvpnctl monitor`, and the routes
 * through a peer that went down withdrawn. */
static void on_peer(struct peer *p, enum peer_state old, void *ctx)
{
	char buf[ADDR_STRLEN];

	if (p->state == PEER_DOWN && p->oif) {
		struct ovl_if *oif = p->oif;
		if (!tunnel_taken(p, &p->tunnel4))
			ovl_routes_del_via(&oif->routes, &p->tunnel4);
		if (!tunnel_taken(p, &p->tunnel6))
			ovl_routes_del_via(&oif->routes, &p->tunnel6);
	}
	if (!events_wanted())
		return;
	json_object *o = json_object_new_object();
	if (p->oif)
		json_object_object_add(o, "interface", json_object_new_string(p->oif->name));
	json_object_object_add(o, "nbma",
	                       json_object_new_string(ipaddr_fmt(&p->nbma, buf, sizeof(buf))));
	if (ipaddr_is_set(&p->tunnel4))
		json_object_object_add(
		    o, "tunnel", json_object_new_string(ipaddr_fmt(&p->tunnel4, buf, sizeof(buf))));
	else if (ipaddr_is_set(&p->tunnel6))
		json_object_object_add(
		    o, "tunnel", json_object_new_string(ipaddr_fmt(&p->tunnel6, buf, sizeof(buf))));
	json_object_object_add(o, "type", json_object_new_string(peer_type_name(p->type)));
	json_object_object_add(o, "from", json_object_new_string(peer_state_name(old)));
	json_object_object_add(o, "state", json_object_new_string(peer_state_name(p->state)));
	events_emit("peer", o);
}

/* A peer declared dead by GRE keepalives: a "keepalive" event. */
static void on_ka_dead(struct ovl_if *oif, struct peer *p, unsigned misses, const char *reason)
{
	char buf[ADDR_STRLEN];

	if (!events_wanted())
		return;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "interface", json_object_new_string(oif->name));
	json_object_object_add(o, "nbma",
	                       json_object_new_string(ipaddr_fmt(&p->nbma, buf, sizeof(buf))));
	if (ipaddr_is_set(&p->tunnel4) || ipaddr_is_set(&p->tunnel6))
		json_object_object_add(
		    o, "tunnel",
		    json_object_new_string(ipaddr_fmt(ipaddr_is_set(&p->tunnel4) ? &p->tunnel4
		                                                                  : &p->tunnel6,
		                                      buf, sizeof(buf))));
	json_object_object_add(o, "type", json_object_new_string(peer_type_name(p->type)));
	json_object_object_add(o, "state", json_object_new_string("dead"));
	json_object_object_add(o, "misses", json_object_new_int((int)misses));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	events_emit("keepalive", o);
}

#define OVERLAY_RETRY_S 10.0

/* `tunnel protection`: the IPsec module (made with the first protected
 * interface; it keeps its own copy of the configuration, whose profiles the
 * IKE SAs point to) takes over the interface's GRE. 1, or <= 0 on error. */
static int protect(struct dmvpnd *d, struct ovl_if *oif)
{
	if (!d->ipsec) {
		int nerr = 0;
		struct config *cfg = config_load(d->opts.config_path, stderr, &nerr);
		if (!cfg)
			return -1;
		d->ipsec = ipsec_new(d->loop, cfg);
		if (!d->ipsec)
			return -1;
	}
	return ipsec_attach(d->ipsec, oif);
}

/* Creates every configured overlay interface that does not exist yet. One
 * that cannot come up (its tunnel source missing, say) is retried every
 * OVERLAY_RETRY_S; the daemon keeps serving the others and its socket. */
static void overlay_create(struct dmvpnd *d)
{
	struct ovl_if **tail = &d->ifs;
	bool missing = false;

	while (*tail)
		tail = &(*tail)->next;
	for (size_t i = 0; d->cfg && i < d->cfg->n_ifaces; i++) {
		const struct cfg_iface *ifc = &d->cfg->ifaces[i];
		bool have = false;
		for (struct ovl_if *o = d->ifs; o; o = o->next)
			have |= strcmp(o->name, ifc->name) == 0;
		if (have)
			continue;
		struct ovl_if *oif = ovl_if_new(d->loop, ifc);
		if (oif && ifc->protection_profile && protect(d, oif) <= 0) {
			ovl_if_shutdown(oif); /* never cleartext in its place */
			oif = NULL;
		}
		if (!oif) {
			log_warn("%s: not up; retrying in %.0f s", ifc->name, OVERLAY_RETRY_S);
			missing = true;
			continue;
		}
		*tail = oif;
		tail = &oif->next;
	}
	if (missing) {
		ev_timer_set(&d->retry, OVERLAY_RETRY_S, 0.0);
		ev_timer_start(d->loop, &d->retry);
	}
}

static void on_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
	overlay_create(w->data);
}

static int overlay_start(struct dmvpnd *d)
{
	peer_listener_add(on_peer, d);
	ovl_ka_dead_hook = on_ka_dead;
	ev_timer_init(&d->retry, on_retry, OVERLAY_RETRY_S, 0.0);
	d->retry.data = d;
	d->ifs_create = overlay_create;
	overlay_create(d);
	return 0;
}

static void overlay_stop(struct dmvpnd *d)
{
	if (d->loop)
		ev_timer_stop(d->loop, &d->retry);
	while (d->ifs) {
		struct ovl_if *oif = d->ifs;
		d->ifs = oif->next;
		ovl_if_shutdown(oif);
	}
	ipsec_free(d->ipsec); /* after the interfaces: their purges went through it */
	d->ipsec = NULL;
	peer_listener_del(on_peer, d);
}

/* zebra (re)connected: every route of every interface again. */
static void frr_replay(void *arg)
{
	struct dmvpnd *d = arg;

	for (struct ovl_if *oif = d->ifs; oif; oif = oif->next)
		ovl_routes_reapply(&oif->routes);
}

/* `frr zapi`: routes go to zebra instead of the kernel. Before the
 * interfaces, so that their route sinks pick it up. */
static int frr_start(struct dmvpnd *d)
{
	char path[ZCLIENT_PATH_MAX];

	if (!d->cfg || !d->cfg->frr.zapi)
		return 0;
	if (d->cfg->frr.zapi_path)
		snprintf(path, sizeof(path), "%s", d->cfg->frr.zapi_path);
	else
		zclient_default_path(d->opts.name, path, sizeof(path));
	d->zc = zclient_new(d->loop, path, &zapi_frr_8_4, frr_replay, d);
	if (!d->zc)
		return -1;
	ovl_route_sink_apply = zclient_route_apply;
	ovl_route_sink_ctx = d->zc;
	return 0;
}

/* After the interfaces: their routes were withdrawn through it. */
static void frr_stop(struct dmvpnd *d)
{
	ovl_route_sink_apply = NULL;
	ovl_route_sink_ctx = NULL;
	zclient_free(d->zc);
	d->zc = NULL;
}

/* Everything between a loaded configuration and a running loop. */
static int dmvpnd_start(struct dmvpnd *d)
{
	struct ctl_server_opts co = {.path = d->sock_path, .mode = 0660};

	if (runtime_open(d) < 0)
		return -1;
	d->loop = ev_default_loop(EVFLAG_AUTO);
	if (!d->loop) {
		log_err("cannot initialise the event loop");
		return -1;
	}
	d->started_mono = mono_now();
	d->started_wall = time(NULL);
	dmvpnd_counters_register(d);
	d->ctl = ctl_server_new(d->loop, &co, dmvpnd_ctl_dispatch, d);
	if (!d->ctl)
		return -1;
	signals_start(d);
	if (frr_start(d) < 0)
		return -1;
	if (overlay_start(d) < 0)
		return -1;
	return 0;
}

static void dmvpnd_stop(struct dmvpnd *d)
{
	overlay_stop(d);
	frr_stop(d);
	if (d->loop)
		signals_stop(d);
	ctl_server_free(d->ctl); /* removes the socket */
	d->ctl = NULL;
	runtime_close(d);
	dmvpnd_counters_unregister(d);
	config_free(d->cfg);
	d->cfg = NULL;
}

int main(int argc, char **argv)
{
	struct dmvpnd d = {.pid_fd = -1};
	static char cwd[4096], abs_path[8192];
	int rc, nerr = 0, ready_fd = -1;

	rc = parse_args(argc, argv, &d.opts);
	if (rc >= 0)
		return rc;
	if (d.opts.check)
		return check_config(d.opts.config_path);
	/* reloads must find the file after --daemon's chdir("/") */
	if (d.opts.config_path[0] != '/' && getcwd(cwd, sizeof(cwd)) &&
	    (size_t)snprintf(abs_path, sizeof(abs_path), "%s/%s", cwd, d.opts.config_path) <
	        sizeof(abs_path))
		d.opts.config_path = abs_path;
	d.cfg = config_load(d.opts.config_path, stderr, &nerr);
	if (!d.cfg)
		return 1;
	if (d.opts.daemonize)
		ready_fd = daemonize();
	log_init("dmvpnd", LOG_DEST_STDERR, (enum log_level)d.cfg->log_level);

	if (dmvpnd_start(&d) < 0) {
		dmvpnd_stop(&d);
		return 1;
	}
	log_notice("dmvpnd %s started: pid %ld, config %s, control socket %s", DMVPN_VERSION,
	           (long)getpid(), d.opts.config_path, d.sock_path);
	if (ready_fd >= 0)
		daemon_ready(ready_fd, (enum log_level)d.cfg->log_level);
	sd_notify_state("READY=1");

	ev_run(d.loop, 0);

	dmvpnd_stop(&d);
	log_notice("dmvpnd stopped");
	return 0;
}
