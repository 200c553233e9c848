/* Counters registry: a fixed table of (module, names, values) groups. */
#include "counters.h"

#include <stdbool.h>
#include <string.h>

struct counters_group {
	const char *module;
	const char *const *names;
	uint64_t *vals;
	size_t n;
	enum counter_kind kind;
};

static struct counters_group groups[COUNTERS_MAX_GROUPS];
static size_t n_groups;

static bool name_ok(const char *s, bool allow_dot)
{
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		char c = *s;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
			continue;
		if (allow_dot && c == '.')
			continue;
		return false;
	}
	return true;
}

static int group_add(const char *module, const char *const names[], uint64_t *vals, size_t n,
                     enum counter_kind kind)
{
	if (!name_ok(module, true) || !names || !vals || n == 0 || n_groups >= COUNTERS_MAX_GROUPS)
		return -1;
	size_t mlen = strlen(module);
	for (size_t i = 0; i < n; i++) {
		if (!name_ok(names[i], false))
			return -1;
		if (mlen + 1 + strlen(names[i]) + 1 > COUNTERS_NAME_MAX)
			return -1;
	}
	for (size_t g = 0; g < n_groups; g++)
		if (groups[g].vals == vals || strcmp(groups[g].module, module) == 0)
			return -1;
	groups[n_groups++] = (struct counters_group){
	    .module = module, .names = names, .vals = vals, .n = n, .kind = kind};
	return 0;
}

int counters_register(const char *module, const char *const names[], uint64_t *vals, size_t n)
{
	return group_add(module, names, vals, n, COUNTER_KIND_COUNTER);
}

int counters_register_gauges(const char *module, const char *const names[], uint64_t *vals,
                             size_t n)
{
	return group_add(module, names, vals, n, COUNTER_KIND_GAUGE);
}

void counters_unregister(const uint64_t *vals)
{
	for (size_t g = 0; g < n_groups; g++) {
		if (groups[g].vals != vals)
			continue;
		memmove(&groups[g], &groups[g + 1], (n_groups - g - 1) * sizeof(groups[0]));
		n_groups--;
		memset(&groups[n_groups], 0, sizeof(groups[0]));
		return;
	}
}

void counters_unregister_all(void)
{
	memset(groups, 0, sizeof(groups));
	n_groups = 0;
}

size_t counters_groups(void)
{
	return n_groups;
}

size_t counters_total(void)
{
	size_t t = 0;
	for (size_t g = 0; g < n_groups; g++)
		t += groups[g].n;
	return t;
}

int counters_foreach(counters_visit_fn fn, void *arg)
{
	for (size_t g = 0; g < n_groups; g++) {
		const struct counters_group *gr = &groups[g];
		for (size_t i = 0; i < gr->n; i++) {
			int r = fn(gr->module, gr->names[i], gr->kind, gr->vals[i], arg);
			if (r)
				return r;
		}
	}
	return 0;
}

int counters_get(const char *fullname, uint64_t *value)
{
	if (!fullname)
		return -1;
	for (size_t g = 0; g < n_groups; g++) {
		const struct counters_group *gr = &groups[g];
		size_t mlen = strlen(gr->module);
		if (strncmp(fullname, gr->module, mlen) != 0 || fullname[mlen] != '.')
			continue;
		for (size_t i = 0; i < gr->n; i++) {
			if (strcmp(fullname + mlen + 1, gr->names[i]) == 0) {
				if (value)
					*value = gr->vals[i];
				return 0;
			}
		}
	}
	return -1;
}

void counters_zero_all(void)
{
	for (size_t g = 0; g < n_groups; g++)
		if (groups[g].kind == COUNTER_KIND_COUNTER)
			memset(groups[g].vals, 0, groups[g].n * sizeof(uint64_t));
}
