package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/spf13/cobra"

	"github.com/gatehouse-iam/gatehouse/app"
	"github.com/gatehouse-iam/gatehouse/authview"
	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/objectstore/disk"
	"github.com/gatehouse-iam/gatehouse/objectstore/upstream"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/postgres"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

// DefaultAddr is where `gatehouse serve` listens unless told otherwise.
const DefaultAddr = "127.0.0.1:8080"

// serveConfig is the configuration of `gatehouse serve`.
type serveConfig struct {
	Addr          string
	DataDir       string
	StoreDSN      string
	TLSCert       string
	TLSKey        string
	MasterKeyFile string
	AccountID     string
	LogFormat     string
	LogLevel      string
	// ObjectsDir keeps S3 objects (default: objects/ in the data directory
	// with the embedded store; S3 is off with --store unless it is given).
	ObjectsDir string
	// S3Domain virtual-hosts buckets as bucket.S3Domain.
	S3Domain string
	// S3Addr, when set, is a listener of S3's own (every request on it is
	// an S3 request), beside Addr.
	S3Addr string
	// S3Upstream, instead of ObjectsDir, keeps S3 objects on an
	// S3-compatible server (objectstore/upstream), in its region, under
	// its bucket-name prefix; its credentials come from the environment only.
	S3Upstream, S3UpstreamRegion, S3UpstreamPrefix string
	// StoreTimeout bounds every store call that has no deadline of its
	// own, and the first connection to PostgreSQL at start-up; zero means
	// store.DefaultTimeout.
	StoreTimeout time.Duration
	// Audit configures the audit trail.
	Audit auditConfig
	// Principals bounds the authorization view's cache of policy sets.
	Principals int
	// MemoryLimit is the Go runtime's soft memory limit (--memory-limit,
	// as GOMEMLIMIT: "256MiB"); empty, the runtime's own (GOMEMLIMIT, or
	// none).
	MemoryLimit string
	// CPUProfile, when set, is the file a CPU profile of the whole run is
	// written to (hidden flag --cpu-profile, for profile-guided builds).
	CPUProfile string
	// MaxAccessKeyAgeDays is the age in days past which an active access
	// key is due for rotation (--max-access-key-age); zero means 90.
	MaxAccessKeyAgeDays int
	// PublicURL is the server's URL as clients and relying parties reach
	// it (outbound identity federation's issuers live under it); empty,
	// the listener's address.
	PublicURL string

	// DataDirGiven reports that --data was on the command line (it conflicts
	// with --store); MasterKeyInEnv that GATEHOUSE_MASTER_KEY is set.
	DataDirGiven   bool
	MasterKeyInEnv bool
}

// Validate checks the configuration.
func (c *serveConfig) Validate() error {
	if c.StoreDSN != "" {
		if !strings.HasPrefix(c.StoreDSN, "postgres://") && !strings.HasPrefix(c.StoreDSN, "postgresql://") {
			// Not echoed: a DSN may hold a password.
			return errors.New("--store must be a PostgreSQL URL: postgres://user@host:port/database?sslmode=...")
		}
		if c.DataDirGiven {
			return errors.New("--data and --store are alternatives: the store is either the embedded SQLite one in --data or PostgreSQL")
		}
		if c.MasterKeyFile == "" && !c.MasterKeyInEnv {
			// Every node of a cluster must hold the same key; a key generated
			// on one node's disk would not be.
			return fmt.Errorf("with --store, give the master key shared by every node with --master-key-file or %s", keyring.EnvVar)
		}
	}
	if c.S3Upstream != "" && c.ObjectsDir != "" {
		return errors.New("--s3-dir and --s3-upstream are alternatives: objects live either on disk or on the upstream")
	}
	if _, err := parseMemoryLimit(c.MemoryLimit); err != nil {
		return err
	}
	if c.StoreTimeout < 0 {
		return fmt.Errorf("--store-timeout must not be negative (0 means the default, %v), not %v", store.DefaultTimeout, c.StoreTimeout)
	}
	if c.PublicURL != "" {
		if err := checkPublicURL(c.PublicURL); err != nil {
			return err
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
	}
	if c.MaxAccessKeyAgeDays < 0 || c.MaxAccessKeyAgeDays > maxAccessKeyAgeDays {
		return fmt.Errorf("--max-access-key-age must be 1 to %d days (0: the default, 90), not %d", maxAccessKeyAgeDays, c.MaxAccessKeyAgeDays)
	}
	return c.Audit.validate()
}

func newServeCmd() *cobra.Command {
	c := &serveConfig{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Gatehouse server (IAM, STS, Organizations, IAM Access Analyzer and S3 over SigV4 on one port)",
		Long: `Runs the server. The first start creates the data directory, the management
account and its root access key, printed once (or taken from
GATEHOUSE_ROOT_ACCESS_KEY_ID / GATEHOUSE_ROOT_SECRET_ACCESS_KEY). The account id
comes from --account-id or GATEHOUSE_ACCOUNT_ID, else it is generated. Secrets are
sealed under a master key: --master-key-file, GATEHOUSE_MASTER_KEY (base64 of 32
bytes), or one generated into the data directory.

With --store postgres://... the server keeps its data in PostgreSQL instead, and
several servers over one database form a cluster: start each with the same DSN
and the same master key (--master-key-file or GATEHOUSE_MASTER_KEY; there is no
data directory). The first node to start on an empty database creates the
management account; the others find it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if c.AccountID == "" {
				c.AccountID = os.Getenv("GATEHOUSE_ACCOUNT_ID")
			}
			c.DataDirGiven = cmd.Flags().Changed("data")
			c.MasterKeyInEnv = os.Getenv(keyring.EnvVar) != ""
			if err := c.Validate(); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serve(ctx, c, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.Addr, "addr", DefaultAddr, "address to listen on")
	f.StringVar(&c.DataDir, "data", "./data", "data directory of the embedded SQLite store")
	f.StringVar(&c.StoreDSN, "store", "", "PostgreSQL URL (postgres://...) to keep the data in, instead of the embedded SQLite store; nodes sharing one form a cluster")
	f.StringVar(&c.TLSCert, "tls-cert", "", "TLS certificate file (PEM)")
	f.StringVar(&c.TLSKey, "tls-key", "", "TLS key file (PEM)")
	f.StringVar(&c.MasterKeyFile, "master-key-file", "", "file holding the master key (base64)")
	f.StringVar(&c.AccountID, "account-id", "", "management account id on first start (default: $GATEHOUSE_ACCOUNT_ID, else generated)")
	f.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	f.StringVar(&c.ObjectsDir, "s3-dir", "", "directory of the embedded S3 object store (default: objects/ in --data; with --store, S3 is served only when this is given)")
	f.StringVar(&c.S3Upstream, "s3-upstream", "", "URL of an S3-compatible server to keep S3 objects on instead of --s3-dir (credentials from $"+upstreamKeyEnv+" and $"+upstreamSecretEnv+")")
	f.StringVar(&c.S3UpstreamRegion, "s3-upstream-region", "us-east-1", "region of --s3-upstream")
	f.StringVar(&c.S3UpstreamPrefix, "s3-upstream-prefix", "", "prefix of the upstream bucket names (upstream bucket = prefix + bucket)")
	f.StringVar(&c.S3Addr, "s3-addr", "", "also serve S3 alone on this address (every request there is an S3 request), beside --addr")
	f.StringVar(&c.S3Domain, "s3-domain", "", "domain under which buckets are virtual-hosted (bucket.DOMAIN); path-style addressing always works")
	f.DurationVar(&c.StoreTimeout, "store-timeout", store.DefaultTimeout, "bound of each store call, and of reaching PostgreSQL at start-up; an unreachable store answers 503 after it")
	f.BoolVar(&c.Audit.On, "audit", true, "record every request in the audit trail (CloudTrail's events; aws cloudtrail lookup-events); --audit=false turns it off")
	f.StringVar(&c.Audit.Log, "audit-log", "", "also write every event as a JSON line to this file (rotated), or - for standard output")
	f.IntVar(&c.Audit.LogMaxMB, "audit-log-max-mb", 100, "size in MB at which --audit-log is rotated")
	f.IntVar(&c.Audit.LogMaxFiles, "audit-log-max-files", 10, "rotated --audit-log files kept (0 keeps all)")
	f.DurationVar(&c.Audit.Retention, "audit-retention", DefaultRetention, "how long the audit trail keeps events")
	f.IntVar(&c.Principals, "principal-cache", authview.DefaultPrincipals, "principals whose compiled policy sets are kept in memory (about 3 KB of heap each, with one inline policy of their own; documents they share are kept once); the least used are evicted and reloaded from the store when they call again")
	f.StringVar(&c.MemoryLimit, "memory-limit", "", "soft limit of the process's Go memory, as GOMEMLIMIT (e.g. 256MiB; units B, KiB, MiB, GiB, TiB), which it overrides: the garbage collector runs more often as the heap nears it and memory is returned to the system sooner; it does not bound SQLite's page caches or the binary (default: GOMEMLIMIT, or none)")
	f.StringVar(&c.PublicURL, "public-url", "", "URL at which clients and relying parties reach this server (http[s]://host[:port]), under which outbound identity federation's issuers live; give it behind a proxy or in a cluster (default: the --addr listener's address)")
	f.BoolVar(&c.Audit.Sync, "audit-fsync", false, "fsync the audit trail's segment before answering each request, so that its event survives a crash of the machine too (a crash of the process never loses one)")
	f.StringVar(&c.CPUProfile, "cpu-profile", "", "write a CPU profile of the whole run to this file when the server stops (for a profile-guided build: bench/pgo.sh)")
	_ = f.MarkHidden("cpu-profile")
	f.IntVar(&c.MaxAccessKeyAgeDays, "max-access-key-age", 90, "days after its creation at which an active access key is due for rotation (AWS Config's access-keys-rotated maxAccessKeyAge): reported by unused access analyzers (IAMUserAccessKeyNotRotated findings) and the console's dashboard")
	return cmd
}

// maxAccessKeyAgeDays bounds --max-access-key-age (AWS Config's rule
// parameter is an int; ten years is beyond any rotation policy).
const maxAccessKeyAgeDays = 3650

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

// serve runs the server until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, c *serveConfig, stdout, stderr io.Writer) error {
	log, err := newLogger(stderr, c.LogFormat, c.LogLevel)
	if err != nil {
		return err
	}
	started := time.Now()
	if limit, _ := parseMemoryLimit(c.MemoryLimit); limit > 0 {
		debug.SetMemoryLimit(limit)
	}
	if c.CPUProfile != "" {
		stop, err := startCPUProfile(c.CPUProfile)
		if err != nil {
			return err
		}
		defer func() {
			if err := stop(); err != nil {
				log.Error("writing the CPU profile", "err", err)
			}
		}()
	}
	keyOpts := keyring.Options{KeyFile: c.MasterKeyFile, EnvValue: os.Getenv(keyring.EnvVar), Rand: rand.Reader}
	if c.StoreDSN == "" {
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return fmt.Errorf("creating the data directory: %w", err)
		}
		keyOpts.DataDir = c.DataDir
	}
	keys, err := keyring.Load(keyOpts)
	if err != nil {
		return fmt.Errorf("loading the master key: %w", err)
	}
	var (
		st       store.Store
		pg       *postgres.Store // set when the store is PostgreSQL
		location = []any{"data", c.DataDir}
	)
	if c.StoreDSN != "" {
		if pg, err = postgres.Open(ctx, c.StoreDSN, postgres.Options{Log: log, Timeout: c.StoreTimeout}); err != nil {
			return fmt.Errorf("opening the PostgreSQL store: %w", err)
		}
		st, location = pg, []any{"store", "postgres"} // never the DSN: it may hold a password
	} else if st, err = sqlite.OpenWith(ctx, c.DataDir, sqlite.Options{Timeout: c.StoreTimeout}); err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer st.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	objectsDir := c.ObjectsDir
	if objectsDir == "" && c.StoreDSN == "" && c.S3Upstream == "" {
		objectsDir = filepath.Join(c.DataDir, "objects")
	}
	var objects objectstore.Backend
	if c.S3Upstream != "" {
		b, err := openUpstream(c)
		if err != nil {
			return err
		}
		defer closeLogged(log, "the S3 upstream backend", b)
		objects = b
	} else if objectsDir != "" {
		b, err := disk.Open(objectsDir, disk.Options{Now: time.Now, Logger: log})
		if err != nil {
			return fmt.Errorf("opening the S3 object store: %w", err)
		}
		defer closeLogged(log, "the S3 object store", b)
		objects = b
	}
	trailStore, auditLog, closeTrail, err := openTrail(ctx, c, stdout)
	if err != nil {
		return err
	}
	defer closeTrail()
	gh, err := app.New(ctx, app.Config{Store: st, Keys: keys, Rand: rand.Reader, Now: time.Now, Log: log, Registry: reg,
		Objects: objects, S3Domain: c.S3Domain, Trail: trailStore, AuditLog: auditLog,
		Principals: c.Principals, MaxAccessKeyAge: time.Duration(c.MaxAccessKeyAgeDays) * 24 * time.Hour})
	if err != nil {
		return err
	}
	dir, iamSvc, tokenKeys, srv := gh.Directory, gh.IAM, gh.TokenKeys, gh.Server
	var boot iam.BootstrapResult
	bootstrap := func(ctx context.Context) error {
		var err error
		boot, err = iamSvc.Bootstrap(ctx, iam.BootstrapOptions{
			AccountID:           c.AccountID,
			RootAccessKeyID:     os.Getenv("GATEHOUSE_ROOT_ACCESS_KEY_ID"),
			RootSecretAccessKey: os.Getenv("GATEHOUSE_ROOT_SECRET_ACCESS_KEY"),
		})
		return err
	}
	if pg != nil {
		// Nodes starting together on an empty database take turns: each
		// catches up with the store under the lock, so all but the first
		// find the management account (and a fixed root key) already there.
		err = pg.Exclusive(ctx, "bootstrap", func(ctx context.Context) error {
			if err := dir.Sync(ctx); err != nil {
				return err
			}
			return bootstrap(ctx)
		})
	} else {
		err = bootstrap(ctx)
	}
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	if boot.RootAccessKeyID != "" {
		// Printed once, to the terminal only: never logged.
		fmt.Fprintf(stdout, "Created management account %s.\nRoot access key (shown once, keep it safe):\n  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n",
			boot.AccountID, boot.RootAccessKeyID, boot.RootSecretAccessKey)
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", c.Addr, err)
	}
	newHTTP := func(h http.Handler) *http.Server {
		return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	}
	servers := []*http.Server{newHTTP(srv.Handler())}
	listeners := []net.Listener{ln}
	if c.S3Addr != "" {
		if gh.S3 == nil {
			ln.Close()
			return errors.New("--s3-addr needs S3: give --s3-dir or --s3-upstream with --store")
		}
		sln, err := net.Listen("tcp", c.S3Addr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listening on %s: %w", c.S3Addr, err)
		}
		servers = append(servers, newHTTP(srv.S3Handler()))
		listeners = append(listeners, sln)
	}
	gh.UsePublicURL(publicURL(c, ln.Addr()))
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	bgDone := make(chan struct{}, 8)
	bgCount := 4
	go func() { dir.Run(bg, time.Second); bgDone <- struct{}{} }()
	go func() { tokenKeys.Run(bg, 30*time.Second); bgDone <- struct{}{} }()
	go func() { gh.WebTokens.Run(bg, 30*time.Second); bgDone <- struct{}{} }()
	go func() { srv.RunKeyUseFlusher(bg, time.Second); bgDone <- struct{}{} }()
	if gh.Recorder != nil {
		// The recorder stops after the listeners: requests in flight at
		// shutdown still get their events.
		go func() { gh.Recorder.Run(bg); bgDone <- struct{}{} }()
		go func() { runRetention(bg, trailStore, c.Audit.Retention, log); bgDone <- struct{}{} }()
		bgCount += 2
	}
	if pg != nil {
		// Other nodes' commits arrive by LISTEN/NOTIFY; Run's poll above is
		// the fallback when a notification is missed.
		events := make(chan int64, 1)
		go func() { pg.Listen(bg, authview.Wake(events)); bgDone <- struct{}{} }() //nolint:errcheck // returns bg's cause
		go func() { dir.SyncOn(bg, events); bgDone <- struct{}{} }()
		bgCount += 2
	}

	errc := make(chan error, len(servers))
	for i, hs := range servers {
		go func() {
			if c.TLSCert != "" {
				errc <- hs.ServeTLS(listeners[i], c.TLSCert, c.TLSKey)
			} else {
				errc <- hs.Serve(listeners[i])
			}
		}()
	}
	attrs := append([]any{"addr", ln.Addr().String(), "account", boot.AccountID}, location...)
	if c.S3Addr != "" {
		attrs = append(attrs, "s3_addr", listeners[1].Addr().String())
	}
	log.Info("gatehouse serving", append(attrs, "tls", c.TLSCert != "", "startup", time.Since(started).Round(time.Millisecond).String())...)
	select {
	case err := <-errc:
		stopBG()
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for _, hs := range servers {
		if serr := hs.Shutdown(sctx); serr != nil && err == nil {
			err = serr
		}
	}
	stopBG()
	for range bgCount {
		<-bgDone
	}
	return err
}

// The environment variables of the upstream's credentials: never flags,
// which process lists show.
const (
	upstreamKeyEnv    = "GATEHOUSE_S3_UPSTREAM_ACCESS_KEY_ID"
	upstreamSecretEnv = "GATEHOUSE_S3_UPSTREAM_SECRET_ACCESS_KEY"
)

func openUpstream(c *serveConfig) (*upstream.Backend, error) {
	key, secret := os.Getenv(upstreamKeyEnv), os.Getenv(upstreamSecretEnv)
	if key == "" || secret == "" {
		return nil, fmt.Errorf("--s3-upstream needs the upstream's credentials in %s and %s", upstreamKeyEnv, upstreamSecretEnv)
	}
	b, err := upstream.Open(upstream.Options{Endpoint: c.S3Upstream, Region: c.S3UpstreamRegion, BucketPrefix: c.S3UpstreamPrefix,
		AccessKeyID: key, SecretAccessKey: secret})
	if err != nil {
		return nil, fmt.Errorf("opening the S3 upstream: %w", err)
	}
	return b, nil
}

// closeLogged closes c, logging a failure.
func closeLogged(log *slog.Logger, what string, c io.Closer) {
	if err := c.Close(); err != nil {
		log.Warn("closing "+what, "err", err)
	}
}

// checkPublicURL checks --public-url: an http or https URL of a host, with
// no path, query or user information.
func checkPublicURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--public-url must be http[s]://host[:port], not %q", s)
	}
	return nil
}

// publicURL is --public-url, else the listener's address: with the scheme
// the listener serves, and an unspecified address (0.0.0.0, ::) named as
// the loopback one.
func publicURL(c *serveConfig, addr net.Addr) string {
	if c.PublicURL != "" {
		return strings.TrimSuffix(c.PublicURL, "/")
	}
	scheme := "http"
	if c.TLSCert != "" {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return scheme + "://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// startCPUProfile profiles the process's CPU into path until the returned
// function is called.
func startCPUProfile(path string) (func() error, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}
