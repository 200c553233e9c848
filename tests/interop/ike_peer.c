/* ike_peer: runs our IKEv2 engine (ike/sa.h) over real UDP sockets on ports
 * 500 and 4500 (RFC 3948 framing from overlay/demux.h), for interop tests
 * against strongSwan (tests/interop/strongswan/).
 *
 *   ike_peer -c CONFIG -p PROFILE -l LOCAL -r REMOTE [--initiate]
 *            [--timeout S] [--hold S] [--delete] [--no-transport]
 *            [--print-keys] [--until-down] [--rekey-after S] [--frag-size N]
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

static int fd500 = -1, fd4500 = -1;
static bool ike_is_up, child_is_up, went_down;
static char down_reason[160];
static double up_at;
static unsigned esp_rx;
static bool print_keys;

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
	       " suite=%s role=%s local_id=%s remote_id=%s ports=%u/%u\n",
	       in->spi_i, in->spi_r, suite, in->initiator ? "initiator" : "responder", in->local_id,
	       in->remote_id, in->local_port, in->remote_port);
	fflush(stdout);
	ike_is_up = true;
	up_at = now_s();
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
}

static void p_child_down(void *ctx, struct ikesa *sa, const struct ike_child_info *c,
                         const char *reason)
{
	(void)ctx;
	(void)sa;
	printf("CHILD_DOWN spi_in=%08x reason=%s\n", c->spi_in, reason);
	fflush(stdout);
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
	else if (r.cls == DEMUX_ESP)
		esp_rx++;
}

static volatile sig_atomic_t stop;
static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *cfgpath = NULL, *profname = NULL, *ls = NULL, *rs = NULL;
	bool initiate = false, do_delete = false, no_transport = false, debug = false;
	bool until_down = false;
	double timeout = 30, hold = 0, rekey_after = 0;
	bool rekeyed = false;
	unsigned frag_size = 0;
	static const struct option lo[] = {
	    {"config", 1, 0, 'c'},      {"profile", 1, 0, 'p'}, {"local", 1, 0, 'l'},
	    {"remote", 1, 0, 'r'},      {"initiate", 0, 0, 'i'}, {"timeout", 1, 0, 't'},
	    {"hold", 1, 0, 'H'},        {"delete", 0, 0, 'd'},  {"no-transport", 0, 0, 'T'},
	    {"debug", 0, 0, 'D'},       {"print-keys", 0, 0, 'K'}, {"until-down", 0, 0, 'U'},
	    {"rekey-after", 1, 0, 'R'}, {"frag-size", 1, 0, 'F'},
	    {0, 0, 0, 0}};
	int o;
	while ((o = getopt_long(argc, argv, "c:p:l:r:it:H:dTDKUR:F:", lo, NULL)) != -1) {
		switch (o) {
		case 'c': cfgpath = optarg; break;
		case 'p': profname = optarg; break;
		case 'l': ls = optarg; break;
		case 'r': rs = optarg; break;
		case 'i': initiate = true; break;
		case 't': timeout = atof(optarg); break;
		case 'H': hold = atof(optarg); break;
		case 'd': do_delete = true; break;
		case 'T': no_transport = true; break;
		case 'D': debug = true; break;
		case 'K': print_keys = true; break;
		case 'U': until_down = true; break;
		case 'R': rekey_after = atof(optarg); break;
		case 'F': frag_size = (unsigned)atoi(optarg); break;
		default: return 2;
		}
	}
	struct ipaddr local, remote;
	if (!cfgpath || !profname || !ls || !rs || ipaddr_parse(&local, ls) < 0 ||
	    ipaddr_parse(&remote, rs) < 0 || local.len != 4) {
		fprintf(stderr, "usage: ike_peer -c CONFIG -p PROFILE -l LOCAL4 -r REMOTE4 "
		                "[--initiate] [--timeout S] [--hold S] [--delete] [--no-transport]\n");
		return 2;
	}
	log_init("ike_peer", LOG_DEST_STDERR, debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	int nerr = 0;
	struct config *cfg = config_load(cfgpath, stderr, &nerr);
	if (!cfg)
		return 2;
	const struct cfg_profile *prof = config_find_profile(cfg, profname);
	if (!prof) {
		fprintf(stderr, "no profile %s\n", profname);
		config_free(cfg);
		return 2;
	}
	fd500 = udp_bind(&local, 500);
	fd4500 = udp_bind(&local, 4500);
	if (fd500 < 0 || fd4500 < 0)
		return 2;
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
	                             .no_transport_mode = no_transport,
	                             .frag_size = frag_size};
	struct ike_engine *e = ike_engine_new(&ops, NULL, &ec);
	double t0 = now_s();
	if (initiate && !ike_initiate(e, prof, &local, &remote, t0)) {
		fprintf(stderr, "cannot initiate\n");
		return 1;
	}
	bool deleted = false;
	while (!stop) {
		double now = now_s();
		if (!child_is_up && now - t0 > timeout) {
			fprintf(stderr, "timeout: no CHILD SA after %.0f s (%s)\n", timeout,
			        ike_engine_last_reason(e));
			break;
		}
		/* an IKE SA that went down (and was not replaced by a rekey) */
		bool gone = went_down && ike_engine_sa_count(e) == 0;
		if (until_down && gone)
			break;
		if (rekey_after > 0 && child_is_up && !rekeyed && now - up_at >= rekey_after) {
			struct ikesa *sa = ike_engine_first(e);
			rekeyed = true;
			if (!sa || ike_sa_rekey_child(sa, now) < 0)
				fprintf(stderr, "cannot rekey the CHILD SA now\n");
		}
		if (child_is_up && now - up_at >= hold && !until_down) {
			if (!do_delete || gone)
				break;
			if (!deleted) {
				struct ikesa *sa = ike_engine_first(e);
				if (sa)
					ike_sa_delete(sa, now, "ike_peer --delete");
				deleted = true;
			}
		}
		if (gone && !do_delete && !until_down)
			break;
		if (until_down && ike_is_up && now - up_at > timeout) {
			fprintf(stderr, "timeout: still up after %.0f s\n", timeout);
			break;
		}
		double d = ike_next_deadline(e);
		int ms = 200;
		if (isfinite(d))
			ms = d <= now ? 0 : (int)fmin(200, (d - now) * 1000 + 1);
		struct pollfd p[2] = {{fd500, POLLIN, 0}, {fd4500, POLLIN, 0}};
		int n = poll(p, 2, ms);
		if (n > 0) {
			if (p[0].revents & POLLIN)
				receive(e, fd500, 500, &local);
			if (p[1].revents & POLLIN)
				receive(e, fd4500, 4500, &local);
		}
		ike_tick(e, now_s());
	}
	printf("SUMMARY ike_up=%d child_up=%d down=%d reason=%s esp_rx=%u elapsed=%.3f\n", ike_is_up,
	       child_is_up, went_down, down_reason, esp_rx, up_at > 0 ? up_at - t0 : -1.0);
	int rc = child_is_up && (!(do_delete || until_down) || ike_engine_sa_count(e) == 0) ? 0 : 1;
	ike_engine_free(e);
	config_free(cfg);
	close(fd500);
	close(fd4500);
	return rc;
}
