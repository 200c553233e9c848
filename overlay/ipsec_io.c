/* Tunnel protection I/O (overlay/ipsec.h): per local NBMA address, UDP 500
 * and 4500 and a raw IPPROTO_ESP socket; the receive paths (RFC 3948
 * demultiplexing, ESP to the SAD and the GRE input) and the transmit of IKE
 * messages, ESP and NAT-T keepalives. Nothing is allocated per packet. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "overlay/demux.h"
#include "overlay/iface.h"
#include "overlay/ip.h"
#include "overlay/ipsec_int.h"

static socklen_t sa_fill(struct sockaddr_in6 *sa, const struct ipaddr *a, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)sa;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->b, 4);
		return sizeof(*sin);
	}
	sa->sin6_family = AF_INET6;
	sa->sin6_port = htons(port);
	memcpy(&sa->sin6_addr, a->b, 16);
	return sizeof(*sa);
}

static int sa_parse(const struct sockaddr_in6 *sa, struct ipaddr *a, uint16_t *port)
{
	if (sa->sin6_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		*port = ntohs(sin->sin_port);
		return ipaddr_from_bytes(a, &sin->sin_addr, 4);
	}
	*port = ntohs(sa->sin6_port);
	return ipaddr_from_bytes(a, &sa->sin6_addr, 16);
}

static int open_sock(const struct ipaddr *local, int type, int proto, uint16_t port)
{
	struct sockaddr_in6 sa;
	socklen_t sl = sa_fill(&sa, local, port);
	int fd = socket(local->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	int one = 1, val, bufsz = 4 << 20;
	char b[ADDR_STRLEN];

	if (fd < 0) {
		log_err("ipsec: socket: %s", strerror(errno));
		return -1;
	}
	if (type == SOCK_DGRAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (local->family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		val = IPV6_PMTUDISC_DONT;
		setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &val, sizeof(val));
	} else {
		val = IP_PMTUDISC_DONT; /* the underlay fragments rather than drops */
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &val, sizeof(val));
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	if (bind(fd, (struct sockaddr *)&sa, sl) < 0) {
		log_err("ipsec: bind %s port %u (protocol %d): %s", ipaddr_fmt(local, b, sizeof(b)),
		        port, proto, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- receive ---- */

/* ESP (from the SPI on) from src; buf is ours to decrypt in place. */
static void esp_input(struct ipsec *ips, uint8_t *esp, size_t len, double now)
{
	struct esp_frame f;
	struct esp_sa *sa;
	struct ipsec_child *ch;
	uint8_t *gre;
	size_t glen;
	enum esp_err err;

	if (esp_frame_parse(&f, esp, len) != 0) {
		ips->ctr[IPSEC_CTR_drop_demux]++;
		return;
	}
	sa = sad_lookup_in(ips->sad, f.spi);
	if (!sa) {
		ips->ctr[IPSEC_CTR_drop_no_sa_in]++;
		return;
	}
	err = esp_decap(sa, esp, len, &gre, &glen, now);
	if (err != ESP_OK) {
		if ((unsigned)err < ESP_E_MAX_)
			ips->ctr[IPSEC_CTR_MAX + err]++;
		return;
	}
	ch = ipsec_child_find(ips, esp_sa_child_id(sa));
	if (!ch || !ch->oif) {
		ips->ctr[IPSEC_CTR_drop_no_iface]++;
		return;
	}
	ips->ctr[IPSEC_CTR_esp_rx]++;
	ipsec_expiry_check(ips, ch, sa, now);
	if (now - ch->noted_rx >= IPSEC_NOTE_S) {
		ch->noted_rx = now;
		ike_sa_note_traffic(ch->sa, false, true, now);
	}
	ips->rx_child = ch;
	ovl_fwd_gre_input(ch->oif, esp_sa_remote(sa), gre, glen, now);
	if (ips->rx_child) /* the child may have gone meanwhile */
		ovl_if_timer_update(ips->rx_child->oif);
	ips->rx_child = NULL;
}

static void on_esp(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ipsec_sock *s = w->data;
	struct ipsec *ips = s->ips;
	uint8_t *buf = ips->rxbuf + IPSEC_RX_HEADROOM;
	size_t cap = IPSEC_BUF - IPSEC_RX_HEADROOM;
	double now = mono_now();

	(void)loop;
	(void)revents;
	for (int i = 0; i < IPSEC_RX_BURST; i++) {
		struct sockaddr_in6 sa;
		socklen_t sl = sizeof(sa);
		struct demux_result r;
		ssize_t n = recvfrom(s->fdesp, buf, cap, MSG_DONTWAIT, (struct sockaddr *)&sa, &sl);
		uint8_t *p = buf;
		size_t len;

		if (n < 0)
			break;
		len = (size_t)n;
		if (s->local.family == AF_INET) { /* raw IPv4: the IP header comes along */
			struct ip_info ii;
			if (ipv4_parse(&ii, buf, len) != 0 || ii.is_fragment) {
				ips->ctr[IPSEC_CTR_drop_outer_parse]++;
				continue;
			}
			p = buf + ii.hdr_len;
			len = ii.payload_len;
		}
		if (demux_ip50(&r, p, len) != 0) {
			ips->ctr[IPSEC_CTR_drop_demux]++;
			continue;
		}
		esp_input(ips, p + (r.data - p), r.len, now);
	}
	ipsec_timer_update(ips);
}

static void udp_rx(struct ipsec_sock *s, int fd, uint16_t lport)
{
	struct ipsec *ips = s->ips;
	uint8_t *buf = ips->rxbuf + IPSEC_RX_HEADROOM;
	size_t cap = IPSEC_BUF - IPSEC_RX_HEADROOM;
	double now = mono_now();

	for (int i = 0; i < IPSEC_RX_BURST; i++) {
		struct sockaddr_in6 sa;
		socklen_t sl = sizeof(sa);
		struct demux_result r;
		struct ipaddr src;
		uint16_t sport;
		ssize_t n = recvfrom(fd, buf, cap, MSG_DONTWAIT, (struct sockaddr *)&sa, &sl);

		if (n < 0)
			break;
		if (sa_parse(&sa, &src, &sport) != 0) {
			ips->ctr[IPSEC_CTR_drop_outer_parse]++;
			continue;
		}
		if (demux_udp(&r, lport, buf, (size_t)n) != 0) {
			ips->ctr[IPSEC_CTR_drop_demux]++;
			continue;
		}
		switch (r.cls) {
		case DEMUX_NATT_KA:
			ips->ctr[IPSEC_CTR_natt_ka_rx]++;
			break;
		case DEMUX_IKE:
			ips->ctr[IPSEC_CTR_ike_rx]++;
			ike_input(ips->eng, &s->local, &src, lport, sport, r.data, r.len, now);
			break;
		case DEMUX_ESP:
			ips->ctr[IPSEC_CTR_esp_udp_rx]++;
			esp_input(ips, buf + (r.data - buf), r.len, now);
			break;
		case DEMUX_NONE:
		default:
			ips->ctr[IPSEC_CTR_drop_demux]++;
			break;
		}
	}
	ipsec_timer_update(ips);
}

static void on_500(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ipsec_sock *s = w->data;

	(void)loop;
	(void)revents;
	udp_rx(s, s->fd500, DEMUX_PORT_IKE);
}

static void on_4500(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ipsec_sock *s = w->data;

	(void)loop;
	(void)revents;
	udp_rx(s, s->fd4500, DEMUX_PORT_NATT);
}

/* ---- sockets ---- */

static struct ipsec_sock *sock_find(struct ipsec *ips, const struct ipaddr *local)
{
	for (unsigned i = 0; i < ips->n_socks; i++)
		if (ipaddr_eq(&ips->socks[i].local, local))
			return &ips->socks[i];
	return NULL;
}

struct ipsec_sock *ipsec_sock_get(struct ipsec *ips, const struct ipaddr *local)
{
	struct ipsec_sock *s = sock_find(ips, local);

	if (s)
		return s;
	if (ips->n_socks == IPSEC_SOCKS_MAX) {
		log_err("ipsec: more than %d local addresses", IPSEC_SOCKS_MAX);
		return NULL;
	}
	s = &ips->socks[ips->n_socks];
	memset(s, 0, sizeof(*s));
	s->ips = ips;
	s->local = *local;
	s->fd500 = open_sock(local, SOCK_DGRAM, IPPROTO_UDP, DEMUX_PORT_IKE);
	s->fd4500 = open_sock(local, SOCK_DGRAM, IPPROTO_UDP, DEMUX_PORT_NATT);
	s->fdesp = open_sock(local, SOCK_RAW, IPPROTO_ESP, 0);
	if (s->fd500 < 0 || s->fd4500 < 0 || s->fdesp < 0) {
		if (s->fd500 >= 0)
			close(s->fd500);
		if (s->fd4500 >= 0)
			close(s->fd4500);
		if (s->fdesp >= 0)
			close(s->fdesp);
		return NULL;
	}
	ev_io_init(&s->w500, on_500, s->fd500, EV_READ);
	ev_io_init(&s->w4500, on_4500, s->fd4500, EV_READ);
	ev_io_init(&s->wesp, on_esp, s->fdesp, EV_READ);
	s->w500.data = s->w4500.data = s->wesp.data = s;
	/* When raw ESP and IKE are both readable in one loop iteration, ESP
	 * goes first: a peer's last packets (its deregistration and purges at
	 * shutdown) are sent before its IKE DELETE and must be decrypted
	 * before that DELETE removes their SA. */
	ev_set_priority(&s->wesp, 1);
	ev_io_start(ips->loop, &s->w500);
	ev_io_start(ips->loop, &s->w4500);
	ev_io_start(ips->loop, &s->wesp);
	ips->n_socks++;
	return s;
}

void ipsec_sock_close_all(struct ipsec *ips)
{
	for (unsigned i = 0; i < ips->n_socks; i++) {
		struct ipsec_sock *s = &ips->socks[i];
		ev_io_stop(ips->loop, &s->w500);
		ev_io_stop(ips->loop, &s->w4500);
		ev_io_stop(ips->loop, &s->wesp);
		close(s->fd500);
		close(s->fd4500);
		close(s->fdesp);
	}
	ips->n_socks = 0;
}

/* ---- transmit ---- */

void ipsec_io_ike_send(void *ctx, const struct ipaddr *local, const struct ipaddr *remote,
                       uint16_t lport, uint16_t rport, const uint8_t *buf, size_t len)
{
	struct ipsec *ips = ctx;
	struct ipsec_sock *s = sock_find(ips, local);
	struct sockaddr_in6 sa;
	socklen_t sl;
	size_t off = 0;
	int fd;

	if (!s) {
		ips->ctr[IPSEC_CTR_drop_ike_no_socket]++;
		return;
	}
	if (len + DEMUX_NONESP_MARKER > IPSEC_BUF) {
		ips->ctr[IPSEC_CTR_drop_too_big]++;
		return;
	}
	if (lport == DEMUX_PORT_NATT || rport == DEMUX_PORT_NATT) {
		memset(ips->ikebuf, 0, DEMUX_NONESP_MARKER);
		off = DEMUX_NONESP_MARKER;
		fd = s->fd4500;
	} else {
		fd = s->fd500;
	}
	memcpy(ips->ikebuf + off, buf, len);
	sl = sa_fill(&sa, remote, rport);
	if (sendto(fd, ips->ikebuf, off + len, MSG_DONTWAIT, (struct sockaddr *)&sa, sl) < 0) {
		ips->ctr[IPSEC_CTR_drop_send_error]++;
		log_rl(LOG_LVL_WARNING, "ipsec: IKE send: %s", strerror(errno));
		return;
	}
	ips->ctr[IPSEC_CTR_ike_tx]++;
}

int ipsec_esp_send(struct ipsec *ips, struct esp_sa *sa, uint8_t *gre, size_t len, double now)
{
	struct ipsec_child *ch = ipsec_child_find(ips, esp_sa_child_id(sa));
	struct sockaddr_in6 so;
	socklen_t sl;
	uint8_t *out;
	size_t olen;
	enum esp_err err;
	int fd;

	if (!ch || !ch->sock) {
		ips->ctr[IPSEC_CTR_drop_no_socket]++;
		return -1;
	}
	err = esp_encap(sa, gre, len, &out, &olen, now);
	if (err != ESP_OK) {
		if ((unsigned)err < ESP_E_MAX_)
			ips->ctr[IPSEC_CTR_MAX + err]++;
		return -1;
	}
	if (ch->encap) {
		fd = ch->sock->fd4500;
		sl = sa_fill(&so, &ch->remote, ch->rport);
	} else {
		fd = ch->sock->fdesp;
		sl = sa_fill(&so, &ch->remote, 0);
	}
	if (sendto(fd, out, olen, MSG_DONTWAIT, (struct sockaddr *)&so, sl) < 0) {
		ips->ctr[IPSEC_CTR_drop_send_error]++;
		log_rl(LOG_LVL_WARNING, "ipsec: ESP send: %s", strerror(errno));
		return -1;
	}
	ips->ctr[ch->encap ? IPSEC_CTR_esp_udp_tx : IPSEC_CTR_esp_tx]++;
	ipsec_expiry_check(ips, ch, sa, now);
	if (now - ch->noted_tx >= IPSEC_NOTE_S) {
		ch->noted_tx = now;
		ike_sa_note_traffic(ch->sa, true, false, now);
	}
	return 0;
}

void ipsec_natt_keepalives(struct ipsec *ips, double now)
{
	static const uint8_t ka = DEMUX_NATT_KEEPALIVE;

	(void)now;
	for (struct ikesa *sa = ike_engine_first(ips->eng); sa; sa = ike_engine_next(ips->eng, sa)) {
		struct ike_sa_info in;
		struct ipsec_sock *s;
		struct sockaddr_in6 so;
		socklen_t sl;

		if (ike_sa_state(sa) != IKE_S_ESTABLISHED)
			continue;
		ike_sa_get_info(sa, &in);
		if (!in.nat_local || !(s = sock_find(ips, &in.local)))
			continue;
		sl = sa_fill(&so, &in.remote, in.remote_port);
		if (sendto(s->fd4500, &ka, 1, MSG_DONTWAIT, (struct sockaddr *)&so, sl) == 1)
			ips->ctr[IPSEC_CTR_natt_ka_tx]++;
		else
			ips->ctr[IPSEC_CTR_drop_send_error]++;
	}
}
