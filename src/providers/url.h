/* url.h: what the url provider reads, for its tests and fuzz target. */
#ifndef ICEUPD_URL_H
#define ICEUPD_URL_H

#include <time.h>

#include <cjson/cJSON.h>

#include "provider.h"

/* Recognises a credentials endpoint's answer doc (matrix: a homeserver's)
 * as of now and adds its servers to l, with their expiry and fetched_at;
 * st->note names the shape.  Returns 0, or -1 with st->error set. */
int	 url_take_answer(const cJSON *doc, int matrix, time_t now,
	    struct ice_list *l, struct provider_status *st);

#endif
