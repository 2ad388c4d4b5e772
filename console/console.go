// Package console is Gatehouse's web console: server-rendered pages (Go
// html/template, templates and assets embedded) mounted by the server under
// /ui/. A person signs in with an account id or alias, user name and
// console password (the root user with a root access key), then an MFA
// code when they have a device; the sign-in becomes an IAM session — STS's
// ConsoleCredentials, kept sealed in an HttpOnly, SameSite=Strict cookie —
// and every action a page takes is an ordinary AWS operation made with
// aws-sdk-go-v2 clients signed with those credentials and handed in-process
// to the server's one request pipeline. So the console's authorization,
// errors and audit trail are exactly those of the aws CLI.
package console

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsaa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	awsct "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/sts"
	"github.com/gatehouse-iam/gatehouse/trail"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// UserAgent names the console in the User-Agent of its AWS requests (the
// SDK's app id), so the audit trail shows which calls came from it.
const UserAgent = "gatehouse-console"

// Config holds the console's dependencies.
type Config struct {
	// API is the server's handler of the AWS APIs (server.APIHandler):
	// every console action is a request to it.
	API http.Handler
	// IAM checks sign-ins (passwords, root keys, MFA codes).
	IAM *iam.Service
	// STS issues the sessions' credentials.
	STS *sts.Service
	// Sealer seals the console's cookies (the session-token ring).
	Sealer session.Sealer
	// Rand is the source of session ids and CSRF tokens (crypto/rand).
	Rand io.Reader
	Now  func() time.Time
	Log  *slog.Logger
	// Region is the region the console's clients sign for.
	Region string
	// Trail, when set, records every sign-in attempt as CloudTrail
	// records AWS's (ConsoleLogin events of signin.amazonaws.com).
	Trail *trail.Recorder
	// Store records sign-outs for every node (KindConsoleSignOut).
	Store store.Store
	// SignOuts reads the cluster's sign-outs (the authorization view).
	SignOuts SignOuts
	// HasS3 and HasCloudTrail say whether the server serves S3 and
	// CloudTrail, so the console shows their pages.
	HasS3, HasCloudTrail bool
	// MaxAccessKeyAge is the age past which the dashboard reports an
	// active access key as due for rotation (the credential report's
	// access_key_N_last_rotated), the unused access analyzer's
	// IAMUserAccessKeyNotRotated age; zero means 90 days.
	MaxAccessKeyAge time.Duration
}

// Console is the web console's handler.
type Console struct {
	api      http.Handler
	iam      *iam.Service
	sts      *sts.Service
	sealer   session.Sealer
	rand     io.Reader
	now      func() time.Time
	log      *slog.Logger
	region   string
	trail    *trail.Recorder
	hasS3    bool
	hasCT    bool
	maxAge   time.Duration // of an active access key
	pages    map[string]*template.Template
	mux      *http.ServeMux
	static   http.Handler
	revoked  revocations
	store    store.Store
	signOuts SignOuts
	byUser   throttle
	byIP     throttle
}

// New builds the console.
func New(c Config) (*Console, error) {
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.MaxAccessKeyAge <= 0 {
		c.MaxAccessKeyAge = staleAfter
	}
	con := &Console{api: c.API, iam: c.IAM, sts: c.STS, sealer: c.Sealer, rand: c.Rand, now: c.Now, log: c.Log, region: c.Region, trail: c.Trail, hasS3: c.HasS3, hasCT: c.HasCloudTrail,
		maxAge: c.MaxAccessKeyAge, store: c.Store, signOuts: c.SignOuts}
	if con.store == nil || con.signOuts == nil {
		return nil, errors.New("console: a store and the sign-outs' view are required")
	}
	if err := con.parseTemplates(); err != nil {
		return nil, err
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	con.static = http.StripPrefix("/ui/static/", http.FileServerFS(sub))
	con.routes()
	return con, nil
}

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"date": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return "—"
			}
			return v.UTC().Format("2006-01-02 15:04 UTC")
		case *time.Time:
			if v == nil || v.IsZero() {
				return "—"
			}
			return v.UTC().Format("2006-01-02 15:04 UTC")
		}
		return "—"
	},
	"deref": func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	},
	"pngURL": func(b []byte) template.URL {
		return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b))
	},
}

// parseTemplates parses every page with the layout.
func (c *Console) parseTemplates() error {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	c.pages = map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return fmt.Errorf("console: parsing %s: %w", n, err)
		}
		c.pages[base] = t
	}
	return nil
}

// ServeHTTP serves the console, with its security headers on every
// response.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	if r.URL.Path == "/ui" {
		http.Redirect(w, r, "/ui/", http.StatusFound)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/ui/static/") {
		h.Set("Cache-Control", "public, max-age=3600")
		c.static.ServeHTTP(w, r)
		return
	}
	// Pages show identities and credentials: never stored.
	h.Set("Cache-Control", "no-store")
	c.mux.ServeHTTP(w, r)
}

// randomToken returns n random bytes, base64url.
func (c *Console) randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(c.rand, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// clients are the AWS clients of one request, signed with its session.
type clients struct {
	IAM           *awsiam.Client
	STS           *awssts.Client
	Analyzer      *awsaa.Client
	Organizations *awsorg.Client
	CloudTrail    *awsct.Client
	S3            *awss3.Client
}

// internalEndpoint is the endpoint the console's clients sign for; the
// transport never dials it.
const internalEndpoint = "http://gatehouse.console.internal"

// clientsFor makes the AWS clients of a signed-in session.
func (c *Console) clientsFor(s *sess) *clients {
	cfg := aws.Config{
		Region:      c.region,
		Credentials: credentials.NewStaticCredentialsProvider(s.AccessKeyID, s.Secret, s.Token),
		HTTPClient:  &http.Client{Transport: inProcess{h: c.api}},
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
		AppID:       UserAgent,
	}
	ep := aws.String(internalEndpoint)
	return &clients{
		IAM:           awsiam.NewFromConfig(cfg, func(o *awsiam.Options) { o.BaseEndpoint = ep }),
		STS:           awssts.NewFromConfig(cfg, func(o *awssts.Options) { o.BaseEndpoint = ep }),
		Analyzer:      awsaa.NewFromConfig(cfg, func(o *awsaa.Options) { o.BaseEndpoint = ep }),
		Organizations: awsorg.NewFromConfig(cfg, func(o *awsorg.Options) { o.BaseEndpoint = ep }),
		CloudTrail:    awsct.NewFromConfig(cfg, func(o *awsct.Options) { o.BaseEndpoint = ep }),
		S3:            awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.BaseEndpoint = ep; o.UsePathStyle = true }),
	}
}

// apiContext is the context of the console's AWS requests for r: the
// browser's address travels with it.
func apiContext(r *http.Request) context.Context {
	return withClientIP(r.Context(), r.RemoteAddr)
}
