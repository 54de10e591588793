#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Operator documentation stays true to the binary:
#  - the man page renders with no groff warning;
#  - every command `podroute --help` lists has its section in the man page,
#    and every long option a command's --help prints is documented there;
#  - every packet-counter reason the binary knows is described;
#  - bash completion offers exactly the commands of `podroute --help`, every
#    long option of each command, interface names after --underlay, and
#    on/off after shadow.
set -u
cd "$(dirname "$0")/../.."
P=build/podroute MAN=deploy/podroute.8 COMP=deploy/podroute.bash-completion
fails=0
check() { # description, then a command that must succeed
	local what=$1; shift
	if "$@"; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi
}
[ -x "$P" ] || { echo "not ok - $P missing (make)"; exit 1; }
man_text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$MAN")
cmds=$("$P" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')

warn=$(LC_ALL=C groff -man -ww -z "$MAN" 2>&1)
check "man page renders without warnings${warn:+: $warn}" test -z "$warn"
check "podroute --help lists commands" test -n "$cmds"
for c in $cmds; do
	check "man page has a section for '$c'" grep -qE "^\.SS \"podroute $c( |\")" "$MAN"
	for o in $("$P" "$c" --help 2>/dev/null | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u); do
		[ "$o" = --help ] && continue
		check "man page documents '$c $o'" grep -qF -- "$o" <<<"$man_text"
	done
done
for r in $(sed -nE 's/.*\[PR_R_[A-Z_]+\] = \{ "([a-z-]+)".*/\1/p' user/lib/names.c); do
	check "man page describes reason '$r'" grep -qxF -- "$r" <<<"$(sed -n '/^\.B /s/^\.B //p' "$MAN" | sed 's/\\-/-/g')"
done

# Completion: run the function as bash would, print COMPREPLY.
complete_words() { # words... (the last one is being completed)
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _podroute; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$COMP" "$@" | sort
}
check "completion offers exactly the commands" test "$(complete_words podroute '')" = "$(sort <<<"$cmds")"
check "completion after a global option" test "$(complete_words podroute -j '')" = "$(sort <<<"$cmds")"
globals="--json --pretty --debug --log-format --pin-dir --version --help"
for o in $("$P" --help | sed -n '/^Global options/,$p' | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u); do
	check "man page documents global '$o'" grep -qF -- "$o" <<<"$man_text"
	check "completion offers global '$o'" grep -qxF -- "$o" <<<"$(complete_words podroute -)"
done
check "completion: text|json after --log-format" \
	test "$(complete_words podroute --log-format '' | tr '\n' ' ')" = "json text "
check "completion: the command after --log-format VALUE" \
	test "$(complete_words podroute --log-format json '')" = "$(sort <<<"$cmds")"
for c in $cmds; do
	# Commands with sub-words (debug netlink, config render|sync) take their
	# options after the sub-word: complete there, per sub-word.
	subs=$("$P" "$c" --help 2>/dev/null | sed -nE "s/^(Usage:)? +podroute $c ([a-z][a-z-]*)( .*)?$/\2/p" | sort -u)
	for sub in ${subs:-""}; do
		offered=$(complete_words podroute "$c" ${sub:+"$sub"} -)
		for o in $("$P" "$c" ${sub:+"$sub"} --help 2>/dev/null | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u); do
			grep -qxF -- "$o" <<<"${globals// /$'\n'}" && continue
			check "completion offers '$c${sub:+ $sub} $o'" grep -qxF -- "$o" <<<"$offered"
		done
	done
done
check "completion: interface names after --underlay" grep -qx lo <<<"$(complete_words podroute attach --underlay '')"
check "completion: shadow on|off" test "$(complete_words podroute shadow '' | tr '\n' ' ')" = "off on "
check "completion: net set/del" test "$(complete_words podroute net '' | tr '\n' ' ')" = "del set "
ver=$("$P" --version)
check "--version names the libraries and the kernel" grep -q "^libbpf .*, libxdp .*" <<<"$ver"
check "--version -j carries versions and kernel features" \
	jq -e '(.map_abi | type == "number") and .libbpf and .libxdp and .kernel.release and
	       (.kernel.btf | type == "boolean") and (.kernel.vrf_fib_lookup | type == "boolean") and
	       (.kernel.xdp_metadata | type == "boolean")' \
	<<<"$("$P" --version -j)"
# Global options after the command, as operators type them.
after=$("$P" status --pin-dir /nonexistent/podroute -j 2>/dev/null; echo "rc=$?")
before=$("$P" -j --pin-dir /nonexistent/podroute status 2>/dev/null; echo "rc=$?")
check "global options after the command (status --pin-dir DIR -j)" test "$after" = "$before"
check "... give JSON and the not-attached exit code" grep -qx 'rc=3' <<<"$after"
check "... and --pin-dir=DIR" jq -e '.error | test("/nonexistent/x")' \
	<<<"$("$P" routes --pin-dir=/nonexistent/x --json 2>/dev/null)"
check "nothing pinned: one error line" test "$("$P" --pin-dir /nonexistent/podroute status 2>&1 | wc -l)" -eq 1
echo "docs: $fails failed"
[ "$fails" -eq 0 ]
