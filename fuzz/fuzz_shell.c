/* fuzz_shell.c: the shell renderer.  For any bytes (up to the first NUL),
 * sb_shell_quote() must give ' + the bytes with every ' replaced by '\''
 * + ', and nothing else; and the env format of a list whose credentials
 * are the input must be exactly `export NAME=<quoted neko JSON>` lines. */
#include "../src/format/format.h"
#include "../src/ice.h"
#include "../src/util.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

/* What sb_shell_quote must produce, built independently. */
static void
expect(struct strbuf *b, const char *s)
{
	const char *q;

	sb_addc(b, '\'');
	while ((q = strchr(s, '\'')) != NULL) {
		sb_add(b, s, (size_t)(q - s));
		sb_add(b, "'\\''", 4);
		s = q + 1;
	}
	sb_adds(b, s);
	sb_addc(b, '\'');
}

static void
check_quote(const char *s)
{
	struct strbuf	 got = { 0 }, want = { 0 };

	sb_shell_quote(&got, s);
	expect(&want, s);
	if (got.len != want.len || memcmp(got.s, want.s, got.len) != 0)
		abort();	/* not the single-quoted form */
	sb_free(&got);
	sb_free(&want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_result	 r;
	struct format_opts	 o;
	struct strbuf		 out = { 0 }, json = { 0 }, want = { 0 };
	char			*s, err[256];

	if (size > 16 * 1024)
		return 0;
	s = fuzz_str(data, size);
	check_quote(s);

	memset(&r, 0, sizeof(r));
	memset(&o, 0, sizeof(o));
	o.env_names = "A,B_2";
	o.now = 1700000000;
	if (ice_list_add(&r.list, "turn:127.0.0.1:3478", s, s, 1700003600,
	    err, sizeof(err)) == 0 &&
	    format_render(&out, FMT_ENV, &r, &o, err, sizeof(err)) == 0) {
		format_ice_servers(&json, &r.list);
		sb_adds(&want, "export A=");
		sb_shell_quote(&want, json.s);
		sb_adds(&want, "\nexport B_2=");
		sb_shell_quote(&want, json.s);
		sb_adds(&want, "\n");
		if (out.len != want.len || memcmp(out.s, want.s, out.len) != 0)
			abort();	/* env output is not the quoted JSON */
	}
	sb_free(&out);
	sb_free(&json);
	sb_free(&want);
	ice_list_free(&r.list);
	free(s);
	return 0;
}
