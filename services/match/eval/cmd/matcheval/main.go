// Command matcheval measures the match service's rankings against the
// labelled evaluation set (services/match/eval): it loads the set into a
// fresh embedded stack (profiles, catalog, match), ranks every query firm's
// policies, associations and belts on each engine, and prints nDCG@10 and
// recall@10 per match kind and engine, whether the engines agree, and the
// worst queries per kind with what was expected against what was returned.
//
//	go run ./services/match/eval/cmd/matcheval [-engines bleve,meilisearch] [-worst 3]
//
// Meilisearch is started the way the tests start it (the pinned binary,
// installed by scripts/meilisearch.sh on first use); run from the
// repository root.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/match/eval"
	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/index/bleveindex"
	"github.com/qihang-hz/qihang/services/match/index/meiliindex"
	"github.com/qihang-hz/qihang/services/match/index/meilitest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := realMain(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "matcheval:", err)
		os.Exit(1)
	}
}

type config struct {
	engines []string
	worst   int
	explain string
}

func parse(args []string) (config, error) {
	fs := flag.NewFlagSet("matcheval", flag.ContinueOnError)
	engines := fs.String("engines", "bleve,meilisearch", "comma-separated engines to evaluate: bleve, meilisearch")
	worst := fs.Int("worst", 3, "how many worst queries to show per kind")
	explain := fs.String("explain", "", "a query firm key (e.g. q10-qt-biomed): print its full ranked lists with scores and reasons")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	c := config{worst: *worst, explain: *explain}
	for _, e := range strings.Split(*engines, ",") {
		e = strings.TrimSpace(e)
		if e != "bleve" && e != "meilisearch" {
			return config{}, fmt.Errorf("-engines: %q: want bleve or meilisearch", e)
		}
		if !slices.Contains(c.engines, e) {
			c.engines = append(c.engines, e)
		}
	}
	if c.worst < 0 {
		return config{}, errors.New("-worst must not be negative")
	}
	return c, nil
}

func realMain(ctx context.Context, args []string, out io.Writer) error {
	cfg, err := parse(args)
	if err != nil {
		return err
	}
	began := time.Now()
	set, err := eval.Load()
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))

	dir, err := os.MkdirTemp("", "matcheval-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	openCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	st, err := store.Open(openCtx, store.Config{DataDir: dir, Logger: logger})
	if err != nil {
		return err
	}
	defer st.Close(context.Background())

	stack, err := eval.Start(ctx, eval.Databases{Profiles: st.Database("eval_profiles"), Catalog: st.Database("eval_catalog")}, logger)
	if err != nil {
		return err
	}
	defer stack.Close()
	loadStart := time.Now()
	if err := stack.Load(set); err != nil {
		return err
	}
	fmt.Fprintf(out, "evaluation set (sample data): %d associations, %d belts, %d policies, %d firms (%d query firms); loaded in %v\n\n",
		len(set.Associations), len(set.Belts), len(set.Policies), set.Firms(), len(set.Queries), time.Since(loadStart).Round(time.Millisecond))

	var reports []*eval.Report
	for _, name := range cfg.engines {
		engine, closeEngine, err := openEngine(name)
		if err != nil {
			return err
		}
		defer closeEngine()
		buildStart := time.Now()
		client, err := stack.Match(ctx, engine)
		if err != nil {
			return err
		}
		build := time.Since(buildStart)
		rep, err := stack.Evaluate(ctx, name, client, set)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s: first index build %v\n", name, build.Round(time.Millisecond))
		reports = append(reports, rep)
	}
	// Stop the match services before the engines close (Close is
	// idempotent; the deferred call then does nothing).
	stack.Close()
	fmt.Fprintln(out)
	printTable(out, reports)
	printAgreement(out, reports)
	printWorst(out, reports, set, cfg.worst)
	if cfg.explain != "" {
		if err := printExplain(out, reports[0], set, cfg.explain); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "\ntotal %v\n", time.Since(began).Round(time.Millisecond))
	return nil
}

// openEngine opens a fresh engine; for Meilisearch it starts a server of
// its own and the returned close stops it.
func openEngine(name string) (index.Engine, func(), error) {
	if name == "bleve" {
		e, err := bleveindex.New(bleveindex.Options{})
		if err != nil {
			return nil, nil, err
		}
		return e, func() { _ = e.Close() }, nil
	}
	p, err := meilitest.StartProcess()
	if err != nil {
		return nil, nil, fmt.Errorf("start meilisearch: %w", err)
	}
	e, err := meiliindex.New(meiliindex.Options{URL: p.URL(), Key: p.Key(), Prefix: "matcheval_"})
	if err != nil {
		_ = p.Stop()
		return nil, nil, err
	}
	return e, func() { _ = e.Close(); _ = p.Stop() }, nil
}

func printTable(out io.Writer, reports []*eval.Report) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tengine\tnDCG@10\trecall@10\tqueries\tmean RPC\t")
	for _, kind := range eval.Kinds() {
		for _, r := range reports {
			k := r.Kind(kind)
			fmt.Fprintf(tw, "%s\t%s\t%.3f\t%.3f\t%d\t%v\t\n", kind, r.Engine, k.NDCG, k.Recall, len(k.Queries), k.Latency.Round(10*time.Microsecond))
		}
	}
	_ = tw.Flush()
	fmt.Fprintln(out, "(mean RPC: one match call over gRPC, including the catalog's evaluation and the profiles read;\n the first engine evaluated also warms the catalog's caches, so its policy figure runs high)")
}

// printAgreement says whether every engine ranked every query firm's lists
// the same as the first.
func printAgreement(out io.Writer, reports []*eval.Report) {
	if len(reports) < 2 {
		return
	}
	first := reports[0]
	for _, r := range reports[1:] {
		var differ []string
		total := 0
		for _, kind := range eval.Kinds() {
			a, b := first.Kind(kind), r.Kind(kind)
			for i := range a.Queries {
				total++
				if !slices.Equal(a.Queries[i].Ranked, b.Queries[i].Ranked) {
					differ = append(differ, fmt.Sprintf("%s %s", kind, a.Queries[i].Query))
				}
			}
		}
		if len(differ) == 0 {
			fmt.Fprintf(out, "\n%s and %s: identical ranked lists for all %d query × kind lists\n", first.Engine, r.Engine, total)
		} else {
			fmt.Fprintf(out, "\n%s and %s: %d of %d lists differ: %s\n", first.Engine, r.Engine, len(differ), total, strings.Join(differ, "; "))
		}
	}
}

// printWorst shows, per kind and engine, the worst queries: the labels in
// grade order and the first ten returned with their grades, and labelled
// records that did not make the first ten. Engines with identical lists
// are shown once.
func printWorst(out io.Writer, reports []*eval.Report, set *eval.Set, n int) {
	if n == 0 || len(reports) == 0 {
		return
	}
	queries := map[string]eval.Query{}
	for _, q := range set.Queries {
		queries[q.Key] = q
	}
	for _, kind := range eval.Kinds() {
		shown := [][]eval.QueryResult{}
		for _, r := range reports {
			worst := r.Kind(kind).Worst(n)
			if slices.ContainsFunc(shown, func(s []eval.QueryResult) bool { return sameResults(s, worst) }) {
				continue
			}
			shown = append(shown, worst)
			fmt.Fprintf(out, "\nworst %d for %s (%s):\n", n, kind, r.Engine)
			for _, qr := range worst {
				q := queries[qr.Query]
				labels := q.Labels.Of(kind)
				fmt.Fprintf(out, "  %s %s  nDCG@10 %.3f  recall@10 %.3f\n", qr.Query, q.Name, qr.NDCG, qr.Recall)
				fmt.Fprintf(out, "    expected: %s\n", expected(labels))
				var got []string
				top := qr.Ranked[:min(eval.Depth, len(qr.Ranked))]
				for i, k := range top {
					got = append(got, fmt.Sprintf("%d.%s(%d)", i+1, k, labels[k]))
				}
				fmt.Fprintf(out, "    returned: %s\n", orNone(strings.Join(got, " ")))
				var missed []string
				for _, k := range sortedKeys(labels) {
					if pos := slices.Index(qr.Ranked, k); pos < 0 {
						missed = append(missed, k+"(not listed)")
					} else if pos >= eval.Depth {
						missed = append(missed, fmt.Sprintf("%s(rank %d)", k, pos+1))
					}
				}
				if len(missed) > 0 {
					fmt.Fprintf(out, "    missed:   %s\n", strings.Join(missed, " "))
				}
			}
		}
	}
}

func sameResults(a, b []eval.QueryResult) bool {
	return slices.EqualFunc(a, b, func(x, y eval.QueryResult) bool {
		return x.Query == y.Query && slices.Equal(x.Ranked, y.Ranked)
	})
}

// expected lists labels by grade, then key.
func expected(labels map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(labels) {
		parts = append(parts, fmt.Sprintf("%s(%d)", k, labels[k]))
	}
	return strings.Join(parts, " ")
}

func sortedKeys(labels map[string]int) []string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if labels[keys[i]] != labels[keys[j]] {
			return labels[keys[i]] > labels[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

func orNone(s string) string {
	if s == "" {
		return "(nothing)"
	}
	return s
}

// printExplain prints one query firm's ranked lists on one engine with the
// grade, score and reasons of every entry.
func printExplain(out io.Writer, r *eval.Report, set *eval.Set, key string) error {
	i := slices.IndexFunc(set.Queries, func(q eval.Query) bool { return q.Key == key })
	if i < 0 {
		return fmt.Errorf("-explain: no query firm %q", key)
	}
	q := set.Queries[i]
	fmt.Fprintf(out, "\n%s %s (%s): %s\n", q.Key, q.Name, r.Engine, q.Why)
	for _, kind := range eval.Kinds() {
		qr := r.Kind(kind).Queries[i]
		labels := q.Labels.Of(kind)
		fmt.Fprintf(out, "  %s  nDCG@10 %.3f  recall@10 %.3f\n", kind, qr.NDCG, qr.Recall)
		for j, k := range qr.Ranked {
			fmt.Fprintf(out, "    %2d. %-18s grade %d  score %s\n", j+1, k, labels[k], qr.Why[j])
		}
	}
	return nil
}
