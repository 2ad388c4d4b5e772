// Command load is a bounded load generator for Gatehouse's request path: it
// sends AWS Query requests (IAM GetUser, STS GetCallerIdentity and AssumeRole)
// signed exactly as aws-sdk-go-v2 signs them (its v4 signer), from N workers
// over one keep-alive HTTP transport, for a fixed time per round, and reports
// per concurrency the median request rate of the rounds and the p50/p90/p99
// latency of every request of the rounds, as a Markdown table (or JSON with
// -json).
//
// With -floor it also measures the floor: a net/http server on loopback that
// verifies each request's SigV4 signature with Gatehouse's own sigv4 package
// and answers a fixed small XML body — the cheapest signed request this
// machine can serve — loaded exactly as Gatehouse is, so each Gatehouse row
// can say what fraction of the floor it reaches. The floor runs in-process
// (-floor), or, like Gatehouse, in a process of its own (-serve-floor DURATION
// in one process, -floor-endpoint URL in the generator): on a machine shared
// with other jobs the operating system schedules processes, so only the
// latter gives the floor the same share of the machine as Gatehouse.
//
// At each concurrency level the targets' rounds are interleaved (round 1 of
// every target, then round 2...), so a change of the machine's load weighs
// on every target alike. With -compare-endpoint, a scenario's round on the
// compared gatehouse comes right after its round on the first, and the
// first's row states the median of the rounds' ratios between the two
// (ComparedPercent): on a machine whose speed drifts within seconds, the
// ratio of two medians measured seconds apart moved by several points
// from one run to the next.
//
// The principals a scenario needs are created with the root key
// ($GATEHOUSE_ROOT_ACCESS_KEY_ID, $GATEHOUSE_ROOT_SECRET_ACCESS_KEY): a user
// with an access key and an inline policy, and a role the user may assume
// (whose session is the "role" credentials); they are deleted at the end.
//
// It always stops by itself: the duration of a round, the number of rounds
// and the requests of a round are capped, every request has a timeout, and the
// whole run has a deadline. See bench/results/REQUEST_PATH.md.
//
//	go run ./load -floor                                    # the floor alone
//	go run ./load -serve-floor 10m -floor-addr 127.0.0.1:9999 &  # the floor in its own process
//	go run ./load -endpoint http://127.0.0.1:8080 -op GetUser -creds user
//	go run ./load -endpoint http://127.0.0.1:8080 -floor \
//	    -scenarios GetCallerIdentity/root,GetUser/user,GetUser/role,AssumeRole/user
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
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Hard bounds of a run, whatever the flags say.
const (
	maxDuration    = time.Minute
	maxWarmup      = 30 * time.Second
	maxRounds      = 20
	maxConcurrency = 1024
	maxRunTime     = time.Hour
)

// config is the run's configuration, from the flags.
type config struct {
	endpoint string
	// compareURL, when set, is a second Gatehouse every scenario is also
	// measured on, in the same interleaved rounds (rows labelled
	// "SCENARIO (compareLabel)"): e.g. one started with --audit=false, so
	// that the trail's cost is read in one run.
	compareURL   string
	compareLabel string
	region       string
	scenarios    []scenario
	floor        bool
	floorURL     string        // an external floor (-floor-endpoint) instead of the in-process one
	serveFloor   time.Duration // > 0: only serve the floor for this long (-serve-floor)
	floorAddr    string
	concurrency  []int
	duration     time.Duration
	warmup       time.Duration
	rounds       int
	maxRequests  int64
	timeout      time.Duration
	json         bool
	wire         string // wireRaw or wireHTTP
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// run parses args, runs the load and writes the report to stdout.
func run(args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, cfg.deadline())
	defer cancel()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if cfg.serveFloor > 0 {
		return serveFloor(ctx, cfg, log)
	}

	g := newGenerator(cfg, log)
	defer g.close()

	var targets []target
	switch {
	case cfg.floorURL != "":
		targets = append(targets, floorTarget(cfg.floorURL, cfg.region))
	case cfg.floor:
		f, err := startFloor("127.0.0.1:0", log)
		if err != nil {
			return fmt.Errorf("starting the floor: %w", err)
		}
		defer f.close(context.WithoutCancel(ctx))
		targets = append(targets, floorTarget("http://"+f.addr, cfg.region))
	}
	if len(cfg.scenarios) > 0 {
		endpoints := []struct{ url, label string }{{cfg.endpoint, ""}}
		if cfg.compareURL != "" {
			endpoints = append(endpoints, struct{ url, label string }{cfg.compareURL, " (" + cfg.compareLabel + ")"})
		}
		// A scenario's target on the compared gatehouse follows its
		// target on the first in every round: measured seconds apart, the
		// two see the same machine (this one's speed drifts).
		perEndpoint := make([][]target, len(endpoints))
		for k, ep := range endpoints {
			ecfg := cfg
			ecfg.endpoint = ep.url
			p, err := setup(ctx, ecfg, log)
			if p != nil {
				// Cleanup gets its own short deadline: the run's may be over.
				defer func() {
					cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
					defer ccancel()
					p.cleanup(cctx, log)
				}()
			}
			if err != nil {
				return fmt.Errorf("creating the principals on %s: %w", ep.url, err)
			}
			for _, s := range cfg.scenarios {
				t, err := p.target(ecfg, s)
				if err != nil {
					return err
				}
				t.name += ep.label
				perEndpoint[k] = append(perEndpoint[k], t)
			}
		}
		for i := range cfg.scenarios {
			for k := range endpoints {
				targets = append(targets, perEndpoint[k][i])
			}
		}
	}
	rows, err := g.measure(ctx, targets)
	if err != nil {
		return err
	}
	relateToFloor(rows)
	if cfg.compareURL != "" {
		relateToCompared(rows, " ("+cfg.compareLabel+")")
	}
	rep := newReport(cfg, rows)
	if cfg.json {
		return rep.writeJSON(stdout)
	}
	return rep.writeMarkdown(stdout)
}

// parseFlags reads the flags into a checked config.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg       config
		op, creds string
		scenarios string
		conc      string
	)
	fs.StringVar(&cfg.endpoint, "endpoint", "", "Gatehouse's URL, e.g. http://127.0.0.1:8080 (empty: the floor alone, with -floor)")
	fs.StringVar(&cfg.compareURL, "compare-endpoint", "", "a second Gatehouse to measure every scenario on too, in the same rounds (e.g. one with --audit=false)")
	fs.StringVar(&cfg.compareLabel, "compare-label", "compare", "the label of -compare-endpoint's rows")
	fs.StringVar(&cfg.region, "region", "us-east-1", "signing region")
	fs.StringVar(&op, "op", "GetCallerIdentity", "operation: GetCallerIdentity, GetUser or AssumeRole")
	fs.StringVar(&creds, "creds", "", "credentials: root, user or role (a role session); default root, user for AssumeRole")
	fs.StringVar(&scenarios, "scenarios", "", "comma-separated OP/CREDS list measured in order (overrides -op and -creds)")
	fs.BoolVar(&cfg.floor, "floor", false, "also measure the floor (in-process SigV4-verifying server), first")
	fs.StringVar(&cfg.floorURL, "floor-endpoint", "", "measure the floor served by another process (-serve-floor) at this URL, first")
	fs.DurationVar(&cfg.serveFloor, "serve-floor", 0, "only serve the floor on -floor-addr for this long (at most 1h), for -floor-endpoint")
	fs.StringVar(&cfg.floorAddr, "floor-addr", "127.0.0.1:0", "address -serve-floor listens on")
	fs.StringVar(&conc, "c", "1,8,32", "comma-separated concurrency levels (workers)")
	fs.DurationVar(&cfg.duration, "duration", 5*time.Second, "duration of a round (at most 1m)")
	fs.DurationVar(&cfg.warmup, "warmup", time.Second, "warm-up before the rounds of each concurrency level, not measured (at most 30s)")
	fs.IntVar(&cfg.rounds, "rounds", 3, "rounds per concurrency level (1-20)")
	fs.Int64Var(&cfg.maxRequests, "max-requests", 2_000_000, "hard cap on the requests of one round")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "timeout of one request")
	fs.BoolVar(&cfg.json, "json", false, "write JSON instead of the Markdown table")
	fs.StringVar(&cfg.wire, "wire", wireRaw, "how requests are sent: raw (each target's request signed once a second, sent on a keep-alive TCP connection per worker: the generator's own cost kept small) or http (signed per request, net/http's client)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if cfg.concurrency, err = parseInts(conc); err != nil {
		return config{}, fmt.Errorf("-c: %w", err)
	}
	for _, c := range cfg.concurrency {
		if c < 1 || c > maxConcurrency {
			return config{}, fmt.Errorf("-c: %d is outside 1..%d", c, maxConcurrency)
		}
	}
	switch {
	case cfg.duration <= 0 || cfg.duration > maxDuration:
		return config{}, fmt.Errorf("-duration %v is outside (0, %v]", cfg.duration, maxDuration)
	case cfg.warmup < 0 || cfg.warmup > maxWarmup:
		return config{}, fmt.Errorf("-warmup %v is outside [0, %v]", cfg.warmup, maxWarmup)
	case cfg.rounds < 1 || cfg.rounds > maxRounds:
		return config{}, fmt.Errorf("-rounds %d is outside 1..%d", cfg.rounds, maxRounds)
	case cfg.maxRequests < 1:
		return config{}, fmt.Errorf("-max-requests %d must be positive", cfg.maxRequests)
	case cfg.timeout <= 0 || cfg.timeout > time.Minute:
		return config{}, fmt.Errorf("-timeout %v is outside (0, 1m]", cfg.timeout)
	}
	if cfg.wire != wireRaw && cfg.wire != wireHTTP {
		return config{}, fmt.Errorf("-wire %q: raw or http", cfg.wire)
	}
	if cfg.serveFloor != 0 {
		if cfg.serveFloor < 0 || cfg.serveFloor > maxRunTime {
			return config{}, fmt.Errorf("-serve-floor %v is outside (0, %v]", cfg.serveFloor, maxRunTime)
		}
		return cfg, nil
	}
	if cfg.floorURL != "" {
		cfg.floor = true
		cfg.floorURL = strings.TrimRight(cfg.floorURL, "/")
		if !strings.HasPrefix(cfg.floorURL, "http://") {
			return config{}, fmt.Errorf("-floor-endpoint %q is not an http URL", cfg.floorURL)
		}
	}
	if scenarios == "" {
		// -op and -creds name one scenario, unless only the floor is asked for.
		if cfg.endpoint != "" || !cfg.floor {
			scenarios = op + "/" + creds
		}
	}
	for s := range strings.SplitSeq(scenarios, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		sc, err := parseScenario(s)
		if err != nil {
			return config{}, err
		}
		cfg.scenarios = append(cfg.scenarios, sc)
	}
	if len(cfg.scenarios) > 0 && cfg.endpoint == "" {
		return config{}, errors.New("-endpoint is required (or -floor alone for the floor)")
	}
	if cfg.endpoint != "" {
		cfg.endpoint = strings.TrimRight(cfg.endpoint, "/")
		if !strings.HasPrefix(cfg.endpoint, "http://") && !strings.HasPrefix(cfg.endpoint, "https://") {
			return config{}, fmt.Errorf("-endpoint %q is not an http(s) URL", cfg.endpoint)
		}
	}
	if cfg.wire == wireRaw {
		for _, u := range []string{cfg.endpoint, cfg.compareURL, cfg.floorURL} {
			if _, err := hostOf(u); u != "" && err != nil {
				return config{}, err
			}
		}
	}
	if cfg.compareURL != "" {
		cfg.compareURL = strings.TrimRight(cfg.compareURL, "/")
		switch {
		case cfg.endpoint == "" || len(cfg.scenarios) == 0:
			return config{}, errors.New("-compare-endpoint needs -endpoint and scenarios")
		case !strings.HasPrefix(cfg.compareURL, "http://") && !strings.HasPrefix(cfg.compareURL, "https://"):
			return config{}, fmt.Errorf("-compare-endpoint %q is not an http(s) URL", cfg.compareURL)
		}
	}
	if cfg.deadline() > maxRunTime {
		return config{}, fmt.Errorf("the run would last about %v, more than %v: fewer rounds, levels or scenarios", cfg.planned().Round(time.Second), maxRunTime)
	}
	return cfg, nil
}

// planned is how long the measurements last if every round ends on time.
func (c config) planned() time.Duration {
	n := len(c.scenarios)
	if c.compareURL != "" {
		n *= 2
	}
	if c.floor {
		n++
	}
	perLevel := c.warmup + time.Duration(c.rounds)*c.duration
	return time.Duration(n*len(c.concurrency)) * perLevel
}

// deadline bounds the whole run: the plan, half again for slow rounds, and
// two minutes for setup and cleanup.
func (c config) deadline() time.Duration {
	if c.serveFloor > 0 {
		return c.serveFloor
	}
	return c.planned()*3/2 + 2*time.Minute
}

func parseInts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		out = append(out, n)
	}
	return out, nil
}
