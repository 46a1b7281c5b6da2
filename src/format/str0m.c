/* str0m.c: one line per URL, "turn:user:pass@host:port?transport=udp"
 * (user and password percent-encoded), as the str0m WebRTC library and
 * similar servers read them. */
#include <string.h>

#include "format.h"

static void
str0m_render(struct strbuf *out, const struct engine_result *r,
    const struct format_opts *o)
{
	const struct ice_list *l = &r->list;
	const struct ice_server *s;
	const char *colon;
	size_t	 i, j;

	(void)o;
	for (i = 0; i < l->n; i++) {
		s = &l->servers[i];
		for (j = 0; j < s->nurls; j++) {
			colon = strchr(s->urls[j], ':');
			sb_add(out, s->urls[j],
			    (size_t)(colon - s->urls[j] + 1));
			if (s->username != NULL) {
				sb_percent_encode(out, s->username);
				sb_addc(out, ':');
				sb_percent_encode(out, s->credential);
				sb_addc(out, '@');
			}
			sb_adds(out, colon + 1);
			sb_addc(out, '\n');
		}
	}
}

const struct format format_str0m = { 0, str0m_render };
