#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The binary's real log output (no mocks, no privileges: paths that fail
# before any BPF is loaded):
#  - --log-format json: every stderr line, read one line at a time, is one
#    JSON object jq accepts, with ts (RFC 3339, UTC, milliseconds), level
#    and msg, and the structured fields of the config refusal; also when the
#    message holds quotes, a newline and invalid UTF-8 (a config path);
#  - before or after the command, like the other global options; a usage
#    error in JSON mode is a JSON line too; a bad format is refused;
#  - text (the default): every line starts with the timestamp, then
#    "<level>: ", and keeps the message greppable as before.
set -u
cd "$(dirname "$0")/../.."
P=build/podroute
fails=0
check() { local what=$1; shift; if "$@" >/dev/null; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi; }
[ -x "$P" ] || { echo "not ok - $P missing (make)"; exit 1; }
command -v jq >/dev/null || { echo "jq missing"; exit 4; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ts_re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'

printf 'interfaces:\n  underlay: [in0]\nnetworks:\n  - name: a\n    prefixes: [10.128.1.1/24]\n    target: {action: pass}\n' >"$t/bad.yaml"
hostile=$'q"uote\nline\xff.yaml'

# Each line on its own: a pretty-printed object over several lines, or
# two objects on one, would fail here where `jq . <file` would pass.
json_lines() { # file: every line one JSON object with ts, level, msg
	local n=0 line
	while IFS= read -r line; do
		n=$((n + 1))
		printf '%s' "$line" | jq -e --arg re "$ts_re" \
			'type == "object" and (.ts | test($re)) and (.level | IN("error", "warn", "info", "debug"))
			 and (.msg | type == "string")' >/dev/null || { echo "# line $n: $line"; return 1; }
	done <"$1"
	[ "$n" -gt 0 ]
}

"$P" agent --once --log-format json --config "$t/bad.yaml" 2>"$t/a.err"; rc=$?
check "json: a refused config exits 1" test "$rc" -eq 1
check "json: every line parses alone" json_lines "$t/a.err"
check "json: the refusal carries config, error and outcome fields" \
	jq -s -e --arg c "$t/bad.yaml" 'any(.[]; (.msg | startswith("config rejected")) and .level == "error"
		and .config == $c and (.error | test("bad prefix \"10.128.1.1/24\"")) and .outcome == "not-starting")' \
	"$t/a.err"

"$P" -d agent --once --config "$t/$hostile" --log-format=json 2>"$t/h.err"
check "json: a path with a quote, a newline and invalid UTF-8 stays one valid line" json_lines "$t/h.err"
check "json: ... the newline escaped, the bad byte U+FFFD" \
	jq -s -e 'any(.[]; .msg | contains("q\"uote\nline\ufffd.yaml"))' "$t/h.err"

"$P" --log-format json agent --no-such-option 2>"$t/u.err"; rc=$?
check "json: a usage error exits 2" test "$rc" -eq 2
check "json: ... and is a JSON line naming the option" \
	sh -c "json_ok=\$(jq -r .msg '$t/u.err') && [ \"\$json_ok\" = 'bad option \"--no-such-option\"' ]"
check "json: ... alone on stderr" test "$(wc -l <"$t/u.err")" -eq 1

"$P" -d --log-format json status --pin-dir "$t/none" >/dev/null 2>"$t/s.err"
check "json: debug lines too" jq -s -e 'any(.[]; .level == "debug")' "$t/s.err"
check "json: every line parses alone (status -d)" json_lines "$t/s.err"

"$P" status --log-format xml 2>"$t/x.err"; rc=$?
check "a bad --log-format is a usage error" test "$rc" -eq 2
check "... that says what is expected" grep -q 'bad --log-format "xml": expected text or json' "$t/x.err"

"$P" agent --once --config "$t/bad.yaml" 2>"$t/text.err"
check "text: every line starts with an RFC 3339 UTC timestamp and a level" \
	sh -c "[ -s '$t/text.err' ] && ! grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z (error|warn|info|debug): ' '$t/text.err'"
check "text: the message as before, fields after it" \
	grep -qE 'error: config rejected, not starting: .*bad prefix "10.128.1.1/24".* config=' "$t/text.err"
echo "logs: $fails failed"
[ "$fails" -eq 0 ]
