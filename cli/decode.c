/* `dmvpnctl decode FILE [--json]`: reads a pcap or pcapng capture with
 * libpcap and prints every frame (decode_walk + the text/JSON printers).
 */
#include "cli/decode.h"

#include <errno.h>
#include <json-c/json.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "cli/decode_priv.h"

struct decode_ctx *decode_ctx_new(void)
{
	return calloc(1, sizeof(struct decode_ctx));
}

void decode_ctx_free(struct decode_ctx *ctx)
{
	if (!ctx)
		return;
	decode_walk_done(ctx);
	free(ctx);
}

void decode_frame_print(struct decode_ctx *ctx, const struct decode_frame *f, bool json, FILE *out)
{
	decode_walk(ctx, f);
	if (json) {
		struct json_object *o = decode_json_pkt(&ctx->pkt);

		fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		                                            JSON_C_TO_STRING_NOSLASHESCAPE),
		      out);
		json_object_put(o);
	} else {
		decode_text_print(&ctx->pkt, out);
	}
	fputc('\n', out);
	decode_walk_done(ctx);
}

int decode_file(const char *path, bool json, FILE *out, FILE *err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct decode_ctx *ctx;
	struct pcap_pkthdr *h;
	const u_char *data;
	struct decode_frame f;
	unsigned n = 0;
	pcap_t *pc;
	int rc;

	pc = pcap_open_offline(path, errbuf);
	if (!pc) {
		fprintf(err, "decode: %s: %s\n", path, errbuf);
		return 1;
	}
	ctx = decode_ctx_new();
	if (!ctx) {
		fprintf(err, "decode: %s\n", strerror(ENOMEM));
		pcap_close(pc);
		return 1;
	}
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		memset(&f, 0, sizeof(f));
		f.number = ++n;
		/* per packet: pcapng files may mix interfaces */
		f.dlt = pcap_datalink(pc);
		f.data = data;
		f.caplen = h->caplen;
		f.wirelen = h->len > h->caplen ? h->len : h->caplen;
		f.ts_sec = h->ts.tv_sec;
		f.ts_usec = (uint32_t)h->ts.tv_usec;
		decode_frame_print(ctx, &f, json, out);
	}
	if (rc == PCAP_ERROR)
		fprintf(err, "decode: %s: after frame %u: %s\n", path, n, pcap_geterr(pc));
	decode_ctx_free(ctx);
	pcap_close(pc);
	fflush(out);
	return rc == PCAP_ERROR ? 1 : 0;
}
