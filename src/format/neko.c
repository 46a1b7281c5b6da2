/* neko.c: the RTCIceServer array on one line, what NEKO_ICESERVERS (and
 * neko v3's NEKO_WEBRTC_ICESERVERS_*) take. */
#include "format.h"

static void
neko_render(struct strbuf *out, const struct engine_result *r,
    const struct format_opts *o)
{
	(void)o;
	format_ice_servers(out, &r->list);
	sb_addc(out, '\n');
}

const struct format format_neko = { 0, neko_render };
