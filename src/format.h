/* format.h: renderers of a fetched list: neko, rtc, json, env, dotenv, str0m. */
#ifndef ICEUPD_FORMAT_H
#define ICEUPD_FORMAT_H

#include <cjson/cJSON.h>
#include <time.h>

#include "engine.h"
#include "util.h"

struct format_opts {
	const char	*env_names;	/* comma list, for env and dotenv */
	int		 relay;		/* rtc: iceTransportPolicy relay */
	time_t		 now;
};

/* Checks what the format needs from o (variable names for env and
 * dotenv).  Returns 0, or -1 with a reason in err. */
/* The format of check and providers: 1 json, 0 table (a list format from
 * the environment or a file is for the other commands), -1 after logging
 * that --format names another (exit 2). */
int	 format_listing(const struct settings *, const char *command);
int	 format_check(enum output_format, const struct format_opts *,
	    char *err, size_t errlen);
/* Appends the rendering of r to out.  Returns 0, or -1 with a reason in err
 * (a value that the format cannot carry). */
int	 format_render(struct strbuf *out, enum output_format,
	    const struct engine_result *r, const struct format_opts *,
	    char *err, size_t errlen);

/* The json report as a cJSON object (the caller deletes it). */
cJSON	*format_report(const struct engine_result *r, time_t now);

/* The neko / RTCIceServer array, unformatted JSON, appended to out. */
void	 format_ice_servers(struct strbuf *out, const struct ice_list *);

#endif
