#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The shipped ConfigMap's base serves every node: `config check` accepts it
# (underlay: auto, underlay_from: node), and `config render` for a Node
# writes that Node's InternalIP as underlay_from; with an override added
# for a label, a Node carrying it gets the override's interfaces (and the
# file says so), one without it the base's.
set -u
cd "$(dirname "$0")/../.."
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi; }
P=build/podroute FIX=selftests/unit/fixtures/k8s
PY=/usr/bin/python3
[ -x "$P" ] || { echo "not ok - $P missing (make)"; exit 1; }
"$PY" -c 'import yaml' 2>/dev/null || { echo "python3-yaml missing"; exit 4; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" -c 'import sys, yaml; sys.stdout.write(yaml.safe_load(open(sys.argv[1]))["data"]["base.yaml"])' \
	deploy/k8s/configmap.yaml >"$tmp/base.yaml"
check "the ConfigMap's base passes config check" "$P" config check "$tmp/base.yaml"
check "it finds the underlay on each node (underlay: auto, underlay_from: node)" \
	grep -qE '^  underlay: auto$' "$tmp/base.yaml"
out=$("$P" config render --node worker-1 --base "$tmp/base.yaml" --input "$FIX/nodes-addressed.json" \
	--input "$FIX/ra-default.json" 2>/dev/null)
check "rendered for worker-1: its InternalIP as underlay_from" grep -qx '  underlay_from: 172.18.0.11' <<<"$out"

# An override for zone a (worker-1 has it; worker-2 does not).
cat "$tmp/base.yaml" - >"$tmp/over.yaml" <<'YAML'
node_overrides:
  - match_labels: {zone: a}
    interfaces: {underlay: [eth7], brex: br-ex, ovn: [ovn-k8s-mp0]}
YAML
out=$("$P" config render --node worker-1 --base "$tmp/over.yaml" --input "$FIX/nodes-addressed.json" \
	--input "$FIX/ra-default.json" 2>/dev/null)
check "a Node with the label gets the override's underlay" grep -qx '  underlay: \[eth7\]' <<<"$out"
check "the rendered file names the override" grep -q '^# interfaces: node_overrides\[0\]' <<<"$out"
check "no overrides left in the rendered file" test -z "$(grep '^node_overrides' <<<"$out")"
out=$("$P" config render --node worker-2 --base "$tmp/over.yaml" --input "$FIX/nodes-addressed.json" \
	--input "$FIX/ra-default.json" 2>/dev/null)
check "a Node without the label keeps the base's interfaces" \
	sh -c "grep -A1 -x '  underlay: auto' | grep -qx '  underlay_from: 172.18.0.12'" <<<"$out"
check "and the file names no override" test -z "$(grep '^# interfaces:' <<<"$out")"
echo "configmap base: $fails failed"
[ "$fails" -eq 0 ]
