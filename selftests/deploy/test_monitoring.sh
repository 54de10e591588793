#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# deploy/monitoring: the alerts and the dashboard, with no cluster.
#  - promtool check rules on the PrometheusRule's spec.groups;
#  - promtool test rules (selftests/deploy/monitoring/alerts_test.yaml):
#    each alert fires on the series that should trip it, after its `for`,
#    and not before nor on a healthy neighbour; every alert of the rule file
#    has such a test, with a firing case and a silent one;
#  - the dashboard is JSON, and every podroute_* metric its queries (and the
#    alerts') name is one the agent serves: the list comes from the code
#    (the names user/ renders; histograms with _bucket/_sum/_count), not
#    from a hand-kept list; every reason="..." they filter on is one the
#    datapath counts (user/lib/names.c);
#  - the dashboard ConfigMap kustomize renders holds exactly that JSON.
set -u
cd "$(dirname "$0")/../.."
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi; }
PY=/usr/bin/python3
RULE=deploy/monitoring/prometheusrule.yaml DASH=deploy/monitoring/podroute-dashboard.json
command -v promtool >/dev/null || { echo "promtool missing (Debian package prometheus)"; exit 4; }
command -v jq >/dev/null && "$PY" -c 'import yaml' 2>/dev/null || { echo "jq / python3-yaml missing"; exit 4; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

"$PY" -c 'import sys, yaml; yaml.safe_dump({"groups": yaml.safe_load(open(sys.argv[1]))["spec"]["groups"]}, open(sys.argv[2], "w"))' \
	"$RULE" "$t/rules.yaml"
check "promtool check rules (spec.groups of $RULE)" sh -c "promtool check rules '$t/rules.yaml' >'$t/check.out' 2>&1 || { cat '$t/check.out'; exit 1; }"
cp selftests/deploy/monitoring/alerts_test.yaml "$t/"
check "promtool test rules: every alert fires when it should and not otherwise" \
	sh -c "cd '$t' && promtool test rules alerts_test.yaml >test.out 2>&1 || { cat test.out; exit 1; }"
check "every alert has a test that fires and one that stays silent" "$PY" - "$t/rules.yaml" "$t/alerts_test.yaml" <<'PYEOF'
import sys, yaml
alerts = {r["alert"] for g in yaml.safe_load(open(sys.argv[1]))["groups"] for r in g["rules"] if "alert" in r}
fires, silent = set(), set()
for t in yaml.safe_load(open(sys.argv[2]))["tests"]:
    for a in t.get("alert_rule_test", []):
        (fires if a.get("exp_alerts") else silent).add(a["alertname"])
missing = sorted(alerts - fires) + sorted(alerts - silent)
if missing:
    print("# untested (firing or silent):", missing)
sys.exit(1 if missing else 0)
PYEOF

check "dashboard parses as JSON" sh -c "jq -e '.title and (.panels | length > 0)' '$DASH' >/dev/null"
check "dashboard: panel ids unique" test "$(jq '[.panels[].id] | length == (unique | length)' "$DASH")" = true
check "dashboard: every panel's data source is the \${datasource} variable" \
	test "$(jq '[.panels[] | select(.type != "row") | .datasource.uid == "${datasource}"] | all' "$DASH")" = true

# The metrics the agent serves, from the code: every "podroute_*" string
# user/ renders, plus the series a histogram family adds.
grep -rohE '"podroute_[a-z0-9_]+"' user --include='*.c' | tr -d '"' | sort -u >"$t/served"
sed -nE 's/.*pr_prom_family\(b, "(podroute_[a-z0-9_]+)", "histogram".*/\1/p' user/agent/*.c |
	while read -r h; do printf '%s_bucket\n%s_sum\n%s_count\n' "$h" "$h" "$h"; done >>"$t/served"
check "the code's metric list is not empty (and has its histograms)" grep -qx podroute_reconcile_duration_seconds_bucket "$t/served"
jq -r '[.. | objects | .expr // empty] + [.templating.list[].definition // empty] | .[]' "$DASH" >"$t/dash.exprs"
"$PY" -c 'import sys, yaml
for g in yaml.safe_load(open(sys.argv[1]))["groups"]:
    for r in g["rules"]:
        print(r["expr"])' "$t/rules.yaml" >"$t/rule.exprs"
for what in dash rule; do
	unknown=$(grep -ohE 'podroute_[a-z0-9_]+' "$t/$what.exprs" | sort -u | grep -vxF -f "$t/served")
	check "$what: every metric named is served by the agent${unknown:+ (unknown: $(echo $unknown))}" test -z "$unknown"
	reasons=$(sed -nE 's/.*\[PR_R_[A-Z_]+\] = \{ "([a-z-]+)".*/\1/p' user/lib/names.c)
	bad=$(grep -ohE 'reason="[^"]*"' "$t/$what.exprs" | sed -E 's/reason="(.*)"/\1/' | sort -u | grep -vxF -f <(echo "$reasons"))
	check "$what: every reason filtered on is a datapath reason${bad:+ (unknown: $bad)}" test -z "$bad"
done
check "dashboard: queries name podroute metrics at all" grep -q podroute_packets_total "$t/dash.exprs"

if command -v kubectl >/dev/null; then
	kubectl kustomize deploy/monitoring >"$t/mon.yaml" 2>"$t/kust.err"
	check "kustomize renders deploy/monitoring" test -s "$t/mon.yaml"
	check "the dashboard ConfigMap holds exactly $DASH" "$PY" - "$t/mon.yaml" "$DASH" <<'PYEOF'
import json, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
cm = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "podroute-dashboard"]
ok = len(cm) == 1 and json.loads(cm[0]["data"]["podroute-dashboard.json"]) == json.load(open(sys.argv[2])) \
    and cm[0]["metadata"]["labels"].get("grafana_dashboard") == "1"
sys.exit(0 if ok else 1)
PYEOF
else
	echo "# kubectl missing: the rendered ConfigMap is checked by test_manifests.sh's runs only"
fi
echo "monitoring: $fails failed"
[ "$fails" -eq 0 ]
