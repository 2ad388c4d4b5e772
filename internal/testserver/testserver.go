// Package testserver starts a complete Gatehouse server (SQLite store in a temp
// dir, directory, services, HTTP on a loopback port) for integration tests, and
// makes aws-sdk-go-v2 clients that talk to it.
package testserver

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse-iam/gatehouse/app"
	"github.com/gatehouse-iam/gatehouse/authview"
	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/objectstore/disk"
	"github.com/gatehouse-iam/gatehouse/organizations"
	"github.com/gatehouse-iam/gatehouse/server"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
	"github.com/gatehouse-iam/gatehouse/trail"
	trailsqlite "github.com/gatehouse-iam/gatehouse/trail/sqlite"
)

// The fixed identity of the test server's management account.
const (
	AccountID     = "123456789012"
	RootKeyID     = "AKIAIOSFODNN7EXAMPLE"
	RootSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// Server is a running test server.
type Server struct {
	URL       string
	Store     store.Store
	Directory *authview.Directory
	IAM       *iam.Service
	Orgs      *organizations.Service
	HTTP      *server.Server
	// Trail is the audit trail every request is recorded in.
	Trail trail.Store
	// Recorder writes Trail (nil without one): its events reach Trail
	// behind its record; FlushTrail waits for them.
	Recorder *trail.Recorder
}

// FlushTrail returns once every request answered so far is in Trail.
func (s *Server) FlushTrail(t testing.TB) {
	t.Helper()
	if s.Recorder == nil {
		return
	}
	if err := s.Recorder.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// Start starts a server for the test; it stops when the test ends.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// Options change what StartWith starts.
type Options struct {
	// S3Domain virtual-hosts buckets as bucket.S3Domain (serve --s3-domain).
	S3Domain string
	// NoTrail runs without the audit trail (serve --audit=false), for
	// benchmarks that compare.
	NoTrail bool
	// Trail, when set, is the audit trail (app.Config.Trail) in place of
	// the SQLite one the server opens in its directory; the test owns it.
	Trail trail.Store
	// Now, when set, is the server's clock (time.Now otherwise), for tests
	// of expiry that must not sleep.
	Now func() time.Time
	// MaxAccessKeyAge is app.Config.MaxAccessKeyAge (serve
	// --max-access-key-age; zero: 90 days).
	MaxAccessKeyAge time.Duration
	// WrapObjects, when set, wraps the object backend the server uses (a
	// test's view of the calls S3 makes of it).
	WrapObjects func(objectstore.Backend) objectstore.Backend
	// Seed, when set, writes records into the store before the server is
	// built, as a data directory of a server being restarted would hold
	// them: the directory loads them at start and has seen no principal.
	// Secrets are sealed with keys, the server's keyring.
	Seed func(ctx context.Context, st store.Store, keys *keyring.Keyring) error
}

// StartWith is Start with options.
func StartWith(t testing.TB, opt Options) *Server {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	key, err := keyring.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := keyring.Load(keyring.Options{EnvValue: keyring.EncodeKey(key), DataDir: dir, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if opt.Seed != nil {
		if err := opt.Seed(ctx, st, keys); err != nil {
			t.Fatal(err)
		}
	}
	objects, err := disk.Open(filepath.Join(dir, "objects"), disk.Options{Now: time.Now, Logger: log, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = objects.Close() })
	var backend objectstore.Backend = objects
	if opt.WrapObjects != nil {
		backend = opt.WrapObjects(objects)
	}
	tr := opt.Trail
	if tr == nil && !opt.NoTrail {
		ts, err := trailsqlite.Open(ctx, filepath.Join(dir, "trail.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ts.Close() })
		tr = ts
	}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	gh, err := app.New(ctx, app.Config{Store: st, Keys: keys, Rand: rand.Reader, Now: now, Log: log, Registry: prometheus.NewRegistry(),
		Objects: backend, S3Domain: opt.S3Domain, Trail: tr, MaxAccessKeyAge: opt.MaxAccessKeyAge})
	if err != nil {
		t.Fatal(err)
	}
	if gh.Recorder != nil {
		rctx, stopRecorder := context.WithCancel(ctx)
		recorded := make(chan struct{})
		go func() { gh.Recorder.Run(rctx); close(recorded) }()
		t.Cleanup(func() { stopRecorder(); <-recorded })
	}
	d, svc, orgs, hs := gh.Directory, gh.IAM, gh.Organizations, gh.Server
	if _, err := svc.Bootstrap(ctx, iam.BootstrapOptions{AccountID: AccountID, RootAccessKeyID: RootKeyID, RootSecretAccessKey: RootSecretKey}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(hs.Handler())
	t.Cleanup(ts.Close)
	gh.UsePublicURL(ts.URL)
	return &Server{URL: ts.URL, Store: st, Directory: d, IAM: svc, Orgs: orgs, HTTP: hs, Trail: tr, Recorder: gh.Recorder}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// Config returns an SDK configuration for the given static credentials.
func (s *Server) Config(keyID, secret string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		BaseEndpoint: aws.String(s.URL),
		Retryer:      newRetryer,
	}
}

// RootIAM returns an IAM client signed with the root user's key.
func (s *Server) RootIAM() *awsiam.Client {
	return awsiam.NewFromConfig(s.Config(RootKeyID, RootSecretKey))
}

// IAMClient returns an IAM client for the given credentials.
func (s *Server) IAMClient(keyID, secret string) *awsiam.Client {
	return awsiam.NewFromConfig(s.Config(keyID, secret))
}

// STSClient returns an STS client for the given credentials.
func (s *Server) STSClient(keyID, secret string) *awssts.Client {
	return awssts.NewFromConfig(s.Config(keyID, secret))
}

// OrgClient returns an Organizations client for the given credentials
// (sessionToken "" for long-term keys).
func (s *Server) OrgClient(keyID, secret, sessionToken string) *awsorg.Client {
	c := s.Config(keyID, secret)
	c.Credentials = credentials.NewStaticCredentialsProvider(keyID, secret, sessionToken)
	return awsorg.NewFromConfig(c)
}

// NewUserWithKey creates a user and an access key for it, returning an IAM client
// signed with that key.
func (s *Server) NewUserWithKey(t testing.TB, name string) *awsiam.Client {
	t.Helper()
	ctx := context.Background()
	root := s.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatalf("CreateUser %s: %v", name, err)
	}
	out, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateAccessKey %s: %v", name, err)
	}
	return s.IAMClient(*out.AccessKey.AccessKeyId, *out.AccessKey.SecretAccessKey)
}

// newRetryer retries only what a real client would retry at the connection
// level, and never an answer of the server, so tests see every AWS error as the
// server gave it. The Go transport can close a connection from its write loop
// while the response body is still being read ("use of closed network
// connection" after a 200; aws/aws-sdk-go-v2#2737, which the SDK's default
// retryer treats as retryable); logging server connection states here showed
// the server had written the whole response when it happened.
func newRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
		o.RateLimiter = ratelimit.None
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 10 * time.Millisecond, nil })
	})
}
