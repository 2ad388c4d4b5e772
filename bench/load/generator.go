package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// generator sends the load: one signer and one tuned transport shared by
// every worker of every measurement.
type generator struct {
	cfg    config
	log    *slog.Logger
	signer *v4.Signer
	client *http.Client
	tr     *http.Transport

	mu   sync.Mutex
	seen map[string]bool // error keys already printed
}

func newGenerator(cfg config, log *slog.Logger) *generator {
	peak := slices.Max(cfg.concurrency)
	tr := &http.Transport{
		Proxy: nil, // straight to the endpoint, whatever the environment says
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          2 * peak,
		MaxIdleConnsPerHost:   2 * peak, // ≥ concurrency: no worker ever redials
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: cfg.timeout,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
	}
	return &generator{
		cfg:    cfg,
		log:    log,
		signer: v4.NewSigner(),
		client: &http.Client{Transport: tr, Timeout: cfg.timeout},
		tr:     tr,
		seen:   map[string]bool{},
	}
}

func (g *generator) close() { g.tr.CloseIdleConnections() }

// round is the outcome of one timed round at one concurrency.
type round struct {
	requests int64
	errors   int64
	elapsed  time.Duration
	rate     float64 // requests (errors included) per second
	cpu      float64 // CPUs the generator's process kept busy (its CPU time over elapsed)
}

// errorCount is how often one kind of error occurred, with its first sample.
type errorCount struct {
	n      int64
	sample string
}

// worker is one sending loop's own record, merged when the round is over.
type worker struct {
	lat    []time.Duration
	errs   map[string]*errorCount
	buf    bytes.Buffer
	failed int64
	raw    rawConn // -wire raw: the worker's connection
}

// measure runs, at each concurrency level, a warm-up of every target, then
// the rounds interleaved: round 1 of every target, round 2 of every
// target... so that a machine whose load changes (other jobs) weighs on the
// targets alike and their ratios hold. It returns the rows target by
// target, each's levels in order.
func (g *generator) measure(ctx context.Context, targets []target) ([]row, error) {
	byTarget := make([][]row, len(targets))
	rows := func() []row { return slices.Concat(byTarget...) }
	for _, c := range g.cfg.concurrency {
		type acc struct {
			rounds []round
			lat    []time.Duration
			errs   map[string]*errorCount
		}
		accs := make([]acc, len(targets))
		for i, t := range targets {
			accs[i].errs = map[string]*errorCount{}
			if g.cfg.warmup > 0 {
				if _, _, _, err := g.round(ctx, t, c, g.cfg.warmup); err != nil {
					return rows(), err
				}
			}
		}
		for range g.cfg.rounds {
			for i, t := range targets {
				r, l, e, err := g.round(ctx, t, c, g.cfg.duration)
				if err != nil {
					return rows(), err
				}
				a := &accs[i]
				a.rounds = append(a.rounds, r)
				a.lat = append(a.lat, l...)
				mergeErrors(a.errs, e)
			}
		}
		for i, t := range targets {
			rw := summarize(t, c, accs[i].rounds, accs[i].lat, accs[i].errs)
			g.log.Info("measured", "target", t.name, "c", c, "req_per_s", int(rw.Rate), "p99_ms", rw.P99ms, "errors", rw.Errors)
			byTarget[i] = append(byTarget[i], rw)
		}
	}
	return rows(), nil
}

// mergeErrors adds the counts of from to into.
func mergeErrors(into, from map[string]*errorCount) {
	for k, v := range from {
		if have, ok := into[k]; ok {
			have.n += v.n
		} else {
			into[k] = &errorCount{n: v.n, sample: v.sample}
		}
	}
}

// round sends t from c workers for d (or until the round's request cap),
// and returns the round's counts, every request's latency and the errors.
func (g *generator) round(ctx context.Context, t target, c int, d time.Duration) (round, []time.Duration, map[string]*errorCount, error) {
	var (
		sent    atomic.Int64 // requests started, for the cap
		wg      sync.WaitGroup
		workers = make([]worker, c)
	)
	cpu0 := processCPU()
	start := time.Now()
	end := start.Add(d)
	for i := range workers {
		w := &workers[i]
		w.lat = make([]time.Duration, 0, 1024)
		w.errs = map[string]*errorCount{}
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(end) && sent.Add(1) <= g.cfg.maxRequests {
				g.one(ctx, t, w)
			}
			w.raw.close()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	if err := ctx.Err(); err != nil {
		return round{}, nil, nil, fmt.Errorf("%s c=%d: run stopped: %w", t.name, c, context.Cause(ctx))
	}
	var (
		r    = round{elapsed: elapsed, cpu: cpu.Seconds() / elapsed.Seconds()}
		lat  []time.Duration
		errs = map[string]*errorCount{}
	)
	for i := range workers {
		w := &workers[i]
		r.requests += int64(len(w.lat))
		r.errors += w.failed
		lat = append(lat, w.lat...)
		mergeErrors(errs, w.errs)
	}
	r.rate = float64(r.requests) / elapsed.Seconds()
	return r, lat, errs, nil
}

// one sends one request and records its latency, and its error if any: a
// transport failure or any status other than 2xx.
func (g *generator) one(ctx context.Context, t target, w *worker) {
	if g.cfg.wire == wireRaw {
		g.oneRaw(ctx, t, w)
		return
	}
	begin := time.Now()
	req, err := t.request(ctx, g.signer)
	if err != nil {
		g.fail(t, w, "signing: "+err.Error(), "")
		w.lat = append(w.lat, time.Since(begin))
		return
	}
	resp, err := g.client.Do(req)
	if err != nil {
		w.lat = append(w.lat, time.Since(begin))
		g.fail(t, w, transportError(err), err.Error())
		return
	}
	w.buf.Reset()
	_, rerr := w.buf.ReadFrom(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	w.lat = append(w.lat, time.Since(begin))
	switch {
	case rerr != nil:
		g.fail(t, w, transportError(rerr), rerr.Error())
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		g.fail(t, w, fmt.Sprintf("HTTP %d %s", resp.StatusCode, errorCode(w.buf.Bytes())), w.buf.String())
	}
}

// oneRaw is one for -wire raw: the target's request of this second, sent
// on the worker's own connection.
func (g *generator) oneRaw(ctx context.Context, t target, w *worker) {
	begin := time.Now()
	wire, err := t.wire(ctx, g.signer, begin)
	if err != nil {
		g.fail(t, w, "signing: "+err.Error(), "")
		w.lat = append(w.lat, time.Since(begin))
		return
	}
	status, err := w.raw.roundTrip(t.host, wire, g.cfg.timeout, &w.buf)
	w.lat = append(w.lat, time.Since(begin))
	switch {
	case err != nil:
		g.fail(t, w, transportError(err), err.Error())
	case status < 200 || status > 299:
		g.fail(t, w, fmt.Sprintf("HTTP %d %s", status, errorCode(w.buf.Bytes())), w.buf.String())
	}
}

// fail counts an error of kind key; the first of each kind in the whole run
// is printed.
func (g *generator) fail(t target, w *worker, key, sample string) {
	w.failed++
	if e, ok := w.errs[key]; ok {
		e.n++
		return
	}
	w.errs[key] = &errorCount{n: 1, sample: truncate(sample, 400)}
	g.mu.Lock()
	first := !g.seen[key]
	g.seen[key] = true
	g.mu.Unlock()
	if first {
		g.log.Warn("request failed (printed once per kind)", "target", t.name, "error", key, "response", truncate(sample, 400))
	}
}

// transportError names a transport failure without the addresses and ports
// that make each occurrence unique.
func transportError(err error) string {
	var errno syscall.Errno
	var ne net.Error
	switch {
	case errors.As(err, &errno):
		return "transport: " + errno.Error()
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "transport: connection closed"
	case errors.As(err, &ne) && ne.Timeout():
		return "transport: timeout"
	}
	return "transport: " + truncate(err.Error(), 120)
}

// errorCode finds the AWS error code of an error response: <Code> of an XML
// error document, or __type of a JSON one.
func errorCode(body []byte) string {
	if code := between(body, "<Code>", "</Code>"); code != "" {
		return code
	}
	if code := between(body, `"__type":"`, `"`); code != "" {
		return code
	}
	return "(no code)"
}

func between(b []byte, open, end string) string {
	_, after, ok := bytes.Cut(b, []byte(open))
	if !ok {
		return ""
	}
	v, _, ok := bytes.Cut(after, []byte(end))
	if !ok || len(v) > 100 {
		return ""
	}
	return string(v)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// percentile is the nearest-rank p-quantile (0 < p ≤ 1) of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(float64(len(sorted))*p)) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// median of the rounds' rates (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
