package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

func quietLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, nil))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func shortConfig(c ...int) config {
	return config{region: "us-east-1", concurrency: c, duration: 150 * time.Millisecond, rounds: 2, maxRequests: 1_000_000, timeout: 5 * time.Second}
}

func startTestFloor(t *testing.T) *floor {
	t.Helper()
	f, err := startFloor("127.0.0.1:0", quietLog(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.close(context.Background()) })
	return f
}

// The floor answers requests the SDK's signer signed, and the generator
// counts them: every round has requests, no errors, ordered percentiles.
func TestFloorServesSignedRequests(t *testing.T) {
	for _, wire := range []string{wireRaw, wireHTTP} {
		t.Run(wire, func(t *testing.T) { testFloorServes(t, wire) })
	}
}

func testFloorServes(t *testing.T, wire string) {
	f := startTestFloor(t)
	cfg := shortConfig(1, 4)
	cfg.wire = wire
	g := newGenerator(cfg, quietLog(t))
	defer g.close()
	rows, err := g.measure(t.Context(), []target{floorTarget("http://"+f.addr, cfg.region)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("got %d rows, want 2", len(rows))
	}
	for _, r := range rows {
		if r.Errors != 0 || r.Requests == 0 || r.Rate <= 0 || len(r.RoundRates) != 2 {
			t.Errorf("c=%d: %d requests, %d errors (%v), %.0f req/s, rounds %v", r.Concurrency, r.Requests, r.Errors, r.ErrorKinds, r.Rate, r.RoundRates)
		}
		if r.GeneratorCPU <= 0 {
			t.Errorf("c=%d: the generator's CPU was not measured", r.Concurrency)
		}
		if !(0 < r.P50ms && r.P50ms <= r.P90ms && r.P90ms <= r.P99ms) {
			t.Errorf("c=%d: percentiles out of order: %v %v %v", r.Concurrency, r.P50ms, r.P90ms, r.P99ms)
		}
	}
}

// A request signed with the wrong secret is refused by the floor's verifier
// with STS's SignatureDoesNotMatch, 403, and every one counts as an error.
func TestFloorRefusesBadSignatures(t *testing.T) {
	for _, wire := range []string{wireRaw, wireHTTP} {
		t.Run(wire, func(t *testing.T) { testFloorRefuses(t, wire) })
	}
}

func testFloorRefuses(t *testing.T, wire string) {
	f := startTestFloor(t)
	cfg := shortConfig(2)
	cfg.rounds = 1
	cfg.wire = wire
	g := newGenerator(cfg, quietLog(t))
	defer g.close()
	bad := floorTarget("http://"+f.addr, cfg.region)
	bad.creds.SecretAccessKey = "not-the-secret"
	rows, err := g.measure(t.Context(), []target{bad})
	if err != nil {
		t.Fatal(err)
	}
	r := rows[0]
	if r.Requests == 0 || r.Errors != r.Requests {
		t.Fatalf("%d requests, %d errors; want all failed", r.Requests, r.Errors)
	}
	if n := r.ErrorKinds["HTTP 403 SignatureDoesNotMatch"]; n != r.Errors {
		t.Errorf("error kinds %v, want all HTTP 403 SignatureDoesNotMatch", r.ErrorKinds)
	}
}

// runJSON runs the tool with args and -json, with the test server's root
// key, and returns its report.
func runJSON(t *testing.T, args ...string) report {
	t.Helper()
	t.Setenv("GATEHOUSE_ROOT_ACCESS_KEY_ID", testserver.RootKeyID)
	t.Setenv("GATEHOUSE_ROOT_SECRET_ACCESS_KEY", testserver.RootSecretKey)
	var out bytes.Buffer
	if err := run(append(args, "-json"), &out, testWriter{t}); err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	return rep
}

// The whole tool against a real Gatehouse: it creates a user and a role as
// root, loads every scenario without a single error, then deletes what it
// created.
func TestScenariosAgainstGatehouse(t *testing.T) {
	srv := testserver.Start(t)
	rep := runJSON(t, "-endpoint", srv.URL, "-floor",
		"-scenarios", "GetCallerIdentity/root,GetUser/user,GetUser/role,AssumeRole/user,AssumeRole/role,GetCallerIdentity/role",
		"-c", "1,3", "-duration", "100ms", "-rounds", "1", "-warmup", "0s")
	if len(rep.Rows) != 7*2 {
		t.Fatalf("got %d rows, want 14", len(rep.Rows))
	}
	for _, r := range rep.Rows {
		if r.Errors != 0 || r.Requests == 0 {
			t.Errorf("%s c=%d: %d requests, %d errors %v", r.Target, r.Concurrency, r.Requests, r.Errors, r.ErrorKinds)
		}
		if !r.Floor && r.FloorPercent <= 0 {
			t.Errorf("%s c=%d: no percentage of the floor", r.Target, r.Concurrency)
		}
	}
	users, err := srv.RootIAM().ListUsers(t.Context(), &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users.Users {
		t.Errorf("user %s left behind", aws.ToString(u.UserName))
	}
	roles, err := srv.RootIAM().ListRoles(t.Context(), &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles.Roles {
		if strings.HasPrefix(aws.ToString(r.RoleName), "gatehouse-load-") {
			t.Errorf("role %s left behind", aws.ToString(r.RoleName))
		}
	}
}

// The markdown report has a header, a separator and one line per row.
func TestMarkdown(t *testing.T) {
	rows := []row{
		{Target: "floor", Floor: true, Concurrency: 8, Rate: 1000, RoundRates: []float64{900, 1000, 1100}},
		{Target: "GetUser/user", Concurrency: 8, Rate: 250, RoundRates: []float64{250}, Errors: 2, ErrorKinds: map[string]int64{"HTTP 403 AccessDenied": 2}},
	}
	relateToFloor(rows)
	var b bytes.Buffer
	if err := newReport(shortConfig(8), rows).writeMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| floor | 8 | 1000 | 900, 1000, 1100 |",
		"| GetUser/user | 8 | 250 | 250 |",
		"| 2 | 0.00 | 25% | — |",
		"errors of GetUser/user c=8: 2 × HTTP 403 AccessDenied",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in\n%s", want, b.String())
		}
	}
}

// A compared row's rate is related to its pair round by round: the median
// of the per-round ratios, not the ratio of the medians.
func TestComparedPercentPairsTheRounds(t *testing.T) {
	rows := []row{
		{Target: "GetUser/user", Concurrency: 1, Rate: 90, RoundRates: []float64{90, 45, 180}},
		{Target: "GetUser/user (off)", Concurrency: 1, Rate: 100, RoundRates: []float64{100, 50, 200}},
		{Target: "GetUser/user", Concurrency: 8, Rate: 80, RoundRates: []float64{80}},
		{Target: "AssumeRole/user", Concurrency: 1, Rate: 80, RoundRates: []float64{80}},
	}
	relateToCompared(rows, " (off)")
	if got := rows[0].ComparedPercent; math.Abs(got-90) > 1e-9 {
		t.Errorf("paired percent = %v, want 90", got)
	}
	for _, i := range []int{1, 2, 3} {
		if rows[i].ComparedPercent != 0 {
			t.Errorf("row %d (%s c=%d) has a compared percent %v: no pair", i, rows[i].Target, rows[i].Concurrency, rows[i].ComparedPercent)
		}
	}
	var b bytes.Buffer
	if err := newReport(shortConfig(1), rows).writeMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| — | 90.0% |") {
		t.Errorf("the table misses the paired percent:\n%s", b.String())
	}
}

// With a compared gatehouse, each scenario's target there follows its
// target on the first (measured back to back in every round), and each
// first row has its paired percentage.
func TestCompareEndpointPairsTheScenarios(t *testing.T) {
	a, b := testserver.Start(t), testserver.Start(t)
	rep := runJSON(t, "-endpoint", a.URL, "-compare-endpoint", b.URL, "-compare-label", "b",
		"-scenarios", "GetCallerIdentity/root,GetUser/user",
		"-c", "1", "-duration", "100ms", "-rounds", "2", "-warmup", "0s")
	var got []string
	for _, r := range rep.Rows {
		got = append(got, r.Target)
		if paired := !strings.HasSuffix(r.Target, " (b)"); paired != (r.ComparedPercent > 0) {
			t.Errorf("%s: compared percent %v", r.Target, r.ComparedPercent)
		}
	}
	want := []string{"GetCallerIdentity/root", "GetCallerIdentity/root (b)", "GetUser/user", "GetUser/user (b)"}
	if !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
}

func TestPercentileAndMedian(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	for p, want := range map[float64]time.Duration{0.5: 50, 0.9: 90, 0.99: 99, 1: 100, 0.001: 1} {
		if got := percentile(d, p); got != want {
			t.Errorf("percentile(1..100, %v) = %v, want %v", p, got, want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile of nothing = %v", got)
	}
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median(3,1,2) = %v", got)
	}
	if got := median([]float64{4, 1, 2, 3}); got != 2.5 {
		t.Errorf("median(4,1,2,3) = %v", got)
	}
}

// Every bound is enforced when the flags are read.
func TestFlagsAreBounded(t *testing.T) {
	for _, args := range [][]string{
		{"-endpoint", "http://127.0.0.1:1", "-duration", "2m"},
		{"-endpoint", "http://127.0.0.1:1", "-duration", "0s"},
		{"-endpoint", "http://127.0.0.1:1", "-rounds", "0"},
		{"-endpoint", "http://127.0.0.1:1", "-rounds", "21"},
		{"-endpoint", "http://127.0.0.1:1", "-c", "0"},
		{"-endpoint", "http://127.0.0.1:1", "-c", "2000"},
		{"-endpoint", "http://127.0.0.1:1", "-warmup", "1m"},
		{"-endpoint", "http://127.0.0.1:1", "-max-requests", "0"},
		{"-endpoint", "http://127.0.0.1:1", "-op", "AssumeRole", "-creds", "root"},
		{"-endpoint", "http://127.0.0.1:1", "-op", "ListUsers"},
		{"-endpoint", "http://127.0.0.1:1", "-creds", "admin"},
		{"-endpoint", "127.0.0.1:1"},
		{"-op", "GetUser"}, // no endpoint
		{"-serve-floor", "2h"},
		{"-compare-endpoint", "http://127.0.0.1:2", "-floor"},                   // no endpoint to compare with
		{"-endpoint", "http://127.0.0.1:1", "-compare-endpoint", "127.0.0.1:2"}, // not a URL
		{"-endpoint", "http://127.0.0.1:1", "-compare-endpoint", "http://127.0.0.1:2", "-duration", "1m", "-rounds", "20", "-c", "1,8,32"}, // over an hour with the comparison
		{"-endpoint", "http://127.0.0.1:1", "-duration", "1m", "-rounds", "20", "-c", "1,2,4,8,16,32"},                                     // over an hour
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	cfg, err := parseFlags([]string{"-floor"}, io.Discard)
	if err != nil || len(cfg.scenarios) != 0 || !cfg.floor {
		t.Errorf("-floor alone: %+v, %v", cfg, err)
	}
	cfg, err = parseFlags([]string{"-endpoint", "http://127.0.0.1:1/", "-op", "AssumeRole"}, io.Discard)
	if err != nil || len(cfg.scenarios) != 1 || cfg.scenarios[0] != (scenario{opAssumeRole, credsUser}) || cfg.endpoint != "http://127.0.0.1:1" {
		t.Errorf("AssumeRole's default credentials: %+v, %v", cfg, err)
	}
}
