/* Wireshark's eight IKEv2 decryption vectors, decrypted with ike/sk and
 * ike/crypto, ICV verified, and the AUTH payload compared with expected.tsv.
 *
 * Keys: wireshark-test/ikev2_decryption_table (Wireshark's UAT CSV: ispi,
 * rspi, SK_ei, SK_er, encryption name, SK_ai, SK_ar, integrity name). The
 * I flag of each message picks SK_ei/SK_ai or SK_er/SK_ar.
 *
 * ikev2-decrypt-aes128ccm12-2.pcap: its table row says "AES-CTR-128" with
 * "ANY 96-bits of Authentication [No Checking]", and Wireshark's test is
 * titled "AES-128-CCM-12 using CTR mode, without checksum". The capture is
 * ordinary AES-CCM-128 traffic with a 12-byte ICV; the row is the CCM key
 * rewritten as a CTR key: 16-byte AES key, then the 4-byte CTR nonce
 * 0x03 | 3-byte CCM salt. 0x03 is CCM's counter-block flags byte (L - 1 for
 * an 11-byte nonce), so CTR's block nonce | IV | counter (from 1) is exactly
 * CCM's A_1, A_2, ... and CTR decrypts CCM's payload; the ICV (CCM's
 * encrypted CBC-MAC) becomes an unchecked 96-bit trailer. This test does
 * both: Wireshark's CTR reading without a check, and the real CCM-128/12
 * reading (key = SK_e[0..16) | SK_e[17..20)) WITH the ICV verified, and
 * requires the two plaintexts to agree.
 *
 * Also: tcpdump/ikev2pI2.pcap (keys in ikev2pI2-secrets.txt) is synthetic:
 * its ICV must fail, while decryption without the check gives IDi + AUTH.
 *
 * Exit 0 when every vector passes, 1 on failure, 77 when the captures are
 * missing. */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/crypto.h"
#include "ike/sk.h"
#include "lib/cursor.h"
#include "lib/util.h"

#define MAX_ROWS 16
#define MAX_MSG  65536

struct keyrow {
	uint8_t ispi[8], rspi[8];
	uint8_t ke[2][IKE_ENCR_KEY_MAX], ka[2][IKE_INTEG_KEY_MAX]; /* [0] initiator */
	size_t kelen, kalen;
	char encr[64], integ[64];
	struct ike_suite suite;
	bool usable;
	unsigned nocheck_icv; /* "ANY n-bits of Authentication [No Checking]": n / 8 */
};

static struct keyrow rows[MAX_ROWS];
static size_t nrows;

/* ------------------------------------------------------------------ */
/* Wireshark names -> suites */

static bool ws_encr(const char *name, struct ike_suite *s)
{
	char mode[4];
	unsigned bits, icv;

	if (strcmp(name, "3DES [RFC2451]") == 0) {
		s->encr = IKE_ENCR_3DES;
		return true;
	}
	if (sscanf(name, "AES-%3[A-Z]-%u with %u octet ICV", mode, &bits, &icv) == 3) {
		unsigned base = strcmp(mode, "CCM") == 0   ? IKE_ENCR_AES_CCM_8
		                : strcmp(mode, "GCM") == 0 ? IKE_ENCR_AES_GCM_8
		                                           : 0;
		if (!base || (icv != 8 && icv != 12 && icv != 16))
			return false;
		s->encr = (uint16_t)(base + (icv - 8) / 4);
	} else if (sscanf(name, "AES-%3[A-Z]-%u", mode, &bits) == 2) {
		if (strcmp(mode, "CBC") == 0)
			s->encr = IKE_ENCR_AES_CBC;
		else if (strcmp(mode, "CTR") == 0)
			s->encr = IKE_ENCR_AES_CTR;
		else
			return false;
	} else {
		return false;
	}
	s->encr_bits = (uint16_t)bits;
	return true;
}

static bool ws_integ(const char *name, struct ike_suite *s, unsigned *nocheck)
{
	static const struct {
		const char *name;
		uint16_t id;
	} t[] = {
	    {"NONE [RFC4306]", IKE_INTEG_NONE},
	    {"HMAC_SHA1_96 [RFC2404]", IKE_INTEG_HMAC_SHA1_96},
	    {"HMAC_SHA1_160 [RFC4595]", IKE_INTEG_HMAC_SHA1_160},
	    {"HMAC_SHA2_256_128 [RFC4868]", IKE_INTEG_HMAC_SHA2_256_128},
	    {"HMAC_SHA2_384_192 [RFC4868]", IKE_INTEG_HMAC_SHA2_384_192},
	    {"HMAC_SHA2_512_256 [RFC4868]", IKE_INTEG_HMAC_SHA2_512_256},
	};
	unsigned bits;

	*nocheck = 0;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (strcmp(name, t[i].name) == 0) {
			s->integ = t[i].id;
			return true;
		}
	if (sscanf(name, "ANY %u-bits of Authentication", &bits) == 1 && bits % 8 == 0) {
		*nocheck = bits / 8;
		return true;
	}
	return false;
}

/* Splits one CSV line (fields optionally "quoted", no embedded quotes). */
static int csv_split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	while (n < max) {
		if (*p == '"') {
			f[n++] = ++p;
			p = strchr(p, '"');
			if (!p)
				return -1;
			*p++ = '\0';
		} else {
			f[n++] = p;
			p += strcspn(p, ",\r\n");
		}
		if (*p != ',') {
			*p = '\0';
			break;
		}
		*p++ = '\0';
	}
	return n;
}

static bool load_table(const char *path)
{
	char line[1024];
	FILE *fp = fopen(path, "r");

	if (!fp)
		return false;
	while (fgets(line, sizeof(line), fp) && nrows < MAX_ROWS) {
		char *f[8];
		if (line[0] == '#' || csv_split(line, f, 8) != 8)
			continue;
		struct keyrow *r = &rows[nrows++];
		memset(r, 0, sizeof(*r));
		snprintf(r->encr, sizeof(r->encr), "%s", f[4]);
		snprintf(r->integ, sizeof(r->integ), "%s", f[7]);
		long e0 = hex_decode(f[2], r->ke[0], sizeof(r->ke[0]));
		long e1 = hex_decode(f[3], r->ke[1], sizeof(r->ke[1]));
		long a0 = hex_decode(f[5], r->ka[0], sizeof(r->ka[0]));
		long a1 = hex_decode(f[6], r->ka[1], sizeof(r->ka[1]));
		if (hex_decode(f[0], r->ispi, 8) != 8 || hex_decode(f[1], r->rspi, 8) != 8 ||
		    e0 < 0 || e0 != e1 || a0 < 0 || a0 != a1)
			continue;
		r->kelen = (size_t)e0;
		r->kalen = (size_t)a0;
		r->usable = ws_encr(f[4], &r->suite) && ws_integ(f[7], &r->suite, &r->nocheck_icv);
	}
	fclose(fp);
	return nrows > 0;
}

static struct keyrow *find_row(const uint8_t *msg)
{
	for (size_t i = 0; i < nrows; i++)
		if (memcmp(rows[i].ispi, msg, 8) == 0 && memcmp(rows[i].rspi, msg + 8, 8) == 0)
			return &rows[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Capture walking: link layer -> IPv4/IPv6 -> UDP 500/4500 -> IKE */

/* Returns the IKE message inside one frame, or NULL. */
static const uint8_t *frame_ike(int dlt, const uint8_t *pkt, size_t caplen, size_t *len)
{
	struct cursor c;
	unsigned family = 0;

	cur_init(&c, pkt, caplen);
	if (dlt == DLT_EN10MB) {
		cur_skip(&c, 12);
		uint16_t et = cur_be16(&c);
		while (et == 0x8100 || et == 0x88a8) {
			cur_skip(&c, 2);
			et = cur_be16(&c);
		}
		family = et == 0x0800 ? 4 : et == 0x86dd ? 6 : 0;
	} else if (dlt == DLT_NULL) {
		uint8_t af[4];
		cur_copy(&c, af, 4);
		unsigned v = af[0] | af[1] << 8 | af[2] << 16 | (unsigned)af[3] << 24;
		if (af[0] == 0) /* other byte order */
			v = af[3] | af[2] << 8;
		family = v == 2 ? 4 : (v == 24 || v == 28 || v == 30) ? 6 : 0;
	} else if (dlt == DLT_RAW || dlt == 12 || dlt == 14) {
		uint8_t b;
		family = cur_peek(&c, &b, 1) ? b >> 4 : 0;
	}
	uint8_t proto = 0;
	if (family == 4) {
		uint8_t vihl = cur_u8(&c);
		cur_skip(&c, 5);
		uint16_t frag = cur_be16(&c);
		cur_skip(&c, 1);
		proto = cur_u8(&c);
		cur_skip(&c, 10 + ((vihl & 15) * 4u - 20));
		if ((vihl & 15) < 5 || (frag & 0x3fff))
			return NULL;
	} else if (family == 6) {
		cur_skip(&c, 6);
		proto = cur_u8(&c);
		cur_skip(&c, 33);
	}
	if (proto != 17)
		return NULL;
	uint16_t sport = cur_be16(&c), dport = cur_be16(&c), ulen = cur_be16(&c);
	cur_skip(&c, 2);
	if (ulen < 8)
		return NULL;
	struct cursor u = cur_sub(&c, ulen - 8u);
	if (!cur_ok(&u))
		return NULL;
	if (sport == 4500 || dport == 4500) {
		uint32_t marker = cur_be32(&u);
		if (!cur_ok(&u) || marker != 0) /* ESP, or a NAT keepalive */
			return NULL;
	} else if (sport != 500 && dport != 500) {
		return NULL;
	}
	*len = cur_left(&u);
	return *len >= 28 ? u.p : NULL;
}

/* ------------------------------------------------------------------ */
/* Inner payloads */

struct inner_info {
	int payloads;
	bool chain_ok;   /* the chain ends exactly at the end of the plaintext */
	char types[128]; /* "35,39" */
	int nauth;
	char auth[4][1024]; /* hex of each AUTH payload's data */
};

static void inner_walk(uint8_t first, const uint8_t *p, size_t len, struct inner_info *ii)
{
	struct cursor c;
	uint8_t type = first;

	memset(ii, 0, sizeof(*ii));
	cur_init(&c, p, len);
	while (type != 0 && cur_left(&c) >= 4) {
		uint8_t next = cur_u8(&c);
		cur_skip(&c, 1);
		uint16_t plen = cur_be16(&c);
		if (plen < 4)
			return;
		struct cursor body = cur_sub(&c, plen - 4u);
		if (!cur_ok(&body))
			return;
		size_t tl = strlen(ii->types);
		snprintf(ii->types + tl, sizeof(ii->types) - tl, "%s%u", tl ? "," : "", type);
		ii->payloads++;
		if (type == 39 && cur_left(&body) >= 4 && ii->nauth < 4) {
			size_t dl = cur_left(&body) - 4;
			cur_skip(&body, 4); /* auth method, reserved */
			if (dl <= 500)
				hex_encode(cur_bytes(&body, dl), dl, ii->auth[ii->nauth++]);
		}
		type = next;
	}
	ii->chain_ok = type == 0 && cur_ok(&c) && cur_left(&c) == 0;
}

/* ------------------------------------------------------------------ */
/* One message */

struct file_result {
	int sk_msgs, verified, failed;
	bool auth_match;
	char note[160];
};

static uint8_t plain[MAX_MSG], plain2[MAX_MSG];

/* Wireshark's reading of a "[No Checking]" row: decrypt with the cipher
 * alone, treating the last icvlen bytes as an unchecked trailer. */
static int decrypt_unchecked(const struct keyrow *r, const uint8_t *ke, const uint8_t *msg,
                             size_t len, uint8_t *out, size_t *outlen, uint8_t *first)
{
	struct ike_sk_loc loc;
	struct ike_encr_info info;
	int rc = ike_sk_locate(msg, len, &loc);

	*outlen = 0;
	if (rc < 0 || ike_encr_info(r->suite.encr, r->suite.encr_bits, &info) < 0)
		return -1;
	*first = loc.first;
	size_t body = len - loc.iv_off;
	if (body < info.iv_len + r->nocheck_icv + 1u)
		return -1;
	size_t ctlen = body - info.iv_len - r->nocheck_icv;
	struct ike_cipher *c = ike_cipher_new(r->suite.encr, ke, r->kelen);
	if (!c)
		return -1;
	rc = ike_cipher_decrypt(c, msg + loc.iv_off, NULL, 0, msg + loc.iv_off + info.iv_len, ctlen,
	                        out, NULL);
	ike_cipher_free(c);
	if (rc < 0 || out[ctlen - 1] + 1u > ctlen)
		return -1;
	*outlen = ctlen - out[ctlen - 1] - 1;
	return 0;
}

/* The same message read as AES-CCM: SK_e = AES key | 0x03 | salt. */
static int decrypt_as_ccm(const struct keyrow *r, const uint8_t *ke, const uint8_t *msg, size_t len,
                          uint8_t *out, size_t *outlen)
{
	struct ike_suite s = {IKE_ENCR_AES_CCM_8 + (r->nocheck_icv - 8) / 4, r->suite.encr_bits, 0,
	                      0, 0};
	struct ike_sk_ctx ctx;
	uint8_t key[IKE_ENCR_KEY_MAX];
	size_t aes = r->kelen - 4;

	*outlen = 0;
	if (r->suite.encr != IKE_ENCR_AES_CTR || ke[aes] != 0x03 || r->nocheck_icv % 4)
		return -1;
	memcpy(key, ke, aes);
	memcpy(key + aes, ke + aes + 1, 3);
	if (ike_sk_ctx_init(&ctx, &s, key, aes + 3, NULL, 0) != IKE_SK_OK)
		return -1;
	int rc = ike_sk_decrypt(&ctx, msg, len, out, MAX_MSG, outlen, 0);
	ike_sk_ctx_clear(&ctx);
	return rc;
}

static void do_message(const uint8_t *msg, size_t len, const char *expect, struct file_result *fr)
{
	struct ike_sk_loc loc;
	struct inner_info ii;
	size_t n = 0;
	int rc;

	if ((msg[17] >> 4) != 2 || ike_sk_locate(msg, len, &loc) != IKE_SK_OK)
		return; /* IKE_SA_INIT and friends */
	fr->sk_msgs++;
	const struct keyrow *r = find_row(msg);
	if (!r || !r->usable) {
		fr->failed++;
		snprintf(fr->note, sizeof(fr->note), "no usable keys");
		return;
	}
	int dir = (msg[19] & 0x08) ? 0 : 1; /* I flag: sent by the original initiator */
	const uint8_t *ke = r->ke[dir], *ka = r->ka[dir];
	uint8_t first = loc.first;

	if (r->nocheck_icv) {
		size_t n2 = 0;
		rc = decrypt_unchecked(r, ke, msg, len, plain, &n, &first);
		int rc2 = decrypt_as_ccm(r, ke, msg, len, plain2, &n2);
		if (rc == 0 && rc2 == IKE_SK_OK && n == n2 && memcmp(plain, plain2, n) == 0) {
			fr->verified++;
			snprintf(fr->note, sizeof(fr->note),
			         "Wireshark's CTR reading (unchecked) == AES-CCM-%u/12 reading "
			         "with ICV verified",
			         r->suite.encr_bits);
		} else {
			fr->failed++;
			snprintf(fr->note, sizeof(fr->note), "CTR rc %d, CCM: %s", rc,
			         ike_sk_strerror(rc2));
			return;
		}
	} else {
		struct ike_sk_ctx ctx;
		rc = ike_sk_ctx_init(&ctx, &r->suite, ke, r->kelen, r->kalen ? ka : NULL, r->kalen);
		if (rc == IKE_SK_OK)
			rc = ike_sk_decrypt(&ctx, msg, len, plain, sizeof(plain), &n, 0);
		ike_sk_ctx_clear(&ctx);
		if (rc != IKE_SK_OK) {
			fr->failed++;
			snprintf(fr->note, sizeof(fr->note), "decrypt: %s", ike_sk_strerror(rc));
			return;
		}
		fr->verified++;
	}
	inner_walk(first, plain, n, &ii);
	printf("    msg id %u %s%s: %zu bytes plaintext, payloads [%s]%s\n",
	       (unsigned)msg[20] << 24 | msg[21] << 16 | msg[22] << 8 | msg[23], dir ? "R" : "I",
	       (msg[19] & 0x20) ? " response" : " request", n, ii.types,
	       ii.chain_ok ? "" : " (chain does not end at the padding!)");
	if (!ii.chain_ok)
		fr->failed++;
	for (int i = 0; i < ii.nauth; i++) {
		bool m = strcmp(ii.auth[i], expect) == 0;
		printf("      AUTH %.16s...%s\n", ii.auth[i], m ? "  == expected.tsv" : "");
		fr->auth_match |= m;
	}
}

static bool run_file(const char *dir, const char *file, const char *expect)
{
	char path[1024], err[PCAP_ERRBUF_SIZE];
	struct file_result fr = {0};
	struct pcap_pkthdr *h;
	const uint8_t *pkt;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	pcap_t *p = pcap_open_offline(path, err);
	if (!p) {
		printf("FAIL %s: %s\n", file, err);
		return false;
	}
	int dlt = pcap_datalink(p);
	const struct keyrow *row = NULL;
	printf("%s\n", file);
	while (pcap_next_ex(p, &h, &pkt) == 1) {
		size_t len;
		const uint8_t *msg = frame_ike(dlt, pkt, h->caplen, &len);
		if (!msg)
			continue;
		if (!row)
			row = find_row(msg);
		do_message(msg, len, expect, &fr);
	}
	pcap_close(p);
	bool ok = fr.sk_msgs > 0 && fr.failed == 0 && fr.verified == fr.sk_msgs && fr.auth_match;
	printf("  %s %s: suite \"%s\" + \"%s\": %d/%d SK messages decrypted with ICV verified, "
	       "AUTH %s%s%s\n",
	       ok ? "PASS" : "FAIL", file, row ? row->encr : "?", row ? row->integ : "?",
	       fr.verified, fr.sk_msgs, fr.auth_match ? "matches" : "NOT FOUND",
	       fr.note[0] ? "; " : "", fr.note);
	return ok;
}

/* ------------------------------------------------------------------ */
/* tcpdump's synthetic ikev2pI2.pcap: wrong ICV, sane plaintext */

static bool run_pi2(const char *tdir)
{
	char path[1024], line[512], err[PCAP_ERRBUF_SIZE];
	struct keyrow *r = &rows[0];
	bool ok = false, keys = false;

	nrows = 1;
	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/ikev2pI2-secrets.txt", tdir);
	FILE *fp = fopen(path, "r");
	if (!fp) {
		printf("FAIL ikev2pI2: %s missing\n", path);
		return false;
	}
	/* ikev2 I|R 0xISPI 0xRSPI sha1:0xKEY aes128:0xKEY */
	while (fgets(line, sizeof(line), fp)) {
		char d, ispi[40], rspi[40], ik[200], ek[200];
		if (sscanf(line, "ikev2 %c %39s %39s sha1:%199s aes128:%199s", &d, ispi, rspi, ik,
		           ek) != 5)
			continue;
		int i = d == 'I' ? 0 : 1;
		hex_decode(ispi, r->ispi, 8);
		hex_decode(rspi, r->rspi, 8);
		r->kalen = (size_t)hex_decode(ik, r->ka[i], sizeof(r->ka[i]));
		r->kelen = (size_t)hex_decode(ek, r->ke[i], sizeof(r->ke[i]));
		keys = true;
	}
	fclose(fp);
	r->suite = (struct ike_suite){IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, 0, 0};
	snprintf(path, sizeof(path), "%s/ikev2pI2.pcap", tdir);
	pcap_t *p = keys ? pcap_open_offline(path, err) : NULL;
	if (!p) {
		printf("FAIL ikev2pI2: %s\n", keys ? err : "no keys");
		return false;
	}
	int dlt = pcap_datalink(p);
	struct pcap_pkthdr *h;
	const uint8_t *pkt;
	while (pcap_next_ex(p, &h, &pkt) == 1) {
		size_t len, n;
		struct ike_sk_loc loc;
		struct ike_sk_ctx ctx;
		const uint8_t *msg = frame_ike(dlt, pkt, h->caplen, &len);
		if (!msg || ike_sk_locate(msg, len, &loc) != IKE_SK_OK || !find_row(msg))
			continue;
		int dir = (msg[19] & 0x08) ? 0 : 1;
		if (ike_sk_ctx_init(&ctx, &r->suite, r->ke[dir], r->kelen, r->ka[dir], r->kalen))
			break;
		int checked = ike_sk_decrypt(&ctx, msg, len, plain, sizeof(plain), &n, 0);
		int unchecked =
		    ike_sk_decrypt(&ctx, msg, len, plain, sizeof(plain), &n, IKE_SK_NO_ICV_CHECK);
		/* the checksum the message should carry (Wireshark computes the same) */
		uint8_t icv[IKE_ICV_MAX];
		char icvhex[2 * IKE_ICV_MAX + 1], gothex[2 * IKE_ICV_MAX + 1];
		struct ike_chunk mac = {msg, len - 12};
		ike_integ_compute(ctx.integ, &mac, 1, icv);
		hex_encode(icv, 12, icvhex);
		hex_encode(msg + len - 12, 12, gothex);
		ike_sk_ctx_clear(&ctx);
		struct inner_info ii;
		inner_walk(loc.first, plain, n, &ii);
		printf("ikev2pI2.pcap (AES-CBC-128 + HMAC_SHA1_96)\n"
		       "    with ICV check: %s (carried %s, computed %s)\n"
		       "    without: %s, %zu bytes, payloads [%s]%s\n",
		       ike_sk_strerror(checked), gothex, icvhex, ike_sk_strerror(unchecked), n,
		       ii.types, ii.chain_ok ? ", chain ends at the padding" : "");
		ok = checked == IKE_SK_ERR_ICV && unchecked == IKE_SK_OK && ii.chain_ok &&
		     strcmp(ii.types, "35,39") == 0 && ii.nauth == 1 &&
		     strcmp(icvhex, "579ae74ad294a105b0b6f1c4") == 0; /* Wireshark's "should be" */
		break;
	}
	pcap_close(p);
	printf("  %s ikev2pI2.pcap: ICV check fails as documented, plaintext is sane\n",
	       ok ? "PASS" : "FAIL");
	return ok;
}

int main(void)
{
	const char *env = getenv("DMVPN_TESTDATA");
	char base[512], wdir[600], tdir[600], path[1024], line[1024];

	snprintf(base, sizeof(base), "%s", env && *env ? env : TOP_SRCDIR "/tests/testdata");
	snprintf(wdir, sizeof(wdir), "%s/captures/wireshark-test", base);
	snprintf(tdir, sizeof(tdir), "%s/captures/tcpdump", base);
	snprintf(path, sizeof(path), "%s/ikev2_decryption_table", wdir);
	if (!load_table(path)) {
		printf("SKIP: %s not found (set DMVPN_TESTDATA)\n", path);
		return 77;
	}
	snprintf(path, sizeof(path), "%s/expected.tsv", wdir);
	FILE *fp = fopen(path, "r");
	if (!fp) {
		printf("SKIP: %s not found\n", path);
		return 77;
	}
	int total = 0, passed = 0;
	while (fgets(line, sizeof(line), fp)) {
		char file[256], hex[600];
		if (line[0] == '#' || sscanf(line, "%255s %599s", file, hex) != 2 ||
		    strncmp(file, "ikev2-decrypt-", 14) != 0)
			continue;
		total++;
		passed += run_file(wdir, file, hex);
	}
	fclose(fp);
	printf("IKEv2 decryption vectors: %d/%d passed\n", passed, total);
	bool pi2 = run_pi2(tdir);
	return passed == 8 && total == 8 && pi2 ? 0 : 1;
}
