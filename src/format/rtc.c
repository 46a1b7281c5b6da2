/* rtc.c: an RTCConfiguration on one line: iceServers, and
 * iceTransportPolicy "relay" with --relay. */
#include "format.h"

static void
rtc_render(struct strbuf *out, const struct engine_result *r,
    const struct format_opts *o)
{
	cJSON	*rtc = cJSON_CreateObject();

	cJSON_AddItemToObject(rtc, "iceServers",
	    format_servers_json(&r->list));
	if (o->relay)
		cJSON_AddStringToObject(rtc, "iceTransportPolicy", "relay");
	format_add_json(out, rtc, 0);
	sb_addc(out, '\n');
}

const struct format format_rtc = { 0, rtc_render };
