// Package organizations is the AWS Organizations service: an organization of
// accounts under a management account, its root and organizational units,
// and its service and resource control policies, with the rules AWS enforces
// (ids as AWS forms them, at least one SCP per target, policy size limits,
// FullAWSAccess attached by default). It speaks Go types (the generated
// api/orgapi shapes) and *awserr.Error, never HTTP; the server decodes
// requests, authenticates and authorizes them through the operation table this
// package exports. Controls gives the server the SCP and RCP levels that gate
// every request of a member account. ReportScope gives IAM's Organizations
// access reports the SCPs and accounts an entity path covers.
//
// Beyond them: trusted access for the AWS services the Organizations User
// Guide lists (trusted.go, access.go), their delegated administrators, who
// may read the organization, the organization's resource-based delegation
// policy, with which a member account may make the calls AWS lets it
// delegate (resourcepolicy.go; delegation.go decides who may call what), and
// enabling all features through its handshake (features.go).
//
// Organization records are global store records (Account ""), so that one
// read finds an account's organization whatever the account; Controls caches
// its answers per directory revision.
package organizations

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/authview"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/ids"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Config holds the service's dependencies.
type Config struct {
	Store     store.Store
	Directory *authview.Directory
	// Rand is the source of ids (crypto/rand.Reader in production).
	Rand io.Reader
	// Now is the clock.
	Now func() time.Time
	Log *slog.Logger
}

// Service implements the Organizations operations.
type Service struct {
	st   store.Store
	dir  *authview.Directory
	ids  *ids.Gen
	rand io.Reader
	now  func() time.Time
	log  *slog.Logger

	mu       sync.Mutex
	controls map[string]*Controls // by account, valid at controlsRev
	ctrlRev  int64
}

// New returns the service.
func New(c Config) *Service {
	return &Service{st: c.Store, dir: c.Directory, ids: ids.NewGen(c.Rand), rand: c.Rand, now: c.Now, log: c.Log,
		controls: map[string]*Controls{}}
}

// resource is what an operation acts on, for its authorization: the ARN
// ("" for "*") and, for a policy or an operation on policies of one type,
// the policy type that the organizations:PolicyType condition key carries
// (Service Authorization Reference: AttachPolicy, CreatePolicy,
// DeletePolicy, DescribePolicy, DetachPolicy, DisablePolicyType,
// EnablePolicyType, ListPolicies, ListPoliciesForTarget,
// ListTargetsForPolicy, TagResource, UntagResource, ListTagsForResource,
// UpdatePolicy).
type resource struct {
	ARN        string
	PolicyType string
}

// op builds an operation.Op from a typed run function; the action is
// "organizations:"+name and the resource comes from res (nil: "*"). A
// member account's call is completed by delegate; run sees the operation's
// name in its context (operationOf).
func op[I, O any](s *Service, name string, res func(ctx context.Context, c *identity.Caller, in I) (resource, error), run func(ctx context.Context, c *identity.Caller, in I) (O, error)) operation.Op {
	return operation.New(name, func(ctx context.Context, c *identity.Caller, in I) (operation.Authz, error) {
		az := operation.Authz{Action: "organizations:" + name, Resource: "*"}
		if res != nil {
			r, err := res(ctx, c, in)
			if err != nil {
				return operation.Authz{}, err
			}
			if r.ARN != "" {
				az.Resource = r.ARN
			}
			if r.PolicyType != "" {
				az.Context = map[string][]string{policyTypeKey: {r.PolicyType}}
			}
		}
		if err := s.delegate(ctx, c, name, &az); err != nil {
			return operation.Authz{}, err
		}
		return az, nil
	}, func(ctx context.Context, c *identity.Caller, in I) (O, error) {
		return run(withOperation(ctx, name), c, in)
	})
}

// policyTypeKey is the condition key of the policy type an operation
// concerns.
const policyTypeKey = "organizations:PolicyType"

// Ops returns the operation table, keyed by operation name.
func (s *Service) Ops() map[string]operation.Op {
	return operation.Table(s.organizationOps(), s.accountOps(), s.unitOps(), s.policyOps(), s.tagOps(),
		s.serviceAccessOps(), s.delegatedAdminOps(), s.resourcePolicyOps(), s.featureOps())
}

// update runs fn in a store transaction and then brings the directory up to
// date, so the change is in force for the next request.
func (s *Service) update(ctx context.Context, fn func(tx store.Tx) error) error {
	if err := s.st.Update(ctx, fn); err != nil {
		return serviceErr(err)
	}
	if err := s.dir.Sync(ctx); err != nil {
		s.log.Warn("directory sync after write failed", "err", err)
	}
	return nil
}

// targetOf is the resource of an operation on the root, OU, account or
// policy whose id the input gives (resolve).
func targetOf[I any](s *Service, id func(in I) string) func(context.Context, *identity.Caller, I) (resource, error) {
	return func(ctx context.Context, c *identity.Caller, in I) (resource, error) {
		return s.resolve(ctx, c, id(in)), nil
	}
}

// ofType is the resource ("*") of an operation on the policies of the type
// the input names.
func ofType[I any, T ~string](typ func(in I) T) func(context.Context, *identity.Caller, I) (resource, error) {
	return func(_ context.Context, _ *identity.Caller, in I) (resource, error) {
		return resource{PolicyType: string(typ(in))}, nil
	}
}

// onTarget adds to AttachPolicy's or DetachPolicy's authorization the same
// permission on the root, OU or account the policy is attached to or
// detached from: the Service Authorization Reference lists those resource
// types for both actions, so a policy statement's Resource can limit which
// targets a principal may change (and a Deny on a target holds), and a
// member account's call needs the delegation policy to allow both. A target
// that does not exist adds nothing: the operation reports it.
func onTarget[I any](s *Service, o operation.Op, target func(in I) string) operation.Op {
	authz := o.Authz
	o.Authz = func(ctx context.Context, c *identity.Caller, in any) (operation.Authz, error) {
		az, err := authz(ctx, c, in)
		if err != nil {
			return az, err
		}
		if t := s.resolve(ctx, c, target(in.(I))); t.ARN != "" && t.PolicyType == "" {
			more := az
			more.Resource, more.Also = t.ARN, nil
			az.Also = append(az.Also, more)
		}
		return az, nil
	}
	return o
}

// updateOrg runs fn in a write transaction on the organization the caller
// manages (managedOrg's errors otherwise).
func (s *Service) updateOrg(ctx context.Context, c *identity.Caller, fn func(tx store.Tx, o orgRecord) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		o, err := managedOrg(ctx, tx, c.Account)
		if err != nil {
			return err
		}
		return fn(tx, o)
	})
}

// viewOrg runs fn in a read transaction on the organization the caller
// manages.
func (s *Service) viewOrg(ctx context.Context, c *identity.Caller, fn func(tx store.ReadTx, o orgRecord) error) error {
	return s.view(ctx, func(tx store.ReadTx) error {
		o, err := managedOrg(ctx, tx, c.Account)
		if err != nil {
			return err
		}
		return fn(tx, o)
	})
}

// listOrg collects a listing of the caller's organization in one read
// transaction and returns the page of it that next and max select.
func listOrg[T any](ctx context.Context, s *Service, c *identity.Caller, next *string, max *int32, collect func(tx store.ReadTx, o orgRecord) ([]T, error)) ([]T, *string, error) {
	var all []T
	err := s.viewOrg(ctx, c, func(tx store.ReadTx, o orgRecord) error {
		var err error
		all, err = collect(tx, o)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return page(all, next, max)
}

// view runs fn in a read transaction.
func (s *Service) view(ctx context.Context, fn func(tx store.ReadTx) error) error {
	return serviceErr(s.st.View(ctx, fn))
}

// serviceErr passes AWS errors on and turns anything else into
// ServiceException.
func serviceErr(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := awserr.As(err); ok {
		return err
	}
	return orgErr("ServiceException", "AWS Organizations can't complete your request because of an internal service error. Try again later.").WithCause(err)
}

// orgErr returns an Organizations error; every Organizations exception is a
// 400 client error except ServiceException (500).
func orgErr(code, msg string) *awserr.Error {
	if code == "ServiceException" {
		return &awserr.Error{Code: code, Status: 500, Message: msg}
	}
	return &awserr.Error{Code: code, Status: 400, Sender: true, Message: msg}
}

// The errors below carry the messages of the Organizations API reference
// (the model's documentation of each exception).
func notInUse() error {
	return orgErr("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
}

func accessDenied() error {
	return orgErr("AccessDeniedException", "You don't have permissions to access this resource.")
}

func constraint(reason, msg string) error {
	return orgErr("ConstraintViolationException", msg).WithMembers(map[string]any{"Reason": reason})
}

func invalidInput(reason, msg string) error {
	return orgErr("InvalidInputException", msg).WithMembers(map[string]any{"Reason": reason})
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

func str(s string) *string { return &s }

func tm(t time.Time) *time.Time { return &t }

// awsjsonEmpty is the input of operations without one.
type awsjsonEmpty = orgapi.Empty

// emptyOutput is the output of operations that return nothing.
type emptyOutput = operation.NoOutput

func done(err error) (*emptyOutput, error) { return operation.Done(err) }

// isAWS returns the *awserr.Error in err's chain.
func isAWS(err error) (*awserr.Error, bool) { return awserr.As(err) }
