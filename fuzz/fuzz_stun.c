/* fuzz_stun.c: a STUN/TURN message as a server would answer a probe:
 * framing, stun_parse() and every getter; a message that parses must stay
 * inside its buffer and its attributes inside the message. */
#include <sys/socket.h>

#include "../src/probe/stun.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t xor_types[] = { STUN_A_XOR_MAPPED_ADDRESS,
	    STUN_A_XOR_RELAYED_ADDRESS, STUN_A_XOR_PEER_ADDRESS,
	    STUN_A_MAPPED_ADDRESS, STUN_A_ALTERNATE_SERVER };
	static const uint16_t str_types[] = { STUN_A_REALM, STUN_A_NONCE,
	    STUN_A_SOFTWARE, STUN_A_USERNAME };
	struct stun_view	 v;
	struct sockaddr_storage	 ss;
	uint8_t			*buf, key[STUN_KEY_LEN];
	char			 text[STUN_TEXT_MAX + 1], addr[64];
	uint32_t		 u;
	size_t			 i;
	long			 flen;
	int			 code;

	if (size > 64 * 1024)
		return 0;
	/* An exact-size copy, so that ASan sees any read past the end. */
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	if (size >= STUN_HEADER_LEN) {
		flen = stun_frame_len(buf, size);
		if (flen != -1 && (flen < STUN_HEADER_LEN ||
		    flen > STUN_MSG_MAX))
			abort();
	}
	if (stun_parse(buf, size, &v) == 0) {
		if (v.len != size || v.nattrs > STUN_ATTRS_MAX)
			abort();
		for (i = 0; i < v.nattrs; i++)
			if (v.attrs[i].val < buf ||
			    v.attrs[i].val + v.attrs[i].len > buf + size)
				abort();
		for (i = 0; i < sizeof(xor_types) / sizeof(*xor_types); i++)
			if (stun_get_xor_addr(&v, xor_types[i], &ss) == 0)
				(void)stun_addr_str(&ss, addr, sizeof(addr));
		for (i = 0; i < sizeof(str_types) / sizeof(*str_types); i++)
			(void)stun_get_str(&v, str_types[i], text,
			    sizeof(text));
		(void)stun_get_str(&v, STUN_A_REALM, text, 8);
		if (stun_get_error(&v, &code, text, sizeof(text)) == 0 &&
		    (code < 300 || code > 699))
			abort();
		(void)stun_get_error(&v, &code, text, 4);
		(void)stun_get_u32(&v, STUN_A_LIFETIME, &u);
		(void)stun_unknown_required(&v);
		(void)stun_find(&v, STUN_A_DATA);
		(void)stun_check_fingerprint(&v);
		memset(key, 0x5a, sizeof(key));
		(void)stun_check_integrity(&v, key, sizeof(key));
	}
	free(buf);
	return 0;
}
