/* decode_tool FILE [--json]: decode_file() without the rest of dmvpnctl,
 * for the conformance suite (run.sh) and for trying the decoder by hand.
 * Accepts `decode_tool decode FILE [--json]` too, like dmvpnctl.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/decode.h"

int main(int argc, char **argv)
{
	const char *path = NULL;
	bool json = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "decode") && !path && i == 1)
			continue;
		else if (!path)
			path = argv[i];
		else
			path = NULL, i = argc; /* too many arguments */
	}
	if (!path) {
		fprintf(stderr, "usage: %s [decode] FILE [--json]\n", argv[0]);
		return 2;
	}
	return decode_file(path, json, stdout, stderr);
}
