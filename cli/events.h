/* Event stream for `dmvpnctl monitor`.
 *
 * Any module reports something worth watching with
 *     events_emit("peer", obj);   // obj: {"interface":"dmvpn0","nbma":...,"from":"down","to":"up"}
 * The event gets "event":TYPE and "time" (UTC, ISO 8601 with milliseconds)
 * prepended and goes, as one JSON line, to every registered sink (the
 * control server forwards it to its `monitor` clients). With no listener
 * it costs a json_object_put; callers that build large objects may test
 * events_wanted() first.
 */
#ifndef DMVPN_EVENTS_H
#define DMVPN_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define EVENTS_MAX_SINKS 4

/* line is NUL-terminated and ends in '\n'; len counts the '\n'. */
typedef void (*events_sink_fn)(void *arg, const char *line, size_t len);
/* Whether the sink has listeners right now (NULL: always). */
typedef bool (*events_active_fn)(void *arg);

/* 0, or -1 when all EVENTS_MAX_SINKS slots are taken. */
int events_sink_add(events_sink_fn fn, events_active_fn active, void *arg);
void events_sink_del(events_sink_fn fn, void *arg);
/* True when at least one sink has listeners. */
bool events_wanted(void);

/* Takes ownership of obj (NULL means {}); obj must be a JSON object. */
void events_emit(const char *type, json_object *obj);

/* Events emitted since start (for counters and tests). */
unsigned long long events_emitted(void);

#endif
