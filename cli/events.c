/* Event stream: stamp, serialize once, hand to every sink. */
#include "cli/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct events_sink {
	events_sink_fn fn;
	events_active_fn active;
	void *arg;
};

static struct events_sink sinks[EVENTS_MAX_SINKS];
static unsigned long long n_emitted;

int events_sink_add(events_sink_fn fn, events_active_fn active, void *arg)
{
	for (size_t i = 0; i < EVENTS_MAX_SINKS; i++) {
		if (sinks[i].fn)
			continue;
		sinks[i] = (struct events_sink){fn, active, arg};
		return 0;
	}
	return -1;
}

void events_sink_del(events_sink_fn fn, void *arg)
{
	for (size_t i = 0; i < EVENTS_MAX_SINKS; i++)
		if (sinks[i].fn == fn && sinks[i].arg == arg)
			memset(&sinks[i], 0, sizeof(sinks[i]));
}

static bool sink_active(const struct events_sink *s)
{
	return s->fn && (!s->active || s->active(s->arg));
}

bool events_wanted(void)
{
	for (size_t i = 0; i < EVENTS_MAX_SINKS; i++)
		if (sink_active(&sinks[i]))
			return true;
	return false;
}

static void time_iso(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03ldZ", base, ts.tv_nsec / 1000000);
}

void events_emit(const char *type, json_object *obj)
{
	json_object *ev;
	const char *s;
	size_t len;
	char tbuf[48];
	char *line;

	n_emitted++;
	if (!events_wanted() || (obj && !json_object_is_type(obj, json_type_object))) {
		json_object_put(obj);
		return;
	}
	ev = json_object_new_object();
	time_iso(tbuf, sizeof(tbuf));
	json_object_object_add(ev, "event", json_object_new_string(type ? type : "?"));
	json_object_object_add(ev, "time", json_object_new_string(tbuf));
	if (obj) {
		json_object_object_foreach(obj, key, val)
		{
			if (strcmp(key, "event") == 0 || strcmp(key, "time") == 0)
				continue;
			json_object_object_add(ev, key, json_object_get(val));
		}
		json_object_put(obj);
	}
	s = json_object_to_json_string_ext(ev,
	                                   JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(s);
	line = malloc(len + 2);
	if (line) {
		memcpy(line, s, len);
		line[len] = '\n';
		line[len + 1] = '\0';
		for (size_t i = 0; i < EVENTS_MAX_SINKS; i++)
			if (sink_active(&sinks[i]))
				sinks[i].fn(sinks[i].arg, line, len + 1);
		free(line);
	}
	json_object_put(ev);
}

unsigned long long events_emitted(void)
{
	return n_emitted;
}
