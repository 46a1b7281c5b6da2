#!/bin/sh
# embed.sh NAME FILE: a C source holding FILE's bytes as the string NAME
# (NUL-terminated) and its length as NAME_len, on stdout.
set -eu
name=$1
file=$2
printf '/* Generated from %s by scripts/embed.sh: do not edit. */\n' "$file"
printf '#include <stddef.h>\n\nextern const char %s[];\n' "$name"
printf 'extern const size_t %s_len;\n\n' "$name"
printf 'const char %s[] = {\n' "$name"
od -An -v -tx1 "$file" | sed 's/[0-9a-f][0-9a-f]/0x&,/g; s/^ *//'
printf '0 };\nconst size_t %s_len = sizeof(%s) - 1;\n' "$name" "$name"
