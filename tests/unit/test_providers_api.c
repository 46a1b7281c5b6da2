/* test_providers_api.c: the RTCIceServer parser shared by the hosted
 * providers (api_take_servers), fed the bodies Twilio, Cloudflare, Metered,
 * Xirsys and Turnix document (tests/fixtures/), Xirsys's envelope and
 * Turnix's expiresAt, Twilio's region hosts, and the API base checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/providers/api.h"
#include "unit.h"

/* The unit tests run from the top folder of the source tree. */
#define FIXTURES	"tests/fixtures/"

#define TWILIO_USER \
	"dc2d2894d5a9023620c467b0e71cfa6a35457e6679785ed6ae9856fe5bdfa269"
#define TWILIO_CRED	"tE2DajzSJwnsSbc123"
#define CF_USER		"bc91b63e2b5d759f8eb9f3b58062439e0a0e15893d76317d8" \
	"33265ad08d6631099ce7c7087caabb31ad3e1c386424e3e"
#define CF_CRED		"ebd71f1d3edbc2b0edae3cd5a6d82284aeb5c3b8fdaa9b8e3" \
	"bf9cec683e0d45fe9f5b44e5145db3300f06c250a15b4a0"
#define METERED_USER	"0a1b2c3d4e5f60718293a4b5"
#define METERED_CRED	"Zm9vYmFyZXhhbXBsZQ=="
#define XIRSYS_USER	"9q3BbfSzr_bNLx3Dk0ypFpu6mQG2bL4sNFBmCw0cFkMHzQeJXdm" \
	"BGEgcuWlOfbB6AAAAAGh1c2Vy"
#define XIRSYS_CRED	"4e0f3b6a-6a7c-11ef-8d8a-0242ac120004"
#define TURNIX_USER	"35bb4eb4-b518-4059-9399-272efdefc5d9"
#define TURNIX_CRED	"7ea616da55d417f4aaf6427016140416"
/* 2026-11-22T03:26:36Z, the expiresAt of turnix-credentials.json. */
#define RECORDED_EXPIRES	1795317996LL

/* Reads and parses tests/fixtures/<name>; the test fails when it cannot. */
static cJSON *
fixture(const char *name)
{
	char	 path[256], *text;
	FILE	*f;
	long	 n;
	cJSON	*doc;

	snprintf(path, sizeof(path), FIXTURES "%s", name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s (run from the top folder)",
	    path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	text = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	doc = cJSON_Parse(text);
	free(text);
	ck_assert_msg(doc != NULL, "%s is not JSON", path);
	return doc;
}

static cJSON *
parse(const char *text)
{
	cJSON	*doc = cJSON_Parse(text);

	ck_assert_msg(doc != NULL, "not JSON: %s", text);
	return doc;
}

/* Entry i of l has exactly the n URLs given, in order, and these
 * credentials (NULL for none). */
static void
check_entry(const struct ice_list *l, size_t i, const char *user,
    const char *cred, size_t n, const char *const *urls)
{
	const struct ice_server *s;
	size_t	 j;

	ck_assert_uint_lt(i, l->n);
	s = &l->servers[i];
	ck_assert_uint_eq(s->nurls, n);
	for (j = 0; j < n; j++)
		ck_assert_str_eq(s->urls[j], urls[j]);
	if (user == NULL) {
		ck_assert_ptr_null(s->username);
		ck_assert_ptr_null(s->credential);
	} else {
		ck_assert_ptr_nonnull(s->username);
		ck_assert_ptr_nonnull(s->credential);
		ck_assert_str_eq(s->username, user);
		ck_assert_str_eq(s->credential, cred);
	}
}

#define NURLS(a)	(sizeof(a) / sizeof((a)[0]))

/* l has two entries: the nstun URLs stun, without credentials, then the
 * nturn URLs turn with user and cred. */
static void
stun_then_turn(const struct ice_list *l, const char *const *stun,
    size_t nstun, const char *user, const char *cred,
    const char *const *turn, size_t nturn)
{
	ck_assert_uint_eq(l->n, 2);
	check_entry(l, 0, NULL, NULL, nstun, stun);
	check_entry(l, 1, user, cred, nturn, turn);
}

/* Empties l and st, for a take into them. */
static void
empty(struct ice_list *l, struct provider_status *st)
{
	memset(l, 0, sizeof(*l));
	memset(st, 0, sizeof(*st));
}

/* A document to take servers from, and the list and status it fills. */
struct taken {
	cJSON			*doc;
	struct ice_list		 l;
	struct provider_status	 st;
};

/* t with the document doc, its list and status empty. */
static void
taken_start(struct taken *t, cJSON *doc)
{
	t->doc = doc;
	empty(&t->l, &t->st);
}

/* Frees the list taken and the document it was taken from. */
static void
taken_free(struct taken *t)
{
	ice_list_free(&t->l);
	cJSON_Delete(t->doc);
}

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* --- the documented answers --- */

START_TEST(test_twilio_tokens)
{
	static const char *const stun[] = {
		"stun:global.stun.twilio.com:3478" };
	static const char *const turn[] = {
		"turn:global.turn.twilio.com:3478?transport=udp",
		"turn:global.turn.twilio.com:3478?transport=tcp",
		"turn:global.turn.twilio.com:443?transport=tcp" };
	struct taken	 t;
	const cJSON *servers, *ttl;

	taken_start(&t, fixture("twilio-tokens.json"));
	/* The shape: urls one string per entry, ttl a string. */
	ttl = cJSON_GetObjectItemCaseSensitive(t.doc, "ttl");
	ck_assert(cJSON_IsString(ttl));
	ck_assert_str_eq(ttl->valuestring, "86400");
	servers = cJSON_GetObjectItemCaseSensitive(t.doc, "ice_servers");
	ck_assert(cJSON_IsArray(servers));
	ck_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(servers, 1), "urls")));

	ck_assert_int_eq(api_take_servers(&t.l, servers, 1000, 0, &t.st), 0);
	stun_then_turn(&t.l, stun, NURLS(stun), TWILIO_USER, TWILIO_CRED, turn,
	    NURLS(turn));
	ck_assert_int_eq(t.l.servers[0].expires, 0);
	ck_assert_int_eq(t.l.servers[1].expires, 1000);
	ck_assert_int_eq(ice_list_expires(&t.l), 1000);
	ck_assert_str_eq(t.st.warning, "");
	ck_assert_str_eq(t.st.error, "");
	ck_assert_int_eq(t.st.permanent, 0);
	taken_free(&t);
}
END_TEST

START_TEST(test_twilio_legacy_url_key)
{
	static const char *const turn[] = {
		"turn:global.turn.twilio.com:3478?transport=udp" };
	struct taken	 t;

	taken_start(&t, parse("[{\"url\":\"turn:global.turn.twilio.com:3478"
	    "?transport=udp\",\"username\":\"u1\",\"credential\":\"c1\"}]"));
	ck_assert_int_eq(api_take_servers(&t.l, t.doc, 0, 0, &t.st), 0);
	ck_assert_uint_eq(t.l.n, 1);
	check_entry(&t.l, 0, "u1", "c1", NURLS(turn), turn);
	ck_assert_str_eq(t.st.warning, "");
	taken_free(&t);
}
END_TEST

START_TEST(test_urls_wins_over_url)
{
	static const char *const stun[] = { "stun:a.example.org:3478" };
	struct taken	 t;

	taken_start(&t, parse("{\"url\":\"stun:b.example.org\","
	    "\"urls\":\"stun:a.example.org\"}"));
	ck_assert_int_eq(api_take_servers(&t.l, t.doc, 0, 0, &t.st), 0);
	ck_assert_uint_eq(t.l.n, 1);
	check_entry(&t.l, 0, NULL, NULL, NURLS(stun), stun);
	taken_free(&t);
}
END_TEST

START_TEST(test_cloudflare_drops_port_53)
{
	static const char *const stun[] = { "stun:stun.cloudflare.com:3478" };
	static const char *const turn[] = {
		"turn:turn.cloudflare.com:3478?transport=udp",
		"turn:turn.cloudflare.com:3478?transport=tcp",
		"turn:turn.cloudflare.com:80?transport=tcp",
		"turns:turn.cloudflare.com:5349?transport=tcp",
		"turns:turn.cloudflare.com:443?transport=tcp" };
	struct taken	 t;
	const cJSON *servers;

	taken_start(&t, fixture("cloudflare-generate-ice-servers.json"));
	servers = cJSON_GetObjectItemCaseSensitive(t.doc, "iceServers");
	ck_assert(cJSON_IsArray(servers));
	ck_assert_int_eq(api_take_servers(&t.l, servers, 5000, 1, &t.st), 0);
	stun_then_turn(&t.l, stun, NURLS(stun), CF_USER, CF_CRED, turn,
	    NURLS(turn));
	ck_assert_int_eq(t.l.servers[1].expires, 5000);
	/* Port 53 is dropped on purpose: no warning. */
	ck_assert_str_eq(t.st.warning, "");
	ck_assert_str_eq(t.st.error, "");
	taken_free(&t);
}
END_TEST

START_TEST(test_cloudflare_keeps_port_53_when_asked)
{
	static const char *const stun[] = { "stun:stun.cloudflare.com:3478",
		"stun:stun.cloudflare.com:53" };
	static const char *const turn[] = {
		"turn:turn.cloudflare.com:3478?transport=udp",
		"turn:turn.cloudflare.com:53?transport=udp",
		"turn:turn.cloudflare.com:3478?transport=tcp",
		"turn:turn.cloudflare.com:80?transport=tcp",
		"turns:turn.cloudflare.com:5349?transport=tcp",
		"turns:turn.cloudflare.com:443?transport=tcp" };
	struct taken	 t;

	taken_start(&t, fixture("cloudflare-generate-ice-servers.json"));
	ck_assert_int_eq(api_take_servers(&t.l,
	    cJSON_GetObjectItemCaseSensitive(t.doc, "iceServers"), 0, 0,
	    &t.st), 0);
	stun_then_turn(&t.l, stun, NURLS(stun), CF_USER, CF_CRED, turn,
	    NURLS(turn));
	ck_assert_str_eq(t.st.warning, "");
	taken_free(&t);
}
END_TEST

START_TEST(test_cloudflare_legacy_object)
{
	static const char *const stun[] = { "stun:stun.cloudflare.com:3478" };
	static const char *const turn[] = {
		"turn:turn.cloudflare.com:3478?transport=udp",
		"turn:turn.cloudflare.com:3478?transport=tcp",
		"turns:turn.cloudflare.com:5349?transport=tcp" };
	struct taken	 t;
	const cJSON *servers;

	taken_start(&t, fixture("cloudflare-legacy.json"));
	servers = cJSON_GetObjectItemCaseSensitive(t.doc, "iceServers");
	ck_assert(cJSON_IsObject(servers));
	ck_assert_int_eq(api_take_servers(&t.l, servers, 0, 1, &t.st), 0);
	/* One object, but STUN carries no credentials: two entries. */
	stun_then_turn(&t.l, stun, NURLS(stun), CF_USER, CF_CRED, turn,
	    NURLS(turn));
	ck_assert_str_eq(t.st.warning, "");
	taken_free(&t);
}
END_TEST

START_TEST(test_metered_credentials)
{
	static const char *const stun[] = { "stun:stun.relay.metered.ca:80" };
	static const char *const turn[] = {
		"turn:global.relay.metered.ca:80",
		"turn:global.relay.metered.ca:80?transport=tcp",
		"turn:global.relay.metered.ca:443",
		"turns:global.relay.metered.ca:443?transport=tcp" };
	struct taken	 t;

	taken_start(&t, fixture("metered-credentials.json"));
	ck_assert(cJSON_IsArray(t.doc));
	ck_assert_int_eq(api_take_servers(&t.l, t.doc, 0, 0, &t.st), 0);
	stun_then_turn(&t.l, stun, NURLS(stun), METERED_USER, METERED_CRED,
	    turn, NURLS(turn));
	/* Metered says nothing of expiry. */
	ck_assert_int_eq(ice_list_expires(&t.l), 0);
	ck_assert_str_eq(t.st.warning, "");
	taken_free(&t);
}
END_TEST

START_TEST(test_adds_to_a_list)
{
	static const char *const first[] = {
		"turn:global.relay.metered.ca:80",
		"turn:other.example.org:3478",
		"turn:global.relay.metered.ca:80?transport=tcp",
		"turn:global.relay.metered.ca:443",
		"turns:global.relay.metered.ca:443?transport=tcp" };
	static const char *const stun[] = { "stun:stun.relay.metered.ca:80" };
	static const char *const both[] = {
		"turn:global.relay.metered.ca:80",
		"turn:global.relay.metered.ca:80?transport=tcp",
		"turn:global.relay.metered.ca:443",
		"turns:global.relay.metered.ca:443?transport=tcp",
		"turn:other.example.org:3478" };
	struct taken	 t;
	char	 err[128];

	taken_start(&t, fixture("metered-credentials.json"));
	ck_assert_int_eq(ice_list_add(&t.l, "turn:global.relay.metered.ca:80",
	    METERED_USER, METERED_CRED, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(ice_list_add(&t.l, "turn:other.example.org:3478",
	    METERED_USER, METERED_CRED, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(api_take_servers(&t.l, t.doc, 0, 0, &t.st), 0);
	/* Same credentials: the entry already there grows; a URL already
	 * there is not doubled. */
	ck_assert_uint_eq(t.l.n, 2);
	check_entry(&t.l, 0, METERED_USER, METERED_CRED, NURLS(first), first);
	check_entry(&t.l, 1, NULL, NULL, NURLS(stun), stun);
	ice_list_free(&t.l);

	memset(&t.l, 0, sizeof(t.l));
	ck_assert_int_eq(api_take_servers(&t.l, t.doc, 0, 0, &t.st), 0);
	ck_assert_int_eq(ice_list_add(&t.l, "turn:other.example.org:3478",
	    METERED_USER, METERED_CRED, 0, err, sizeof(err)), 0);
	check_entry(&t.l, 1, METERED_USER, METERED_CRED, NURLS(both), both);
	taken_free(&t);
}
END_TEST

/* --- entries that cannot be used --- */

START_TEST(test_bad_entries_dropped_with_a_warning)
{
	static const char *const stun[] = { "stun:ok.example.org:3478" };
	static const char *const turn[] = { "turn:t.example.org:3478",
		"turns:t.example.org:443?transport=tcp" };
	struct taken	 t;

	taken_start(&t, parse("["
	    "{\"urls\":\"turn://x\",\"username\":\"u\",\"credential\":\"c\"},"
	    "{\"urls\":\"stun:ok.example.org\"},"
	    "{\"urls\":\"http://x\"},"
	    "42,"
	    "{\"username\":\"u\",\"credential\":\"c\"},"
	    "{\"urls\":[\"turn:t.example.org:3478\",7,\"turn:t.example.org:"
	    "99999\",\"turns:t.example.org:443?transport=tcp\"],"
	    "\"username\":\"u\",\"credential\":\"c\"},"
	    "{\"urls\":\"turn:t.example.org:3478?transport=tcp\"},"
	    "{\"urls\":{\"x\":1},\"username\":\"u\",\"credential\":\"c\"}"
	    "]"));
	ck_assert_int_eq(api_take_servers(&t.l, t.doc, 0, 0, &t.st), 0);
	ck_assert_uint_eq(t.l.n, 2);
	check_entry(&t.l, 0, NULL, NULL, NURLS(stun), stun);
	check_entry(&t.l, 1, "u", "c", NURLS(turn), turn);
	/* turn://x, http://x, 42, no urls, 7, port 99999, TURN without
	 * credentials, urls an object: 8, the first named. */
	ck_assert_msg(starts_with(t.st.warning, "8 entries dropped; first: "
	    "dropped 'turn://x': "), "warning: %s", t.st.warning);
	ck_assert_str_eq(t.st.error, "");
	ck_assert_int_eq(t.st.permanent, 0);
	taken_free(&t);
}
END_TEST

START_TEST(test_one_bad_entry_warning)
{
	struct taken	 t;

	taken_start(&t, parse("[{\"urls\":\"stun:ok.example.org\"},"
	    "{\"urls\":\"http://x\"}]"));
	ck_assert_int_eq(api_take_servers(&t.l, t.doc, 0, 0, &t.st), 0);
	ck_assert_uint_eq(t.l.n, 1);
	ck_assert_str_eq(t.st.warning, "1 entry dropped; first: dropped "
	    "'http://x': unknown scheme (expected stun:, stuns:, turn: or "
	    "turns:)");
	taken_free(&t);
}
END_TEST

START_TEST(test_warning_escapes_provider_text)
{
	struct taken	 t;

	taken_start(&t, parse("[{\"urls\":\"stun:ok.example.org\"},"
	    "{\"urls\":\"turn:\\u0001x\\n\",\"username\":\"u\","
	    "\"credential\":\"c\"}]"));
	ck_assert_int_eq(api_take_servers(&t.l, t.doc, 0, 0, &t.st), 0);
	ck_assert_msg(strstr(t.st.warning, "'turn:\\x01x\\x0a'") != NULL,
	    "warning: %s", t.st.warning);
	ck_assert_ptr_null(strchr(t.st.warning, '\n'));
	ck_assert_ptr_null(strchr(t.st.warning, '\001'));
	taken_free(&t);
}
END_TEST

START_TEST(test_credentials_must_be_printable)
{
	struct taken	 t;

	taken_start(&t, parse("[{\"urls\":\"turn:t.example.org\","
	    "\"username\":\"u\",\"credential\":\"c\\u0007d\"}]"));
	ck_assert_int_eq(api_take_servers(&t.l, t.doc, 0, 0, &t.st), -1);
	ck_assert_uint_eq(t.l.n, 0);
	ck_assert_msg(strstr(t.st.error, "username or credential") != NULL,
	    "error: %s", t.st.error);
	taken_free(&t);
}
END_TEST

static const struct {
	const char	*body;
	int		 skip53;
	const char	*error;		/* what st.error starts with */
} unusable[] = {
	{ "[]", 0, "answer holds no usable server" },
	{ "{}", 0, "answer holds no usable server: 1 entry dropped" },
	{ "null", 0, "answer holds no usable server: 1 entry dropped" },
	{ "\"stun:a.example.org\"", 0,
	    "answer holds no usable server: 1 entry dropped" },
	{ "[{\"urls\":\"http://x\"}]", 0, "answer holds no usable server: "
	    "1 entry dropped; first: dropped 'http://x': unknown scheme" },
	{ "[{\"urls\":[]}]", 0, "answer holds no usable server" },
	{ "[{\"urls\":\"turn:t.example.org\"}]", 0,
	    "answer holds no usable server: 1 entry dropped; first: dropped "
	    "'turn:t.example.org': a TURN URI needs a username and a "
	    "credential" },
	{ "[{\"urls\":\"turn:t.example.org\",\"username\":\"u\","
	    "\"credential\":\"\"}]", 0, "answer holds no usable server: "
	    "1 entry dropped" },
	{ "[{\"urls\":\"turn:t.example.org\",\"username\":\"u\","
	    "\"credential\":5}]", 0, "answer holds no usable server: "
	    "1 entry dropped" },
	{ "[{\"urls\":[\"stun:stun.cloudflare.com:53\","
	    "\"turn:turn.cloudflare.com:53?transport=udp\"],\"username\":\"u\","
	    "\"credential\":\"c\"}]", 1, "answer holds no usable server" },
};

START_TEST(test_no_usable_server)
{
	struct taken	 t;

	taken_start(&t, parse(unusable[_i].body));
	ck_assert_int_eq(api_take_servers(&t.l, t.doc, 0, unusable[_i].skip53,
	    &t.st), -1);
	ck_assert_uint_eq(t.l.n, 0);
	ck_assert_msg(starts_with(t.st.error, unusable[_i].error),
	    "body %s: error '%s', expected '%s...'", unusable[_i].body,
	    t.st.error, unusable[_i].error);
	/* The reason moved into the error. */
	ck_assert_str_eq(t.st.warning, "");
	ck_assert_int_eq(t.st.permanent, 1);
	taken_free(&t);
}
END_TEST

/* --- Xirsys and Turnix --- */

/* Xirsys's answer with format=urls: one object, STUN among the URLs. */
START_TEST(test_xirsys_urls)
{
	static const char *const stun[] = { "stun:eu-turn4.xirsys.com:3478" };
	static const char *const turn[] = {
		"turn:eu-turn4.xirsys.com:80?transport=udp",
		"turn:eu-turn4.xirsys.com:3478?transport=udp",
		"turn:eu-turn4.xirsys.com:80?transport=tcp",
		"turn:eu-turn4.xirsys.com:3478?transport=tcp",
		"turns:eu-turn4.xirsys.com:443?transport=tcp",
		"turns:eu-turn4.xirsys.com:5349?transport=tcp" };
	struct taken	 t;

	taken_start(&t, fixture("xirsys-turn.json"));
	ck_assert_int_eq(xirsys_take(&t.l, t.doc, 0, 5000, &t.st), 0);
	stun_then_turn(&t.l, stun, NURLS(stun), XIRSYS_USER, XIRSYS_CRED, turn,
	    NURLS(turn));
	ck_assert_int_eq(ice_list_expires(&t.l), 5000);
	ck_assert_str_eq(t.st.error, "");
	ck_assert_str_eq(t.st.warning, "");
	taken_free(&t);
}
END_TEST

/* "s" decides, whatever the HTTP status was; the reason is escaped. */
START_TEST(test_xirsys_errors)
{
	static const struct {
		const char	*doc;
		const char	*error;
	} cases[] = {
		{ "{\"s\":\"error\",\"v\":\"unauthorized\"}",
		    "Xirsys refused: unauthorized (check XIRSYS_IDENT, "
		    "XIRSYS_SECRET and XIRSYS_CHANNEL)" },
		{ "{\"s\":\"error\",\"v\":\"no\\nway\"}",
		    "Xirsys refused: no\\x0away (check" },
		{ "{\"s\":\"error\"}", "Xirsys refused: error (check" },
		{ "{\"s\":\"error\",\"v\":{\"iceServers\":{\"urls\":"
		    "[\"stun:x\"]}}}", "Xirsys refused: error (check" },
		{ "{\"v\":{\"iceServers\":{\"urls\":[\"stun:x\"]}}}",
		    "answer is not {\"s\":\"ok\"" },
		{ "{\"s\":\"ok\",\"v\":\"x\"}", "answer is not" },
		{ "{\"s\":\"ok\",\"v\":{\"iceServers\":\"stun:x\"}}",
		    "answer is not" },
		{ "[]", "answer is not" },
	};
	struct taken	 t;
	size_t	 i;

	for (i = 0; i < NURLS(cases); i++) {
		taken_start(&t, parse(cases[i].doc));
		ck_assert_int_eq(xirsys_take(&t.l, t.doc, 0, 5000, &t.st), -1);
		ck_assert_msg(starts_with(t.st.error, cases[i].error),
		    "%s: %s", cases[i].doc, t.st.error);
		ck_assert_int_eq(t.st.permanent, 1);
		ck_assert_uint_eq(t.l.n, 0);
		taken_free(&t);
	}
}
END_TEST

/* Turnix's documented answer, expiresAt from its SDKs: a time granted
 * sooner than asked wins, and -v is told. */
START_TEST(test_turnix_credentials)
{
	static const char *const stun[] = { "stun:stun.turnix.io:3478" };
	static const char *const turn[] = {
		"turn:some-region.tunix.io:3478?transport=udp",
		"turn:some-region.tunix.io:3478?transport=tcp" };
	struct taken	 t;
	time_t	 at = RECORDED_EXPIRES;

	taken_start(&t, fixture("turnix-credentials.json"));
	ck_assert_int_eq(turnix_take(&t.l, t.doc, at - 600, at + 3000, &t.st),
	    0);
	stun_then_turn(&t.l, stun, NURLS(stun), TURNIX_USER, TURNIX_CRED, turn,
	    NURLS(turn));
	ck_assert_int_eq(ice_list_expires(&t.l), at);
	ck_assert_str_eq(t.st.note, "granted 600 s of the 3600 asked");
	ice_list_free(&t.l);

	/* Granted longer than asked: not believed, nothing to say. */
	empty(&t.l, &t.st);
	ck_assert_int_eq(turnix_take(&t.l, t.doc, at - 600, at - 300, &t.st),
	    0);
	ck_assert_int_eq(ice_list_expires(&t.l), at - 300);
	ck_assert_str_eq(t.st.note, "");
	ice_list_free(&t.l);

	/* Expired on arrival: nothing taken. */
	empty(&t.l, &t.st);
	ck_assert_int_eq(turnix_take(&t.l, t.doc, at, at + 3600, &t.st), -1);
	ck_assert_msg(strstr(t.st.error, "expired on arrival") != NULL, "%s",
	    t.st.error);
	ck_assert_uint_eq(t.l.n, 0);
	taken_free(&t);
}
END_TEST

/* Without expiresAt, or with one that is no time, the ttl asked. */
START_TEST(test_turnix_without_expires_at)
{
	static const char *const docs[] = {
		"{\"iceServers\":[{\"urls\":[\"turn:t.example:3478\"],"
		    "\"username\":\"u\",\"credential\":\"c\"}]}",
		"{\"iceServers\":[{\"urls\":[\"turn:t.example:3478\"],"
		    "\"username\":\"u\",\"credential\":\"c\"}],"
		    "\"expiresAt\":null}",
		"{\"iceServers\":[{\"urls\":[\"turn:t.example:3478\"],"
		    "\"username\":\"u\",\"credential\":\"c\"}],"
		    "\"expiresAt\":\"tomorrow\"}" };
	struct taken	 t;
	size_t	 i;

	for (i = 0; i < NURLS(docs); i++) {
		taken_start(&t, parse(docs[i]));
		ck_assert_int_eq(turnix_take(&t.l, t.doc, 1000, 4600, &t.st),
		    0);
		ck_assert_int_eq(ice_list_expires(&t.l), 4600);
		ck_assert_uint_eq(t.l.n, 1);
		if (i == 2)
			ck_assert_str_eq(t.st.note, "expiresAt 'tomorrow' is "
			    "no time: the ttl asked is used");
		taken_free(&t);
	}
	taken_start(&t, parse("{\"expiresAt\":\"2026-11-22T03:26:36Z\"}"));
	ck_assert_int_eq(turnix_take(&t.l, t.doc, 1000, 4600, &t.st), -1);
	ck_assert_str_eq(t.st.error, "answer has no iceServers");
	cJSON_Delete(t.doc);
}
END_TEST

/* --- Twilio's regions and edges --- */

START_TEST(test_twilio_region_base)
{
	static const struct {
		const char	*region, *edge;
		const char	*want;	/* the base, or the start of why */
	} cases[] = {
		{ "ie1", "dublin", "https://api.dublin.ie1.twilio.com" },
		{ "au1", "sydney", "https://api.sydney.au1.twilio.com" },
		{ "IE1", "Dublin", "https://api.dublin.ie1.twilio.com" },
		{ NULL, "sydney", "https://api.sydney.us1.twilio.com" },
		{ "us1", NULL, "https://api.us1.twilio.com" },
		{ "us1", "ashburn", "https://api.ashburn.us1.twilio.com" },
		{ "ie1", NULL, "TWILIO_REGION=ie1 needs TWILIO_EDGE=dublin: "
		    "api.ie1.twilio.com was retired" },
		{ "au1", NULL, "TWILIO_REGION=au1 needs TWILIO_EDGE=sydney" },
		{ "de1", NULL, "TWILIO_REGION=de1 needs TWILIO_EDGE: "
		    "api.de1.twilio.com was retired" },
		{ "jp1", NULL, "TWILIO_REGION=jp1 needs TWILIO_EDGE: " },
		{ "zz9", NULL, "TWILIO_REGION=zz9 needs TWILIO_EDGE: only us1" },
		{ "ie1.example.org", "dublin", "TWILIO_REGION: not a region" },
		{ "", "dublin", "TWILIO_REGION: not a region" },
		{ "ie1", "a/b", "TWILIO_EDGE: not an edge" },
		{ "ie1", "-dublin", "TWILIO_EDGE: not an edge" },
		{ "ie1", "dublin@x", "TWILIO_EDGE: not an edge" },
	};
	struct strbuf	 b;
	char	 why[256];
	size_t	 i;
	int	 rc;

	for (i = 0; i < NURLS(cases); i++) {
		memset(&b, 0, sizeof(b));
		why[0] = '\0';
		rc = twilio_region_base(cases[i].region, cases[i].edge, &b,
		    why, sizeof(why));
		if (starts_with(cases[i].want, "https://")) {
			ck_assert_msg(rc == 0, "%s/%s: %s", cases[i].region,
			    cases[i].edge, why);
			ck_assert_str_eq(b.s, cases[i].want);
		} else {
			ck_assert_msg(rc == -1, "%s/%s accepted",
			    cases[i].region, cases[i].edge);
			ck_assert_msg(starts_with(why, cases[i].want), "%s",
			    why);
			ck_assert_ptr_null(b.s);
		}
		sb_free(&b);
	}
}
END_TEST

/* --- API base settings --- */

START_TEST(test_check_base)
{
	static const char *const good[] = { "https://api.twilio.com",
		"https://api.twilio.com/", "https://127.0.0.1:8443",
		"https://[::1]:8443/prefix" };
	static const char *const bad[] = { "http://api.twilio.com",
		"https://", "https:///x", "api.twilio.com",
		"https://user:secret@api.twilio.com", "https://h/?x=1",
		"https://h/#f", "https://h /x", "" };
	char	 why[256];
	size_t	 i;

	for (i = 0; i < NURLS(good); i++) {
		why[0] = '\0';
		ck_assert_msg(api_check_base(good[i], "X_API_BASE", why,
		    sizeof(why)) == 0, "%s refused: %s", good[i], why);
	}
	for (i = 0; i < NURLS(bad); i++) {
		why[0] = '\0';
		ck_assert_msg(api_check_base(bad[i], "X_API_BASE", why,
		    sizeof(why)) == -1, "%s accepted", bad[i]);
		ck_assert_msg(starts_with(why, "X_API_BASE: '"), "why: %s",
		    why);
		ck_assert_msg(strstr(why, "is not an https:// base URL") !=
		    NULL, "why: %s", why);
	}
}
END_TEST

START_TEST(test_add_base)
{
	struct strbuf	 b = { 0 };

	api_add_base(&b, "https://h.example.org///");
	sb_adds(&b, "/v1");
	ck_assert_str_eq(b.s, "https://h.example.org/v1");
	sb_free(&b);
	memset(&b, 0, sizeof(b));
	api_add_base(&b, "https://h.example.org/p");
	ck_assert_str_eq(b.s, "https://h.example.org/p");
	sb_free(&b);
}
END_TEST

START_TEST(test_safe_token)
{
	static const struct {
		const char	*in;
		int		 want;
	} tokens[] = {
		{ "turnkey-0f9e_8D", 1 }, { "", 0 }, { NULL, 0 }, { "a/b", 0 },
		{ "a.b", 0 }, { "a%2fb", 0 }, { "a b", 0 }, { "..", 0 },
	};
	char	 long_token[130];
	size_t	 i;

	for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
		ck_assert_msg(api_safe_token(tokens[i].in) == tokens[i].want,
		    "api_safe_token(\"%s\") != %d",
		    tokens[i].in != NULL ? tokens[i].in : "(null)",
		    tokens[i].want);
	memset(long_token, 'a', sizeof(long_token));
	long_token[128] = '\0';
	ck_assert_int_eq(api_safe_token(long_token), 1);
	long_token[128] = 'a';
	long_token[129] = '\0';
	ck_assert_int_eq(api_safe_token(long_token), 0);
}
END_TEST

/* A user part or a query never shows; the rest does. */
START_TEST(test_shown_url)
{
	static const char *const cases[][2] = {
		{ "https://h.example/x", "https://h.example/x" },
		{ "https://h.example/x?key=k1",
		    "https://h.example/x?[redacted]" },
		{ "https://me:pw@h.example:8443/x",
		    "https://[redacted]@h.example:8443/x" },
		{ "https://a@b@h.example?q",
		    "https://[redacted]@h.example?[redacted]" },
		{ "https://h.example/p@th", "https://h.example/p@th" },
		{ "not a url?x", "not a url?[redacted]" },
	};
	struct strbuf	 b = { 0 };
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b.len = 0;
		api_shown_url(cases[i][0], &b);
		ck_assert_str_eq(b.s, cases[i][1]);
	}
	sb_free(&b);
}
END_TEST

UNIT_SUITE(providers_api)
{
	Suite	*s = suite_create("providers_api");
	TCase	*tc;

	unit_tcase(s, "documented answers", TESTS(test_twilio_tokens,
	    test_twilio_legacy_url_key, test_urls_wins_over_url,
	    test_cloudflare_drops_port_53,
	    test_cloudflare_keeps_port_53_when_asked,
	    test_cloudflare_legacy_object, test_metered_credentials,
	    test_adds_to_a_list));
	tc = unit_tcase(s, "unusable entries",
	    TESTS(test_bad_entries_dropped_with_a_warning,
	    test_one_bad_entry_warning, test_warning_escapes_provider_text,
	    test_credentials_must_be_printable));
	UNIT_LOOP(tc, test_no_usable_server, unusable);
	unit_tcase(s, "xirsys and turnix", TESTS(test_xirsys_urls,
	    test_xirsys_errors, test_turnix_credentials,
	    test_turnix_without_expires_at));
	unit_tcase(s, "bases", TESTS(test_check_base, test_add_base,
	    test_safe_token, test_twilio_region_base, test_shown_url));
	return s;
}
