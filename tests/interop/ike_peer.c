/* ike_peer: runs our IKEv2 engine (ike/sa.h) over real UDP sockets on ports
 * 500 and 4500 (RFC 3948 framing from overlay/demux.h), for interop tests
 * against strongSwan (tests/interop/strongswan/).
 *
 *   ike_peer -c CONFIG -p PROFILE -l LOCAL -r REMOTE [--initiate]
 *            [--timeout S] [--hold S] [--delete] [--no-transport]
 *            [--print-keys] [--until-down] [--rekey-after S [--rekeys N]]
 *            [--rekey-ike-after S]
 *            [--frag-size N] [--natt-keepalive S] [--serve] [--repeat N]
 *            [--data PPS --data-for S [--data-size N] [--linger S]]
 *
 * --rekey-after S: CHILD rekeys S, 2S, ... (--rekeys N times) after the first
 * CHILD_UP; --rekey-ike-after S: one IKE rekey (ike_sa_rekey_ike) then.
 * --serve: a responder that answers every initiator until --timeout.
 * --repeat N (with --initiate): N times IKE_SA_INIT + IKE_AUTH, DELETE and
 * wait until gone; prints "SETUP n=... ms=..." (ike_initiate to child_up).
 * --data: after the first CHILD_UP, GRE packets through our ESP at PPS for
 * S seconds (ike_peer_data.h), then a DATA summary; exit 1 on any loss.
 * --natt-keepalive S: a NAT-T keepalive every S s when NAT was detected in
 * front of us (RFC 3948 2.3; default 20).
 *
 * The profile comes from a dmvpnd configuration file (crypto ikev2
 * profile). Prints one line per event, e.g.
 *   IKE_UP spi_i=... spi_r=... suite=aes256gcm16-prfsha256-x25519 ...
 *   CHILD_UP mode=tunnel esp=aes256gcm16 spi_in=c1a2b3c4 spi_out=... encap=yes
 * Exit: 0 when an IKE SA and its CHILD SA came up (and, with --delete, were
 * deleted cleanly; with --until-down, went down before --timeout), 1
 * otherwise. --print-keys prints the CHILD SA keys (test keys only).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ike/sa.h"
#include "lib/log.h"
#include "lib/util.h"
#include "overlay/demux.h"
#include "tests/interop/ike_peer_data.h"

static int fd500 = -1, fd4500 = -1, fd50 = -1;
static bool ike_is_up, child_is_up, went_down;
static char down_reason[160];
static double up_at, first_child_at = -1, child_at = -1;
static unsigned esp_rx, children_up, natt_ka_sent;
static bool print_keys;
static struct ike_peer_data *data;
/* NAT-T keepalives (RFC 3948 2.3): to the peer of the newest IKE SA when
 * it found a NAT in front of us. */
static bool ka_on;
static struct ipaddr ka_remote;
static uint16_t ka_port;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void to_sin(struct sockaddr_in *sin, const struct ipaddr *a, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	memcpy(&sin->sin_addr, a->b, 4);
}

static void p_send(void *ctx, const struct ipaddr *local, const struct ipaddr *remote,
                   uint16_t lport, uint16_t rport, const uint8_t *buf, size_t len)
{
	struct sockaddr_in sin;
	uint8_t out[9000];
	size_t off = 0;
	(void)ctx;
	(void)local;
	if (len + 4 > sizeof(out))
		return;
	if (lport == 4500 || rport == 4500) {
		memset(out, 0, 4); /* non-ESP marker */
		off = 4;
	}
	memcpy(out + off, buf, len);
	to_sin(&sin, remote, rport);
	int fd = lport == 4500 ? fd4500 : fd500;
	if (sendto(fd, out, off + len, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		fprintf(stderr, "sendto: %s\n", strerror(errno));
}

static void p_ike_up(void *ctx, struct ikesa *sa, const struct ike_sa_info *in)
{
	char suite[96];
	(void)ctx;
	(void)sa;
	ike_suite_format(&in->suite, suite, sizeof(suite));
	printf("IKE_UP spi_i=%016" PRIx64 " spi_r=%016" PRIx64
	       " suite=%s role=%s local_id=%s remote_id=%s ports=%u/%u nat_local=%s nat_remote=%s\n",
	       in->spi_i, in->spi_r, suite, in->initiator ? "initiator" : "responder", in->local_id,
	       in->remote_id, in->local_port, in->remote_port, in->nat_local ? "yes" : "no",
	       in->nat_remote ? "yes" : "no");
	fflush(stdout);
	ike_is_up = true;
	up_at = now_s();
	ka_on = in->nat_local && in->local_port == DEMUX_PORT_NATT;
	ka_remote = in->remote;
	ka_port = in->remote_port;
}

static void p_child_up(void *ctx, struct ikesa *sa, const struct ike_child_info *c)
{
	char suite[96], a[4][ADDR_STRLEN];
	(void)ctx;
	(void)sa;
	ike_suite_format(&c->suite, suite, sizeof(suite));
	printf("CHILD_UP mode=%s esp=%s spi_in=%08x spi_out=%08x encap=%s ts=%s-%s[%u]<->%s-%s[%u] "
	       "enc_keylen=%zu integ_keylen=%zu\n",
	       c->mode == IKE_MODE_TRANSPORT ? "transport" : "tunnel", suite, c->spi_in,
	       c->spi_out, c->encap ? "yes" : "no",
	       ipaddr_fmt(&c->ts_local_start, a[0], sizeof(a[0])),
	       ipaddr_fmt(&c->ts_local_end, a[1], sizeof(a[1])), c->ts_proto,
	       ipaddr_fmt(&c->ts_remote_start, a[2], sizeof(a[2])),
	       ipaddr_fmt(&c->ts_remote_end, a[3], sizeof(a[3])), c->ts_proto, c->enc_len,
	       c->integ_len);
	if (print_keys) {
		char h[4][2 * IKE_ENCR_KEY_MAX + 2 * IKE_INTEG_KEY_MAX + 1];
		hex_encode(c->enc_out, c->enc_len, h[0]);
		hex_encode(c->enc_in, c->enc_len, h[1]);
		hex_encode(c->integ_out, c->integ_len, h[2]);
		hex_encode(c->integ_in, c->integ_len, h[3]);
		printf("KEYS enc_out=%s enc_in=%s integ_out=%s integ_in=%s\n", h[0], h[1], h[2], h[3]);
	}
	fflush(stdout);
	child_is_up = true;
	child_at = now_s();
	if (first_child_at < 0)
		first_child_at = child_at;
	children_up++;
	if (data)
		ike_peer_data_child_up(data, c, child_at);
}

static void p_child_down(void *ctx, struct ikesa *sa, const struct ike_child_info *c,
                         const char *reason)
{
	(void)ctx;
	(void)sa;
	printf("CHILD_DOWN spi_in=%08x reason=%s\n", c->spi_in, reason);
	fflush(stdout);
	if (data)
		ike_peer_data_child_down(data, c, now_s());
}

static void p_ike_down(void *ctx, struct ikesa *sa, const struct ike_sa_info *in,
                       const char *reason)
{
	(void)ctx;
	(void)sa;
	printf("IKE_DOWN spi_i=%016" PRIx64 " since_up=%.3f reason=%s\n", in->spi_i,
	       up_at > 0 ? now_s() - up_at : -1.0, reason);
	fflush(stdout);
	went_down = true;
	snprintf(down_reason, sizeof(down_reason), "%s", reason);
}

static int udp_bind(const struct ipaddr *a, uint16_t port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	to_sin(&sin, a, port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		fprintf(stderr, "bind port %u: %s\n", port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void receive(struct ike_engine *e, int fd, uint16_t lport, const struct ipaddr *local)
{
	uint8_t buf[9000];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	if (n <= 0 || from.sin_family != AF_INET)
		return;
	struct ipaddr remote;
	ipaddr_from_bytes(&remote, &from.sin_addr, 4);
	struct demux_result r;
	if (demux_udp(&r, lport, buf, (size_t)n) < 0)
		return;
	if (r.cls == DEMUX_IKE)
		ike_input(e, local, &remote, lport, ntohs(from.sin_port), r.data, r.len, now_s());
	else if (r.cls == DEMUX_ESP) {
		esp_rx++;
		if (data)
			ike_peer_data_input(data, r.data, r.len, now_s());
	}
}

/* Raw IP protocol 50: the kernel hands us the IP header too. */
static void receive50(void)
{
	uint8_t buf[9000];
	ssize_t n = recv(fd50, buf, sizeof(buf), 0);
	if (n < 20 || (buf[0] >> 4) != 4)
		return;
	size_t ihl = (size_t)(buf[0] & 15) * 4;
	struct demux_result r;
	if ((size_t)n <= ihl || demux_ip50(&r, buf + ihl, (size_t)n - ihl) < 0)
		return;
	esp_rx++;
	if (data)
		ike_peer_data_input(data, r.data, r.len, now_s());
}

static void natt_keepalive(void)
{
	struct sockaddr_in sin;
	uint8_t ka = DEMUX_NATT_KEEPALIVE;
	to_sin(&sin, &ka_remote, ka_port);
	if (sendto(fd4500, &ka, 1, 0, (struct sockaddr *)&sin, sizeof(sin)) == 1)
		natt_ka_sent++;
}

static volatile sig_atomic_t stop;
static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: ike_peer -c CONFIG -p PROFILE -l LOCAL4 -r REMOTE4 [--initiate] "
	                "[--timeout S] [--hold S] [--delete] [--no-transport] [--print-keys] "
	                "[--until-down] [--rekey-after S [--rekeys N]] [--rekey-ike-after S] "
	                "[--frag-size N] "
	                "[--natt-keepalive S] [--serve] [--repeat N] "
	                "[--data PPS --data-for S [--data-size N] [--linger S]]\n");
}

struct opts {
	const char *cfgpath, *profname, *ls, *rs;
	bool initiate, do_delete, no_transport, debug, until_down, serve;
	double timeout, hold, rekey_after, rekey_ike_after, natt_ka;
	unsigned rekeys, frag_size, repeat;
	struct ike_peer_data_conf data;
};

static int parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"config", 1, 0, 'c'},         {"profile", 1, 0, 'p'},   {"local", 1, 0, 'l'},
	    {"remote", 1, 0, 'r'},         {"initiate", 0, 0, 'i'},  {"timeout", 1, 0, 't'},
	    {"hold", 1, 0, 'H'},           {"delete", 0, 0, 'd'},    {"no-transport", 0, 0, 'T'},
	    {"debug", 0, 0, 'D'},          {"print-keys", 0, 0, 'K'}, {"until-down", 0, 0, 'U'},
	    {"rekey-after", 1, 0, 'R'},    {"frag-size", 1, 0, 'F'}, {"rekeys", 1, 0, 'n'},
	    {"natt-keepalive", 1, 0, 'k'}, {"serve", 0, 0, 'S'},     {"repeat", 1, 0, 'N'},
	    {"data", 1, 0, 'P'},           {"data-for", 1, 0, 'f'},  {"data-size", 1, 0, 'z'},
	    {"linger", 1, 0, 'L'},         {"rekey-ike-after", 1, 0, 'I'}, {0, 0, 0, 0}};
	int c;
	memset(o, 0, sizeof(*o));
	o->timeout = 30;
	o->rekeys = 1;
	o->natt_ka = 20;
	o->data.size = 64;
	o->data.fd50 = -1;
	while ((c = getopt_long(argc, argv, "c:p:l:r:it:H:dTDKUR:F:", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->cfgpath = optarg; break;
		case 'p': o->profname = optarg; break;
		case 'l': o->ls = optarg; break;
		case 'r': o->rs = optarg; break;
		case 'i': o->initiate = true; break;
		case 't': o->timeout = atof(optarg); break;
		case 'H': o->hold = atof(optarg); break;
		case 'd': o->do_delete = true; break;
		case 'T': o->no_transport = true; break;
		case 'D': o->debug = true; break;
		case 'K': print_keys = true; break;
		case 'U': o->until_down = true; break;
		case 'R': o->rekey_after = atof(optarg); break;
		case 'F': o->frag_size = (unsigned)atoi(optarg); break;
		case 'n': o->rekeys = (unsigned)atoi(optarg); break;
		case 'k': o->natt_ka = atof(optarg); break;
		case 'S': o->serve = true; break;
		case 'N': o->repeat = (unsigned)atoi(optarg); break;
		case 'P': o->data.pps = atof(optarg); break;
		case 'f': o->data.duration = atof(optarg); break;
		case 'z': o->data.size = (size_t)atoi(optarg); break;
		case 'L': o->data.linger = atof(optarg); break;
		case 'I': o->rekey_ike_after = atof(optarg); break;
		default: return -1;
		}
	}
	if (!o->cfgpath || !o->profname || !o->ls || !o->rs || o->natt_ka <= 0 ||
	    (o->data.pps > 0 && (o->data.duration <= 0 || o->data.pps > 100000)) ||
	    (o->repeat && !o->initiate))
		return -1;
	return 0;
}

/* The live SA (after an IKE rekey the old one lingers until deleted). */
static struct ikesa *first_established(struct ike_engine *e)
{
	struct ikesa *sa = ike_engine_first(e);
	while (sa && (ike_sa_state(sa) != IKE_S_ESTABLISHED || !ike_sa_child(sa)))
		sa = ike_engine_next(e, sa);
	return sa;
}

/* --repeat: one setup after the other, each timed from ike_initiate to
 * child_up; the SA is deleted and gone before the next one starts. */
struct bench {
	unsigned done;
	double t0;     /* this run's ike_initiate */
	bool deleting; /* DELETE out, waiting for the SA to go */
};

static int bench_step(struct bench *b, struct ike_engine *e, const struct opts *o,
                      const struct cfg_profile *prof, const struct ipaddr *local,
                      const struct ipaddr *remote, double now)
{
	if (b->deleting) {
		if (ike_engine_sa_count(e) > 0)
			return 0;
		b->deleting = false;
		if (b->done == o->repeat)
			return 1;
		child_is_up = false;
		child_at = -1;
		b->t0 = now_s();
		if (!ike_initiate(e, prof, local, remote, b->t0))
			return -1;
		return 0;
	}
	if (child_at < 0)
		return 0;
	b->done++;
	printf("SETUP n=%u ms=%.3f\n", b->done, (child_at - b->t0) * 1000);
	fflush(stdout);
	struct ikesa *sa = ike_engine_first(e);
	if (sa)
		ike_sa_delete(sa, now, "ike_peer --repeat");
	b->deleting = true;
	child_at = -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct ipaddr local, remote;
	if (parse_opts(&o, argc, argv) < 0 || ipaddr_parse(&local, o.ls) < 0 ||
	    ipaddr_parse(&remote, o.rs) < 0 || local.len != 4) {
		usage();
		return 2;
	}
	log_init("ike_peer", LOG_DEST_STDERR, o.debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	int nerr = 0;
	struct config *cfg = config_load(o.cfgpath, stderr, &nerr);
	if (!cfg)
		return 2;
	const struct cfg_profile *prof = config_find_profile(cfg, o.profname);
	if (!prof) {
		fprintf(stderr, "no profile %s\n", o.profname);
		config_free(cfg);
		return 2;
	}
	fd500 = udp_bind(&local, 500);
	fd4500 = udp_bind(&local, 4500);
	if (fd500 < 0 || fd4500 < 0)
		return 2;
	if (o.data.pps > 0) {
		/* ESP without UDP encapsulation (strongSwan's kernel-libipsec always
		 * encapsulates, so this one may stay quiet) */
		fd50 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ESP);
		o.data.fd4500 = fd4500;
		o.data.fd50 = fd50;
		data = ike_peer_data_new(&o.data);
		if (!data)
			return 2;
	}
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);

	struct ike_ops ops = {.send = p_send,
	                      .ike_up = p_ike_up,
	                      .child_up = p_child_up,
	                      .child_down = p_child_down,
	                      .ike_down = p_ike_down};
	struct ike_engine_conf ec = {.profile = prof,
	                             .retrans_timeout = 1.0,
	                             .retrans_base = 1.8,
	                             .retrans_tries = 4,
	                             .no_transport_mode = o.no_transport,
	                             .frag_size = o.frag_size};
	struct ike_engine *e = ike_engine_new(&ops, NULL, &ec);
	double t0 = now_s(), next_ka = INFINITY, next_rekey = -1;
	struct bench b = {.t0 = t0};
	unsigned rekeyed = 0;
	double next_ike_rekey = -1;
	bool ike_rekeyed = false;
	int bench_rc = 0;
	if (o.initiate && !ike_initiate(e, prof, &local, &remote, t0)) {
		fprintf(stderr, "cannot initiate\n");
		return 1;
	}
	bool deleted = false;
	while (!stop) {
		double now = now_s();
		if (!child_is_up && now - t0 > o.timeout) {
			fprintf(stderr, "timeout: no CHILD SA after %.0f s (%s)\n", o.timeout,
			        ike_engine_last_reason(e));
			break;
		}
		if ((o.serve || o.repeat) && now - t0 > o.timeout) {
			if (o.repeat)
				fprintf(stderr, "timeout: %u of %u setups\n", b.done, o.repeat);
			break;
		}
		if (o.repeat) {
			bench_rc = bench_step(&b, e, &o, prof, &local, &remote, now);
			if (bench_rc)
				break;
		}
		/* an IKE SA that went down (and was not replaced by a rekey) */
		bool gone = went_down && ike_engine_sa_count(e) == 0;
		bool data_done = !data || ike_peer_data_done(data, now, 1.0);
		if (o.until_down && gone)
			break;
		if (o.rekey_after > 0 && first_child_at >= 0 && rekeyed < o.rekeys) {
			if (next_rekey < 0)
				next_rekey = first_child_at + o.rekey_after;
			if (now >= next_rekey) {
				struct ikesa *sa = first_established(e);
				if (sa && ike_sa_rekey_child(sa, now) == 0) {
					rekeyed++;
					next_rekey += o.rekey_after;
				} else {
					/* another exchange outstanding: try again shortly */
					next_rekey = now + 0.1;
				}
			}
		}
		if (o.rekey_ike_after > 0 && first_child_at >= 0 && !ike_rekeyed) {
			if (next_ike_rekey < 0)
				next_ike_rekey = first_child_at + o.rekey_ike_after;
			if (now >= next_ike_rekey) {
				struct ikesa *sa = first_established(e);
				if (sa && ike_sa_rekey_ike(sa, now) == 0) {
					ike_rekeyed = true;
					printf("REKEY_IKE at=%.3f\n", now - first_child_at);
					fflush(stdout);
				} else {
					next_ike_rekey = now + 0.1; /* an exchange outstanding */
				}
			}
		}
		if (!o.serve && !o.repeat && child_is_up && now - up_at >= o.hold && !o.until_down &&
		    data_done) {
			if (!o.do_delete || gone)
				break;
			if (!deleted) {
				struct ikesa *sa = ike_engine_first(e);
				if (sa)
					ike_sa_delete(sa, now, "ike_peer --delete");
				deleted = true;
			}
		}
		if (gone && !o.do_delete && !o.until_down && !o.serve && !o.repeat)
			break;
		if (o.until_down && ike_is_up && now - up_at > o.timeout) {
			fprintf(stderr, "timeout: still up after %.0f s\n", o.timeout);
			break;
		}
		if (ka_on && !isfinite(next_ka))
			next_ka = now + o.natt_ka;
		if (ka_on && now >= next_ka) {
			natt_keepalive();
			next_ka += o.natt_ka;
		}
		if (data)
			ike_peer_data_tick(data, now);
		double d = fmin(ike_next_deadline(e), next_ka);
		if (data)
			d = fmin(d, ike_peer_data_next(data));
		if (o.rekey_after > 0 && next_rekey > 0 && rekeyed < o.rekeys)
			d = fmin(d, next_rekey);
		if (next_ike_rekey > 0 && !ike_rekeyed)
			d = fmin(d, next_ike_rekey);
		int ms = o.repeat ? 5 : 200;
		if (isfinite(d))
			ms = d <= now ? 0 : (int)fmin(ms, (d - now) * 1000 + 1);
		struct pollfd p[3] = {{fd500, POLLIN, 0}, {fd4500, POLLIN, 0}, {fd50, POLLIN, 0}};
		int n = poll(p, fd50 >= 0 ? 3 : 2, ms);
		if (n > 0) {
			if (p[0].revents & POLLIN)
				receive(e, fd500, 500, &local);
			/* drain 4500 (ESP) so a steady stream cannot fill the socket */
			for (int k = 0; k < 64 && (p[1].revents & POLLIN); k++) {
				receive(e, fd4500, 4500, &local);
				struct pollfd q = {fd4500, POLLIN, 0};
				if (poll(&q, 1, 0) <= 0)
					break;
			}
			if (fd50 >= 0 && (p[2].revents & POLLIN))
				receive50();
		}
		ike_tick(e, now_s());
	}
	printf("SUMMARY ike_up=%d child_up=%d children=%u down=%d reason=%s esp_rx=%u natt_ka=%u "
	       "elapsed=%.3f\n",
	       ike_is_up, child_is_up, children_up, went_down, down_reason, esp_rx, natt_ka_sent,
	       up_at > 0 ? up_at - t0 : -1.0);
	int rc = child_is_up && (!(o.do_delete || o.until_down) || ike_engine_sa_count(e) == 0) ? 0 : 1;
	if (o.serve)
		rc = children_up > 0 ? 0 : 1;
	if (o.repeat)
		rc = bench_rc == 1 ? 0 : 1;
	if (data && ike_peer_data_report(data, stdout) > 0)
		rc = 1;
	ike_engine_free(e);
	ike_peer_data_free(data);
	config_free(cfg);
	close(fd500);
	close(fd4500);
	if (fd50 >= 0)
		close(fd50);
	return rc;
}
