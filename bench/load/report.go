package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"
)

// row is one target at one concurrency level: the report's unit.
type row struct {
	Target      string `json:"target"`
	Floor       bool   `json:"floor,omitempty"`
	Concurrency int    `json:"concurrency"`
	// Rate is the median over the rounds of requests per second.
	Rate       float64          `json:"req_per_s"`
	RoundRates []float64        `json:"round_req_per_s"`
	Requests   int64            `json:"requests"`
	P50ms      float64          `json:"p50_ms"`
	P90ms      float64          `json:"p90_ms"`
	P99ms      float64          `json:"p99_ms"`
	Errors     int64            `json:"errors"`
	ErrorKinds map[string]int64 `json:"error_kinds,omitempty"`
	// GeneratorCPU is the median over the rounds of the CPUs the generator's
	// process kept busy (signing, sending, reading; with the in-process floor
	// the floor too): what the server did not have of the machine.
	GeneratorCPU float64 `json:"generator_cpus"`
	// FloorPercent is Rate as a percentage of the floor's at the same
	// concurrency, when the floor was measured.
	FloorPercent float64 `json:"floor_percent,omitempty"`
	// ComparedPercent is, for a scenario also measured on the compared
	// gatehouse (-compare-endpoint), the median over the rounds of this
	// row's rate as a percentage of the compared row's in the same round:
	// each round's pair is measured back to back, so the machine's drift
	// between rounds cancels out.
	ComparedPercent float64 `json:"compared_percent,omitempty"`
}

// summarize folds the rounds of one level into a row; latencies are the
// percentiles of every request of every round, merged.
func summarize(t target, c int, rounds []round, lat []time.Duration, errs map[string]*errorCount) row {
	r := row{Target: t.name, Floor: t.floor, Concurrency: c}
	var cpus []float64
	for _, rd := range rounds {
		cpus = append(cpus, rd.cpu)
		r.RoundRates = append(r.RoundRates, rd.rate)
		r.Requests += rd.requests
		r.Errors += rd.errors
	}
	r.Rate = median(r.RoundRates)
	r.GeneratorCPU = median(cpus)
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	r.P50ms, r.P90ms, r.P99ms = ms(percentile(lat, 0.50)), ms(percentile(lat, 0.90)), ms(percentile(lat, 0.99))
	if len(errs) > 0 {
		r.ErrorKinds = map[string]int64{}
		for k, v := range errs {
			r.ErrorKinds[k] = v.n
		}
	}
	return r
}

// relateToFloor sets each Gatehouse row's rate as a percentage of the
// floor's rate at the same concurrency.
func relateToFloor(rows []row) {
	floor := map[int]float64{}
	for _, r := range rows {
		if r.Floor {
			floor[r.Concurrency] = r.Rate
		}
	}
	for i := range rows {
		if f := floor[rows[i].Concurrency]; f > 0 && !rows[i].Floor {
			rows[i].FloorPercent = 100 * rows[i].Rate / f
		}
	}
}

// relateToCompared sets ComparedPercent on each row that has a row named
// with suffix at its concurrency (the compared gatehouse's).
func relateToCompared(rows []row, suffix string) {
	type key struct {
		target string
		c      int
	}
	compared := map[key]*row{}
	for i := range rows {
		if base, ok := strings.CutSuffix(rows[i].Target, suffix); ok {
			compared[key{base, rows[i].Concurrency}] = &rows[i]
		}
	}
	for i := range rows {
		r := &rows[i]
		q := compared[key{r.Target, r.Concurrency}]
		if q == nil || len(q.RoundRates) != len(r.RoundRates) {
			continue
		}
		var ratios []float64
		for k, x := range r.RoundRates {
			if q.RoundRates[k] > 0 {
				ratios = append(ratios, x/q.RoundRates[k])
			}
		}
		if len(ratios) > 0 {
			r.ComparedPercent = 100 * median(ratios)
		}
	}
}

// report is the whole run: how it was made and its rows.
type report struct {
	Date       string `json:"date"`
	Host       string `json:"host"`
	GoVersion  string `json:"go_version"`
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Endpoint   string `json:"endpoint,omitempty"`
	Duration   string `json:"round_duration"`
	Warmup     string `json:"warmup"`
	Rounds     int    `json:"rounds"`
	Rows       []row  `json:"rows"`
}

func newReport(cfg config, rows []row) report {
	host, _ := os.Hostname() // only a label
	return report{
		Date:       time.Now().UTC().Format(time.RFC3339),
		Host:       host,
		GoVersion:  runtime.Version(),
		NumCPU:     runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Endpoint:   cfg.endpoint,
		Duration:   cfg.duration.String(),
		Warmup:     cfg.warmup.String(),
		Rounds:     cfg.rounds,
		Rows:       rows,
	}
}

func (rep report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// writeMarkdown writes the table: one line per target and concurrency.
func (rep report) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %s, %d CPUs (GOMAXPROCS %d), %d rounds of %s after %s warm-up per level; req/s = median of rounds, latency over all rounds' requests\n\n",
		rep.Date, rep.GoVersion, rep.NumCPU, rep.GOMAXPROCS, rep.Rounds, rep.Duration, rep.Warmup)
	b.WriteString("| target | c | req/s | rounds (req/s) | p50 ms | p90 ms | p99 ms | requests | errors | generator CPUs | % of floor | % of compared (paired rounds) |\n")
	b.WriteString("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rep.Rows {
		rates := make([]string, len(r.RoundRates))
		for i, x := range r.RoundRates {
			rates[i] = fmt.Sprintf("%.0f", x)
		}
		pct := "—"
		if r.FloorPercent > 0 {
			pct = fmt.Sprintf("%.0f%%", r.FloorPercent)
		}
		cmp := "—"
		if r.ComparedPercent > 0 {
			cmp = fmt.Sprintf("%.1f%%", r.ComparedPercent)
		}
		fmt.Fprintf(&b, "| %s | %d | %.0f | %s | %.2f | %.2f | %.2f | %d | %d | %.2f | %s | %s |\n",
			r.Target, r.Concurrency, r.Rate, strings.Join(rates, ", "), r.P50ms, r.P90ms, r.P99ms, r.Requests, r.Errors, r.GeneratorCPU, pct, cmp)
	}
	for _, r := range rep.Rows {
		if len(r.ErrorKinds) == 0 {
			continue
		}
		kinds := make([]string, 0, len(r.ErrorKinds))
		for k := range r.ErrorKinds {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			fmt.Fprintf(&b, "\nerrors of %s c=%d: %d × %s", r.Target, r.Concurrency, r.ErrorKinds[k], k)
		}
		b.WriteString("\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing the table: %w", err)
	}
	return nil
}
