/* format.h: renderers of a fetched list, one file each in format/ (the
 * list: formats.h); table or json for check and providers. */
#ifndef ICEUPD_FORMAT_H
#define ICEUPD_FORMAT_H

#include <cjson/cJSON.h>
#include <time.h>

#include "../engine.h"
#include "../util.h"

struct format_opts {
	const char	*env_names;	/* comma list, for env and dotenv */
	int		 relay;		/* rtc: iceTransportPolicy relay */
	time_t		 now;
};

/* One format, defined by format/NAME.c as format_NAME. */
struct format {
	int		 names;		/* needs o->env_names: variables */
	/* Appends the rendering of r to out; NULL: no list format (table
	 * is check's and providers' own). */
	void		(*render)(struct strbuf *out,
			    const struct engine_result *r,
			    const struct format_opts *o);
};

/* The format of check and providers: 1 json, 0 table (a list format from
 * the environment or a file is for the other commands), -1 after logging
 * that --format names another (exit 2). */
int	 format_listing(const struct settings *, const char *command);
/* Checks what the format needs from o (variable names for env and
 * dotenv).  Returns 0, or -1 with a reason in err. */
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

/* For the formats' files: the RTCIceServer array of l as cJSON, and the
 * text of j appended to out (j is deleted). */
cJSON	*format_servers_json(const struct ice_list *l);
void	 format_add_json(struct strbuf *out, cJSON *j, int pretty);

#endif
