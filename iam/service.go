// Package iam is the IAM service: its operations, their validation, limits and
// errors, over the store. It speaks Go types (the generated api/iamapi shapes) and
// *awserr.Error, never HTTP or XML; the server decodes requests, authenticates and
// authorizes them through the operation table this package exports, and encodes
// the results.
package iam

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"time"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/authview"
	"github.com/gatehouse-iam/gatehouse/authz"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/ids"
	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/trail"
)

// Config holds the service's dependencies.
type Config struct {
	Store     store.Store
	Directory *authview.Directory
	Keyring   *keyring.Keyring
	// Rand is the source of ids and secrets (crypto/rand.Reader in production).
	Rand io.Reader
	// Now is the clock.
	Now func() time.Time
	// Managed is the AWS managed policy catalogue.
	Managed ManagedCatalog
	Log     *slog.Logger
	// Guardrails gives the organization controls (SCPs, RCPs, organization
	// condition keys) that SimulatePrincipalPolicy applies as the real
	// request meets them; nil without Organizations.
	Guardrails authz.Organization
	// Trail is the audit trail the last accessed reports read; nil when
	// the trail is off (the reports then show no access).
	Trail trail.Store
	// OrgReports resolves the scope of Organizations access reports
	// (organizations.Service); nil without Organizations, when no account
	// may generate them.
	OrgReports OrgReports
	// RootAccess reads and changes the organization's centralized root
	// access (organizations.Service); nil without Organizations.
	RootAccess RootAccessOrg
}

// ManagedCatalog is the catalogue of AWS managed policies.
type ManagedCatalog interface {
	authview.ManagedPolicies
	// Policy returns an AWS managed policy by ARN.
	Policy(arn string) (store.ManagedPolicy, bool)
	// List returns every AWS managed policy, ordered by name.
	List() []store.ManagedPolicy
}

// Service implements the IAM operations.
type Service struct {
	st         store.Store
	dir        *authview.Directory
	keys       *keyring.Keyring
	ids        *ids.Gen
	rand       io.Reader
	now        func() time.Time
	managed    ManagedCatalog
	log        *slog.Logger
	orgs       authz.Organization
	trail      trail.Store
	orgReports OrgReports
	rootOrg    RootAccessOrg
	// simSlots bounds the simulations evaluating at once, so that the
	// heaviest legal simulation requests can never take every core from
	// the callers the server authorizes.
	simSlots chan struct{}
}

// New returns the service.
func New(c Config) *Service {
	return &Service{
		st: c.Store, dir: c.Directory, keys: c.Keyring, ids: ids.NewGen(c.Rand), rand: c.Rand,
		now: c.Now, managed: c.Managed, log: c.Log, orgs: c.Guardrails, trail: c.Trail, orgReports: c.OrgReports, rootOrg: c.RootAccess,
		simSlots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2)),
	}
}

// Authz and Op are the operation framework's types, named here for brevity.
type (
	Authz = operation.Authz
	Op    = operation.Op
)

// op builds an Op from typed functions.
func op[I, O any](name string, authz func(ctx context.Context, c *identity.Caller, in I) (Authz, error), run func(ctx context.Context, c *identity.Caller, in I) (O, error)) Op {
	return operation.New(name, authz, run)
}

// Ops returns the operation table, keyed by operation name.
func (s *Service) Ops() map[string]Op {
	m := map[string]Op{}
	groups := [][]Op{
		s.userOps(), s.accessKeyOps(), s.inlinePolicyOps(),
		s.groupOps(), s.roleOps(), s.instanceProfileOps(),
		s.managedPolicyOps(), s.accountOps(), s.simulationOps(),
		s.mfaOps(),
		s.oidcOps(),
		s.samlOps(),
		s.serverCertOps(),
		s.passwordOps(),
		s.sshKeyOps(), s.signingCertificateOps(), s.serviceCredentialOps(),
		s.lastAccessedOps(), s.orgAccessOps(), s.rootAccessOps(),
		s.stsPreferenceOps(),
	}
	for _, group := range groups {
		for _, o := range group {
			m[o.Name] = o
		}
	}
	return m
}

// update runs fn in a store transaction and then brings the directory up to date,
// so the change is in force for the next request. Store sentinels that escape fn
// become ServiceFailure, or ServiceUnavailable while the store is unreachable.
func (s *Service) update(ctx context.Context, fn func(tx store.Tx) error) error {
	err := s.st.Update(ctx, fn)
	if err != nil {
		if _, ok := awserr.As(err); ok {
			return err
		}
		return storeFailure(err)
	}
	if err := s.dir.Sync(ctx); err != nil {
		s.log.Warn("directory sync after write failed", "err", err)
	}
	return nil
}

// view runs fn in a read transaction; store errors become ServiceFailure (or
// ServiceUnavailable).
func (s *Service) view(ctx context.Context, fn func(tx store.ReadTx) error) error {
	err := s.st.View(ctx, fn)
	if err != nil {
		if _, ok := awserr.As(err); ok {
			return err
		}
		return storeFailure(err)
	}
	return nil
}

// storeFailure is the AWS error for a store error that escaped a transaction:
// ServiceUnavailable (503) while the store cannot be reached, else
// ServiceFailure (500).
func storeFailure(err error) *awserr.Error {
	if errors.Is(err, store.ErrUnavailable) {
		return awserr.New(awserr.CodeServiceUnavailable, "The request has failed due to a temporary failure of the server.").WithCause(err)
	}
	return awserr.ServiceFailure("Request processing has failed due to an unknown error, exception or failure.").WithCause(err)
}

// notFound converts store.ErrNotFound into the given AWS error, passing others on.
func notFound(err error, aerr *awserr.Error) error {
	if errors.Is(err, store.ErrNotFound) {
		return aerr
	}
	return err
}

// iamARN forms an ARN in the caller's account.
func iamARN(account, resource string) string {
	return "arn:" + arn.Partition + ":iam::" + account + ":" + resource
}

// pathOr returns *p or "/".
func pathOr(p *string) string {
	if p == nil || *p == "" {
		return "/"
	}
	return *p
}

func str(s string) *string { return &s }

func fmtErr(format string, args ...any) error { return fmt.Errorf(format, args...) }

// noOutput is the output of operations that return nothing.
type noOutput = operation.NoOutput

// done is the result of an operation without output.
func done(err error) (*noOutput, error) { return operation.Done(err) }
