/* libFuzzer target: the configuration parser must never crash, leak or read
 * out of bounds, whatever the bytes (NULs, long lines, broken quoting). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../config.h" /* by path: the build directory has an autoconf config.h */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct config *cfg;
	int n = -1;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	cfg = config_parse_string("fuzz", (const char *)data, size, devnull, &n);
	if (n < 0 || (n == 0) != (cfg != NULL))
		abort();
	if (cfg) {
		/* walk the model: every pointer the parser promises must be valid */
		for (size_t i = 0; i < cfg->n_ifaces; i++) {
			const struct cfg_iface *ifc = &cfg->ifaces[i];
			if (ifc->protection_profile && !ifc->profile)
				abort();
			if (config_find_iface(cfg, ifc->name) != ifc)
				abort();
			for (size_t j = 0; j < ifc->n_nhs; j++)
				if (!ifc->nhs[j].nbma_fqdn && !ipaddr_is_set(&ifc->nhs[j].nbma))
					abort();
		}
		for (size_t i = 0; i < cfg->n_profiles; i++) {
			const struct cfg_profile *p = &cfg->profiles[i];
			if (p->auth == CFG_AUTH_NONE || !p->n_proposals || !p->n_esp_proposals)
				abort();
			for (size_t j = 0; j < p->n_proposals; j++)
				if (!p->proposals[j] || !p->proposal_suites[j].n)
					abort();
		}
	}
	if (cfg) {
		/* round trip: the written text parses into a model that writes the same */
		char *w1 = NULL, *w2 = NULL;
		size_t l1 = 0, l2 = 0;
		FILE *m1 = open_memstream(&w1, &l1), *m2 = open_memstream(&w2, &l2);
		struct config *again;

		if (!m1 || !m2 || config_write(cfg, m1, true) < 0)
			abort();
		fclose(m1);
		again = config_parse_string("again", w1, l1, devnull, &n);
		if (!again || n)
			abort();
		if (config_write(again, m2, true) < 0)
			abort();
		fclose(m2);
		if (l1 != l2 || memcmp(w1, w2, l1) != 0)
			abort();
		config_free(again);
		free(w1);
		free(w2);
	}
	config_free(cfg);
	return 0;
}
