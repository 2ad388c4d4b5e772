// Package app wires a whole Gatehouse over a store: the directory (the
// in-memory authorization view), the services (IAM, STS, Organizations, IAM
// Access Analyzer), the web console, the authorizer that decides every request, the
// session-token key ring and the HTTP server. `gatehouse serve` and the
// integration tests' server (internal/testserver) both build it here, so the
// tests exercise exactly what production runs.
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse-iam/gatehouse/accessanalyzer"
	"github.com/gatehouse-iam/gatehouse/api/s3codec"
	"github.com/gatehouse-iam/gatehouse/authview"
	"github.com/gatehouse-iam/gatehouse/authz"
	"github.com/gatehouse-iam/gatehouse/cloudtrail"
	"github.com/gatehouse-iam/gatehouse/console"
	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/managedpolicies"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/organizations"
	"github.com/gatehouse-iam/gatehouse/s3"
	"github.com/gatehouse-iam/gatehouse/server"
	"github.com/gatehouse-iam/gatehouse/session/tokenkeys"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/sts"
	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/gatehouse-iam/gatehouse/webtoken"
	"github.com/gatehouse-iam/gatehouse/workload"
)

// Config holds what a Gatehouse is built from.
type Config struct {
	// Store holds everything; the caller opens and closes it.
	Store store.Store
	// Keys is the master keyring (secrets at rest, session-key wrapping).
	Keys *keyring.Keyring
	// Rand is the source of ids, secrets and keys (crypto/rand.Reader).
	Rand io.Reader
	// Now is the clock (time.Now).
	Now func() time.Time
	Log *slog.Logger
	// Registry receives the server's metrics.
	Registry *prometheus.Registry
	// Objects, when set, keeps S3 objects, and the server serves S3; the
	// caller opens and closes it.
	Objects objectstore.Backend
	// S3Domain is the domain under which buckets are virtual-hosted
	// (bucket.S3Domain); "" serves path style only.
	S3Domain string
	// Trail, when set, keeps the audit trail: every request's event is
	// recorded there before it is answered (Gatehouse.Recorder must run),
	// and the server serves CloudTrail's LookupEvents over it. Unset, there
	// is no CloudTrail endpoint. The caller opens and closes it.
	Trail trail.Store
	// AuditLog, when set, receives every recorded event as a JSON line.
	AuditLog io.Writer
	// MaxAccessKeyAge is the age past which an active access key is due
	// for rotation (AWS Config's access-keys-rotated maxAccessKeyAge):
	// the unused access analyzer's IAMUserAccessKeyNotRotated findings and
	// the console's dashboard; zero means 90 days.
	MaxAccessKeyAge time.Duration
	// Principals bounds the authorization view's cache of compiled policy
	// sets (authview.Options.Principals; zero: the default).
	Principals int
	// PublicURL is the server's URL as others reach it (scheme, host,
	// port): outbound identity federation's issuers live under it. When
	// it is known only once the server listens, leave it empty and call
	// Gatehouse.UsePublicURL before serving.
	PublicURL string
}

// Gatehouse is a wired Gatehouse, ready to bootstrap and serve.
type Gatehouse struct {
	Directory      *authview.Directory
	Authorizer     *authz.Authorizer
	IAM            *iam.Service
	STS            *sts.Service
	Organizations  *organizations.Service
	AccessAnalyzer *accessanalyzer.Service
	// S3 is nil unless Config.Objects is set.
	S3 *s3.Service
	// CloudTrail is nil unless Config.Trail is set.
	CloudTrail *cloudtrail.Service
	// Workloads is the workload API and credential endpoint.
	Workloads *workload.Service
	// TokenKeys seals session tokens: the cluster's session keys kept in
	// the store, wrapped by the master key (tokens sealed by the master
	// keyring itself before the ring existed still open).
	TokenKeys *tokenkeys.Ring
	Server    *server.Server
	// Recorder writes the audit trail (nil without Config.Trail); its Run
	// must be running while the server serves, and stop after it.
	Recorder *trail.Recorder
	// Console is the web console the server mounts under /ui/: its
	// pages call the server's own API handler in-process.
	Console *console.Console
	// WebTokens signs STS GetWebIdentityToken's tokens and is the key set
	// the server publishes for them: the cluster's signing keys kept in
	// the store, sealed by the master key. Its Run re-reads them after a
	// rotation.
	WebTokens *webtoken.Ring
}

// UsePublicURL sets the server's public URL (Config.PublicURL) once it is
// known. Call it before serving.
func (g *Gatehouse) UsePublicURL(u string) { g.IAM.UseIssuerBase(u) }

// New loads the directory from the store and builds every part.
func New(ctx context.Context, c Config) (*Gatehouse, error) {
	catalog, err := managedpolicies.Load()
	if err != nil {
		return nil, fmt.Errorf("loading the AWS managed policies: %w", err)
	}
	dir := authview.NewWith(c.Store, catalog, c.Log, authview.Options{Principals: c.Principals})
	if err := dir.Load(ctx); err != nil {
		return nil, fmt.Errorf("loading the directory: %w", err)
	}
	g := &Gatehouse{Directory: dir}
	// The trail's readers (LookupEvents, last accessed reports) see the
	// requests this node answered before them, however far its index lags.
	var trailReader trail.Store
	if c.Trail != nil {
		g.Recorder, err = trail.NewRecorder(c.Trail, trail.RecorderOptions{Export: c.AuditLog, Log: c.Log})
		if err != nil {
			return nil, fmt.Errorf("opening the audit trail's recorder: %w", err)
		}
		trailReader = g.Recorder.Reader()
	}
	g.Organizations = organizations.New(organizations.Config{Store: c.Store, Directory: dir, Rand: c.Rand, Now: c.Now, Log: c.Log})
	g.Authorizer = authz.New(dir, g.Organizations)
	// Organizations' controls also decide IAM's SimulatePrincipalPolicy.
	g.IAM = iam.New(iam.Config{Store: c.Store, Directory: dir, Keyring: c.Keys, Rand: c.Rand, Now: c.Now, Managed: catalog, Log: c.Log, Guardrails: g.Organizations, Trail: trailReader,
		OrgReports: g.Organizations, RootAccess: g.Organizations, Delegation: newSNSNotifier()})
	g.TokenKeys, err = tokenkeys.Open(ctx, tokenkeys.Config{Store: c.Store, Master: c.Keys, Legacy: c.Keys, Rand: c.Rand, Now: c.Now, Log: c.Log})
	if err != nil {
		return nil, fmt.Errorf("opening the session key ring: %w", err)
	}
	g.STS = sts.New(sts.Config{Store: c.Store, Directory: dir, Managed: catalog, Sealer: g.TokenKeys, MFA: g.IAM, SAMLKeys: g.IAM, Rand: c.Rand, Now: c.Now, Log: c.Log, Authorizer: g.Authorizer})
	g.STS.UseRootSessions(g.Organizations)
	g.WebTokens, err = webtoken.Open(ctx, webtoken.Config{Store: c.Store, Master: c.Keys, Rand: c.Rand, Now: c.Now, Log: c.Log})
	if err != nil {
		return nil, fmt.Errorf("opening the web identity token keys: %w", err)
	}
	g.STS.UseWebTokens(g.WebTokens)
	if c.PublicURL != "" {
		g.IAM.UseIssuerBase(c.PublicURL)
	}
	g.Authorizer.UseSessions(g.STS)
	g.AccessAnalyzer = accessanalyzer.New(accessanalyzer.Config{Store: c.Store, Rand: c.Rand, Now: c.Now, Log: c.Log, Trail: trailReader, Policies: dir,
		MaxAccessKeyAge: c.MaxAccessKeyAge})
	if c.Objects != nil {
		g.S3 = s3.New(s3.Config{Store: c.Store, Buckets: dir, Backend: c.Objects, Authorizer: g.Authorizer, Rand: c.Rand, Now: c.Now, Log: c.Log,
			Documents: s3codec.Documents()})
	}
	if c.Trail != nil {
		g.CloudTrail = cloudtrail.New(cloudtrail.Config{Trail: trailReader, Now: c.Now})
	}
	g.Workloads = workload.New(workload.Config{Store: c.Store, STS: g.STS, Rand: c.Rand, Now: c.Now, Log: c.Log})
	g.Server, err = server.New(server.Config{Directory: dir, Authorizer: g.Authorizer, IAM: g.IAM, STS: g.STS, Organizations: g.Organizations,
		AccessAnalyzer: g.AccessAnalyzer, S3: g.S3, CloudTrail: g.CloudTrail, Workloads: g.Workloads, S3Domain: c.S3Domain, Now: c.Now, Log: c.Log, Registry: c.Registry,
		Trail: g.Recorder})
	if err != nil {
		return nil, err
	}
	g.Console, err = console.New(console.Config{API: g.Server.APIHandler(), IAM: g.IAM, STS: g.STS, Sealer: g.TokenKeys,
		Rand: c.Rand, Now: c.Now, Log: c.Log, Trail: g.Recorder, HasS3: g.S3 != nil, HasCloudTrail: g.CloudTrail != nil,
		MaxAccessKeyAge: c.MaxAccessKeyAge, Store: c.Store, SignOuts: dir})
	if err != nil {
		return nil, fmt.Errorf("building the console: %w", err)
	}
	g.Server.UseConsole(g.Console)
	g.Server.UseWebTokenKeys(g.WebTokens)
	return g, nil
}
