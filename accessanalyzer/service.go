// Package accessanalyzer is IAM Access Analyzer: policy validation
// (ValidatePolicy, with the checks of policy/validate) and external access
// analyzers whose zone of trust is the account or, for organization
// analyzers, the organization (organization.go). An analyzer reports the IAM
// roles whose trust policy lets a principal outside the zone (another
// account, a federated identity provider, or anyone) assume them, and the S3
// buckets whose policy or ACL gives such principals access under the Block
// Public Access in force (buckets.go), with AWS's finding shape (resource,
// principal, action, condition, isPublic, sources) and lifecycle (ACTIVE,
// ARCHIVED by hand or by an archive rule, RESOLVED once the access is gone);
// access previews of proposed role and bucket configurations, compared with
// those findings (previews.go); and policy generation (StartPolicyGeneration and its
// jobs), which writes least-privilege policies from what a user or role did,
// read from the audit trail (generation.go); and unused access analyzers
// (ACCOUNT_UNUSED_ACCESS, ORGANIZATION_UNUSED_ACCESS), whose findings V2
// report roles, access keys,
// console passwords and permissions not used within the analyzer's age,
// from the store's last-used dates and the audit trail (unused.go), with
// recommendations for unused permissions (recommend.go); and the tags of
// analyzers and archive rules, the resources an analyzer examined, and the
// service-linked analyzer operations customers cannot use (tags.go).
//
// Findings are recomputed from the store whenever they are read or a scan is
// requested (scan, over analyzeAccount), so they follow every change of a
// trust policy, bucket policy, ACL or Block Public Access at once; the
// finding records keep what the analysis cannot derive: ids, status and
// timestamps. The package speaks Go types (the generated api/analyzerapi
// shapes) and *awserr.Error, never HTTP; the server routes, authenticates and
// authorizes requests through the operation table it exports.
package accessanalyzer

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"github.com/google/uuid"
	"io"
	"log/slog"
	"time"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/trail"
)

// Config holds the service's dependencies.
type Config struct {
	Store store.Store
	// Rand is the source of finding ids (crypto/rand.Reader in production).
	Rand io.Reader
	// Now is the clock.
	Now func() time.Time
	Log *slog.Logger
	// Trail is the audit trail policy generation reads (app.Config.Trail);
	// nil when the trail is off, and policy generation jobs then fail.
	Trail trail.Store
	// GenerationTimeout is a policy generation job's deadline (5 minutes
	// when zero).
	GenerationTimeout time.Duration
	// Go runs a policy generation job in the background (a goroutine when
	// nil); tests hold jobs back with it.
	Go func(job func())
	// Policies gives users' and roles' identity policies to the unused
	// access analyzer (app.Config's authorization view).
	Policies Policies
	// MaxAccessKeyAge is the age past which an active access key is
	// reported as not rotated (FindingTypeAccessKeyNotRotated); zero means
	// DefaultMaxAccessKeyAge.
	MaxAccessKeyAge time.Duration
}

// Service implements the Access Analyzer operations.
type Service struct {
	st   store.Store
	rand io.Reader
	now  func() time.Time
	log  *slog.Logger

	trail      trail.Store
	genTimeout time.Duration
	goFn       func(func())
	policies   Policies
	maxKeyAge  time.Duration
}

// New returns the service.
func New(c Config) *Service {
	r := c.Rand
	if r == nil {
		r = rand.Reader
	}
	timeout := c.GenerationTimeout
	if timeout <= 0 {
		timeout = defaultGenerationTimeout
	}
	maxKeyAge := c.MaxAccessKeyAge
	if maxKeyAge <= 0 {
		maxKeyAge = DefaultMaxAccessKeyAge
	}
	return &Service{st: c.Store, rand: r, now: c.Now, log: c.Log, trail: c.Trail, genTimeout: timeout, goFn: c.Go, policies: c.Policies,
		maxKeyAge: maxKeyAge}
}

// op builds an operation.Op from a typed run function; the action is
// "access-analyzer:"+name and the resource comes from res (nil: "*").
func op[I, O any](name string, res func(c *identity.Caller, in I) string, run func(ctx context.Context, c *identity.Caller, in I) (O, error)) operation.Op {
	return operation.New(name, func(_ context.Context, c *identity.Caller, in I) (operation.Authz, error) {
		resource := "*"
		if res != nil {
			if r := res(c, in); r != "" {
				resource = r
			}
		}
		return operation.Authz{Action: "access-analyzer:" + name, Resource: resource}, nil
	}, run)
}

// Ops returns the operation table, keyed by operation name.
func (s *Service) Ops() map[string]operation.Op {
	return operation.Table(s.validateOps(), s.analyzerOps(), s.ruleOps(), s.findingOps(), s.generationOps(), s.recommendationOps(), s.checkOps(),
		s.tagOps(), s.previewOps())
}

// serviceErr passes AWS errors on and turns anything else into
// InternalServerException.
func serviceErr(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := awserr.As(err); ok {
		return err
	}
	return &awserr.Error{Code: "InternalServerException", Status: 500,
		Message: "Internal server error.", Err: err}
}

// update runs fn in a store transaction.
func (s *Service) update(ctx context.Context, fn func(tx store.Tx) error) error {
	return serviceErr(s.st.Update(ctx, fn))
}

// view runs fn in a read transaction.
func (s *Service) view(ctx context.Context, fn func(tx store.ReadTx) error) error {
	return serviceErr(s.st.View(ctx, fn))
}

// Resource types of the errors that name one.
const (
	typeAnalyzer    = "AWS::AccessAnalyzer::Analyzer"
	typeArchiveRule = "AWS::AccessAnalyzer::ArchiveRule"
	typeFinding     = "AWS::AccessAnalyzer::Finding"
	typeRole        = "AWS::IAM::Role"
	typeBucket      = "AWS::S3::Bucket"
)

// resourceErr returns an exception carrying resourceId and resourceType.
func resourceErr(code string, status int, msg, id, typ string) error {
	return (&awserr.Error{Code: code, Status: status, Sender: true, Message: msg}).
		WithMembers(map[string]any{"resourceId": id, "resourceType": typ})
}

func notFound(msg, id, typ string) error {
	return resourceErr("ResourceNotFoundException", 404, msg, id, typ)
}

func conflict(msg, id, typ string) error {
	return resourceErr("ConflictException", 409, msg, id, typ)
}

// invalid returns a ValidationException about one field.
func invalid(field, msg string) error {
	return awserr.FieldValidation(awserr.Field{Name: field, Message: msg})
}

// newID returns a random id in UUID form, as Access Analyzer's finding ids.
func (s *Service) newID() (string, error) {
	u, err := uuid.NewRandomFromReader(s.rand)
	if err != nil {
		return "", fmt.Errorf("finding id: %w", err)
	}
	return u.String(), nil
}

// emptyOutput is the output of operations that return nothing.
type emptyOutput = operation.NoOutput

func done(err error) (*emptyOutput, error) { return operation.Done(err) }

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

func str(s string) *string { return &s }
