/* libFuzzer target: the control request parser (cli/ctl_proto.c), and the
 * client side: reply envelope parsing and rendering of any JSON it accepts.
 *
 * Request: a line that parses must format back to a line that parses to
 * the same request. Reply: whatever parses as an envelope is rendered as
 * every command would render it (to /dev/null), which must not crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/ctl_proto.h"
#include "cli/show.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static void fuzz_request(const uint8_t *data, size_t size)
{
	struct ctl_request r, r2;
	char line[CTL_LINE_MAX + 1];
	int n;

	if (ctl_request_parse((const char *)data, size, &r) != CTL_OK)
		return;
	if (r.cmd <= CTL_CMD_NONE || r.cmd >= CTL_CMD_MAX)
		abort();
	n = ctl_request_format(&r, line, sizeof(line));
	if (n <= 0)
		abort();
	if (ctl_request_parse(line, (size_t)n, &r2) != CTL_OK || memcmp(&r, &r2, sizeof(r)) != 0)
		abort();
}

static void fuzz_reply(const uint8_t *data, size_t size)
{
	struct ctl_reply rep;
	struct ctl_request req = {0};

	if (ctl_reply_parse((const char *)data, size, &rep) != CTL_OK)
		return;
	for (int c = CTL_CMD_NONE + 1; c < CTL_CMD_MAX; c++) {
		req.cmd = (enum ctl_cmd)c;
		req.detail = (c & 1) != 0;
		show_render(&req, rep.data, devnull);
	}
	show_event(rep.data, devnull);
	show_event(rep.root, devnull);
	ctl_reply_free(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	fuzz_request(data, size);
	fuzz_reply(data, size);
	return 0;
}
