package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestRunMatchSmall runs the -match mode's whole code path at small scale —
// launcher, associations, imports, admins, belts, policies, both engines
// (Bleve, then the launcher restarted on the same data over a real
// Meilisearch server), the open-loop load and the freshness phases — so CI proves
// `go run ./deploy/bench -match` works. It asserts the answers (every
// request succeeded and was well-formed, every index holds every object,
// every write became searchable), never a timing.
func TestRunMatchSmall(t *testing.T) {
	opts := DefaultOptions()
	opts.Match.Enabled = true
	m := &opts.Match
	m.Firms, m.Associations, m.MemberAssociations, m.AssociationAdmins, m.Belts, m.Policies = 300, 20, 10, 3, 8, 50
	m.Rate, m.Duration, m.Warmup, m.WriteRate = 20, 2*time.Second, time.Second, 5
	var out, logs bytes.Buffer
	start := time.Now()
	res, err := runMatch(t.Context(), opts, &out, &logs)
	t.Logf("output:\n%s", out.String())
	if logs.Len() > 0 {
		t.Logf("logs:\n%s", logs.String())
	}
	if err != nil {
		t.Fatalf("runMatch: %v", err)
	}
	t.Logf("took %s", time.Since(start))
	if n := res.errorCount(); n > 0 || len(res.Problems) > 0 {
		t.Fatalf("%d failed or wrong answers:\n%s", n, strings.Join(res.Problems, "\n"))
	}

	l := res.Load
	if l.FirmCount() != 300 || len(l.Associations) != 20 || len(l.PolicyIDs) != 50 || len(l.Belts) != 8 || len(l.Admins) != 3 {
		t.Errorf("loaded %d firms, %d associations, %d policies, %d belts, %d admins; want 300, 20, 50, 8, 3",
			l.FirmCount(), len(l.Associations), len(l.PolicyIDs), len(l.Belts), len(l.Admins))
	}
	if l.Imports != 10 || l.LinkedRows == 0 {
		t.Errorf("%d imports with %d linked rows; want 10 imports, some rows linking a firm to a second association", l.Imports, l.LinkedRows)
	}
	for _, engine := range []string{engineBleve, engineMeili} {
		b := res.Builds[engine]
		if b == nil || b.Counts["firms"] != 300 || b.Counts["associations"] != 20 || b.Counts["policies"] != 50 || b.Counts["belts"] != 8 {
			t.Errorf("%s indexes: %+v", engine, b)
		}
		lr := res.Latency[engine]
		if lr == nil {
			t.Fatalf("%s: no latency phase", engine)
		}
		if lr.Total.N != 40 || lr.WarmupN != 20 {
			t.Errorf("%s: %d measured and %d warm-up requests, want 40 and 20", engine, lr.Total.N, lr.WarmupN)
		}
		sum := 0
		for _, k := range allCallKinds {
			sum += lr.ByKind[k].N
		}
		if sum != lr.Total.N {
			t.Errorf("%s: the kinds count %d requests, the total %d", engine, sum, lr.Total.N)
		}
		f := res.Fresh[engine]
		if f == nil || f.Writes != 10 || f.NotSeen != 0 || len(f.Seen) != 10 {
			t.Errorf("%s freshness: %+v; want all 10 writes found", engine, f)
		}
		if w := res.Writes[engine]; w == nil || w.N != 10 {
			t.Errorf("%s: freshness writes %+v, want 10", engine, w)
		}
	}
	for _, want := range []string{"| Freshness p95", "| All match and search calls", "nDCG@10", "go run ./services/match/eval/cmd/matcheval", "whole run"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestMatchFlags checks that -match takes its own flags and validates
// them, and that the default mode is unchanged.
func TestMatchFlags(t *testing.T) {
	var stderr bytes.Buffer
	o, err := parseFlags([]string{"-match", "-match-firms", "300", "-match-associations", "20", "-match-member-associations", "10",
		"-match-policies", "50", "-rate", "20", "-duration", "2s", "-write-rate", "5", "-match-engines", "bleve"}, &stderr)
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	if !o.Match.Enabled || o.Match.Firms != 300 || o.Match.Rate != 20 || o.Match.Duration != 2*time.Second || len(o.Match.Engines) != 1 {
		t.Errorf("parsed %+v", o.Match)
	}
	if got := o.matchCommand(); !strings.Contains(got, "-match-engines bleve") || !strings.Contains(got, "-match-firms 300") {
		t.Errorf("command %q", got)
	}
	for _, bad := range [][]string{
		{"-match", "-match-engines", "solr"},
		{"-match", "-rate", "0"},
		{"-match", "-match-firms", "100", "-write-rate", "50", "-duration", "20s"},
		{"-match", "-match-firms", "200000", "-match-member-associations", "10"},
	} {
		if _, err := parseFlags(bad, &stderr); err == nil {
			t.Errorf("parseFlags(%v) accepted", bad)
		}
	}
	d, err := parseFlags(nil, &stderr)
	if err != nil || d.Match.Enabled || d.Rows != 10_000 {
		t.Errorf("default mode: %+v, %v", d, err)
	}
}
