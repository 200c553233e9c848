/* ike_peer's data mode (ike_peer_data.h): GRE through our userspace ESP. */
#include "tests/interop/ike_peer_data.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/sa.h"
#include "overlay/esp.h"

#define DATA_MAGIC     "ikpeer"
#define DATA_MAGIC_LEN 6
#define GRE_FLAG_SEQ   0x1000
#define GRE_HDR_LEN    8 /* flags/version, protocol, sequence number */
#define DATA_CHILD_MAX 64
#define DATA_PKT_MAX   1500

struct data_child {
	uint32_t id, spi_in, spi_out;
	double up_at, down_at; /* down_at < 0: live */
	bool freed;            /* SAs removed from the SAD */
	uint64_t rx, tx;       /* GRE packets decrypted / encrypted */
	uint64_t rx_after_down;
};

struct ike_peer_data {
	struct ike_peer_data_conf conf;
	struct sad *sad;
	struct ipaddr remote;
	bool remote_set, encap;
	uint16_t rport;
	double start, next_send; /* start < 0: no CHILD SA yet */
	uint32_t sent;           /* sequence numbers 1..sent went out */
	uint32_t cap;            /* size of seen[] */
	uint8_t *seen;           /* seen[seq]: times received */
	uint64_t rx, dup, bad, unknown_spi, send_err;
	uint64_t esp_err[ESP_E_MAX_];
	struct data_child ch[DATA_CHILD_MAX];
	unsigned nch;
	struct data_child *cur; /* the one we send on */
};

struct ike_peer_data *ike_peer_data_new(const struct ike_peer_data_conf *conf)
{
	struct ike_peer_data *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->conf = *conf;
	if (d->conf.size < DATA_MAGIC_LEN + 4)
		d->conf.size = DATA_MAGIC_LEN + 4;
	if (d->conf.size > DATA_PKT_MAX - GRE_HDR_LEN)
		d->conf.size = DATA_PKT_MAX - GRE_HDR_LEN;
	d->cap = (uint32_t)(conf->pps * conf->duration) + 16;
	d->seen = calloc(d->cap, 1);
	d->sad = sad_new();
	d->start = -1;
	if (!d->seen || !d->sad) {
		ike_peer_data_free(d);
		return NULL;
	}
	return d;
}

void ike_peer_data_free(struct ike_peer_data *d)
{
	if (!d)
		return;
	sad_free(d->sad);
	free(d->seen);
	free(d);
}

static struct data_child *child_find(struct ike_peer_data *d, uint32_t id)
{
	for (unsigned i = 0; i < d->nch; i++)
		if (d->ch[i].id == id)
			return &d->ch[i];
	return NULL;
}

void ike_peer_data_child_up(struct ike_peer_data *d, const struct ike_child_info *c, double now)
{
	if (d->nch == DATA_CHILD_MAX) {
		fprintf(stderr, "data: too many CHILD SAs\n");
		return;
	}
	if (sad_add_child(d->sad, c, now) < 0) {
		fprintf(stderr, "data: cannot install CHILD SA %08x/%08x\n", c->spi_in, c->spi_out);
		return;
	}
	struct data_child *ch = &d->ch[d->nch++];
	memset(ch, 0, sizeof(*ch));
	ch->id = c->id;
	ch->spi_in = c->spi_in;
	ch->spi_out = c->spi_out;
	ch->up_at = now;
	ch->down_at = -1;
	d->cur = ch;
	d->remote = c->remote;
	d->remote_set = true;
	d->encap = c->encap;
	d->rport = c->remote_port;
	if (d->start < 0) {
		d->start = now;
		d->next_send = now;
	}
}

void ike_peer_data_child_down(struct ike_peer_data *d, const struct ike_child_info *c,
                              double now)
{
	struct data_child *ch = child_find(d, c->id);
	if (!ch || ch->down_at >= 0)
		return;
	ch->down_at = now;
	if (d->cur == ch)
		d->cur = NULL; /* no newer SA: stop sending until one comes */
	if (d->conf.linger <= 0) {
		sad_del_child(d->sad, ch->id);
		ch->freed = true;
	}
}

void ike_peer_data_input(struct ike_peer_data *d, const uint8_t *esp, size_t len, double now)
{
	uint8_t buf[DATA_PKT_MAX + ESP_HEADROOM + ESP_TAILROOM + 64];
	struct esp_frame f;
	uint8_t *gre;
	size_t gre_len;

	if (len > sizeof(buf) || esp_frame_parse(&f, esp, len) < 0) {
		d->bad++;
		return;
	}
	struct esp_sa *sa = sad_lookup_in(d->sad, f.spi);
	if (!sa) {
		d->unknown_spi++;
		return;
	}
	memcpy(buf, esp, len);
	enum esp_err err = esp_decap(sa, buf, len, &gre, &gre_len, now);
	if (err != ESP_OK) {
		d->esp_err[err]++;
		return;
	}
	struct data_child *ch = child_find(d, esp_sa_child_id(sa));
	if (ch) {
		ch->rx++;
		if (ch->down_at >= 0)
			ch->rx_after_down++;
	}
	/* GRE with the sequence bit, protocol 0x0800, then our payload */
	if (gre_len < GRE_HDR_LEN + DATA_MAGIC_LEN + 4 || ((gre[0] << 8 | gre[1]) & GRE_FLAG_SEQ) == 0 ||
	    memcmp(gre + GRE_HDR_LEN, DATA_MAGIC, DATA_MAGIC_LEN) != 0) {
		d->bad++;
		return;
	}
	uint32_t seq;
	memcpy(&seq, gre + 4, 4);
	seq = ntohl(seq);
	if (seq == 0 || seq > d->sent || seq >= d->cap) {
		d->bad++;
		return;
	}
	if (d->seen[seq]++)
		d->dup++;
	else
		d->rx++;
}

static void send_one(struct ike_peer_data *d, double now)
{
	uint8_t buf[DATA_PKT_MAX + ESP_HEADROOM + ESP_TAILROOM + 64];
	uint8_t *gre = buf + ESP_HEADROOM, *out;
	size_t len = GRE_HDR_LEN + d->conf.size, out_len;
	uint32_t seq = d->sent + 1, nseq = htonl(seq);
	struct esp_sa *sa = sad_lookup_out(d->sad, &d->remote);

	if (!sa || seq >= d->cap)
		return;
	memset(gre, 0, len);
	gre[0] = GRE_FLAG_SEQ >> 8;
	gre[2] = 0x08; /* 0x0800 */
	memcpy(gre + 4, &nseq, 4);
	memcpy(gre + GRE_HDR_LEN, DATA_MAGIC, DATA_MAGIC_LEN);
	memcpy(gre + GRE_HDR_LEN + DATA_MAGIC_LEN, &nseq, 4);
	enum esp_err err = esp_encap(sa, gre, len, &out, &out_len, now);
	if (err != ESP_OK) {
		fprintf(stderr, "data: esp_encap: %s\n", esp_strerror(err));
		d->send_err++;
		return;
	}
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	memcpy(&sin.sin_addr, d->remote.b, 4);
	int fd = d->conf.fd50;
	if (d->encap) {
		fd = d->conf.fd4500;
		sin.sin_port = htons(d->rport);
	}
	if (fd < 0 || sendto(fd, out, out_len, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		d->send_err++;
		return;
	}
	d->sent = seq;
	struct data_child *ch = child_find(d, esp_sa_child_id(sa));
	if (ch)
		ch->tx++;
}

void ike_peer_data_tick(struct ike_peer_data *d, double now)
{
	for (unsigned i = 0; i < d->nch; i++) {
		struct data_child *ch = &d->ch[i];
		if (!ch->freed && ch->down_at >= 0 && now - ch->down_at >= d->conf.linger) {
			sad_del_child(d->sad, ch->id);
			ch->freed = true;
		}
	}
	if (d->start < 0 || !d->cur)
		return;
	/* a steady rate: catch up after a late tick, but never burst more than 50 */
	for (unsigned n = 0; now >= d->next_send && now - d->start < d->conf.duration && n < 50; n++) {
		send_one(d, now);
		d->next_send += 1.0 / d->conf.pps;
	}
	if (now - d->next_send > 0.5)
		d->next_send = now;
}

double ike_peer_data_next(const struct ike_peer_data *d)
{
	double t = INFINITY;
	if (d->start >= 0 && d->cur && d->next_send - d->start < d->conf.duration)
		t = d->next_send;
	for (unsigned i = 0; i < d->nch; i++)
		if (!d->ch[i].freed && d->ch[i].down_at >= 0)
			t = fmin(t, d->ch[i].down_at + d->conf.linger);
	return t;
}

bool ike_peer_data_done(const struct ike_peer_data *d, double now, double drain)
{
	return d->start >= 0 && now - d->start >= d->conf.duration + drain;
}

unsigned ike_peer_data_report(const struct ike_peer_data *d, FILE *out)
{
	unsigned lost = 0, first_lost = 0, last_lost = 0;
	for (uint32_t s = 1; s <= d->sent && s < d->cap; s++)
		if (!d->seen[s]) {
			if (!lost)
				first_lost = s;
			last_lost = s;
			lost++;
		}
	uint64_t esp_errors = 0;
	for (int i = 1; i < ESP_E_MAX_; i++)
		esp_errors += d->esp_err[i];
	fprintf(out,
	        "DATA sent=%u received=%llu lost=%u dup=%llu bad=%llu unknown_spi=%llu esp_errors=%llu "
	        "send_errors=%llu first_lost=%u last_lost=%u children=%u\n",
	        d->sent, (unsigned long long)d->rx, lost, (unsigned long long)d->dup,
	        (unsigned long long)d->bad, (unsigned long long)d->unknown_spi,
	        (unsigned long long)esp_errors, (unsigned long long)d->send_err, first_lost, last_lost,
	        d->nch);
	for (int i = 1; i < ESP_E_MAX_; i++)
		if (d->esp_err[i])
			fprintf(out, "DATA_ERR %s=%llu\n", esp_err_name((enum esp_err)i),
			        (unsigned long long)d->esp_err[i]);
	for (unsigned i = 0; i < d->nch; i++) {
		const struct data_child *ch = &d->ch[i];
		fprintf(out,
		        "DATA_SA spi_in=%08x spi_out=%08x tx=%llu rx=%llu rx_after_down=%llu up=%.3f "
		        "down=%.3f\n",
		        ch->spi_in, ch->spi_out, (unsigned long long)ch->tx, (unsigned long long)ch->rx,
		        (unsigned long long)ch->rx_after_down, ch->up_at - d->start,
		        ch->down_at >= 0 ? ch->down_at - d->start : -1.0);
	}
	fflush(out);
	return lost;
}
