// Package workload gives roles to workloads without embedded keys: a workload
// is a Gatehouse resource in an account, bound to an instance profile, that
// obtains the profile's role credentials with its workload token — as an EC2
// instance obtains its instance profile's credentials from the instance
// metadata service. The package holds the workload records, the workload API
// (create, list, get, rebind, rotate the token, delete; each decided by IAM
// through the server's one request path) and the credential endpoint's
// operation, which STS answers with a session of the role issued to the
// service principal ec2.amazonaws.com (sts.Service.AssumeRoleForService).
//
// Like the other services it takes and returns Go types; the wire format of
// its small JSON API is its route table (api.go), served by the server's
// gatehouse codec. See docs/workloads.md.
package workload

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/sts"
)

// ServicePrincipal is the service principal a workload's role must trust:
// workloads obtain their roles as EC2 instances do.
const ServicePrincipal = "ec2.amazonaws.com"

// SessionDuration is the validity of the credentials a workload obtains.
const SessionDuration = time.Hour

// maxWorkloads is the number of workloads an account may hold.
const maxWorkloads = 1000

// tokenPrefix starts every workload token (the format's version).
const tokenPrefix = "ghw1."

// RoleIssuer issues role sessions to service principals (*sts.Service).
type RoleIssuer interface {
	AssumeRoleForService(ctx context.Context, r sts.ServiceRoleRequest) (*sts.ServiceRoleSession, error)
}

// Config holds the service's dependencies.
type Config struct {
	Store store.Store
	// STS issues the role sessions.
	STS RoleIssuer
	// Rand is the source of ids and tokens (crypto/rand.Reader).
	Rand io.Reader
	Now  func() time.Time
	Log  *slog.Logger
}

// Service implements the workload operations.
type Service struct {
	st   store.Store
	sts  RoleIssuer
	rand io.Reader
	now  func() time.Time
	log  *slog.Logger
}

// New returns the service.
func New(c Config) *Service {
	return &Service{st: c.Store, sts: c.STS, rand: c.Rand, now: c.Now, log: c.Log}
}

// Workload is a workload as the API shows it (never its token).
type Workload struct {
	WorkloadId          string    `json:"WorkloadId"`
	Name                string    `json:"Name"`
	Arn                 string    `json:"Arn"`
	InstanceProfileName string    `json:"InstanceProfileName"`
	InstanceProfileArn  string    `json:"InstanceProfileArn,omitempty"`
	CreateDate          time.Time `json:"CreateDate"`
	TokenDate           time.Time `json:"TokenDate"`
}

// The inputs and outputs of the operations.
type (
	// CreateWorkloadInput creates a workload bound to an instance profile.
	CreateWorkloadInput struct {
		Name                string `json:"Name"`
		InstanceProfileName string `json:"InstanceProfileName"`
	}
	// WorkloadOutput is one workload, with its token when one was just
	// issued (CreateWorkload, RotateWorkloadToken): shown once.
	WorkloadOutput struct {
		Workload      Workload `json:"Workload"`
		WorkloadToken string   `json:"WorkloadToken,omitempty"`
	}
	// ListWorkloadsInput lists the caller's account's workloads.
	ListWorkloadsInput struct{}
	// ListWorkloadsOutput is the account's workloads, by id.
	ListWorkloadsOutput struct {
		Workloads []Workload `json:"Workloads"`
	}
	// WorkloadIDInput names a workload (GetWorkload, RotateWorkloadToken,
	// DeleteWorkload).
	WorkloadIDInput struct {
		WorkloadId string `json:"WorkloadId"`
	}
	// ReplaceInstanceProfileInput binds a workload to another profile.
	ReplaceInstanceProfileInput struct {
		WorkloadId          string `json:"WorkloadId"`
		InstanceProfileName string `json:"InstanceProfileName"`
	}
	// GetCredentialsInput presents a workload token.
	GetCredentialsInput struct {
		Token string `json:"-"`
	}
	// Credentials is the container credentials endpoint's document
	// (AWS_CONTAINER_CREDENTIALS_FULL_URI), which aws-sdk-go-v2's
	// endpointcreds and botocore's ContainerProvider read, with what the
	// metadata agent needs besides (the instance profile, the workload id,
	// the region).
	Credentials struct {
		AccessKeyId        string `json:"AccessKeyId"`
		SecretAccessKey    string `json:"SecretAccessKey"`
		Token              string `json:"Token"`
		Expiration         string `json:"Expiration"`
		RoleArn            string `json:"RoleArn"`
		AccountId          string `json:"AccountId"`
		InstanceProfileArn string `json:"InstanceProfileArn"`
		InstanceProfileId  string `json:"InstanceProfileId"`
		WorkloadId         string `json:"WorkloadId"`
		Region             string `json:"Region"`
	}
)

// SetWorkloadID sets the workload id the request's path names.
func (in *WorkloadIDInput) SetWorkloadID(id string) { in.WorkloadId = id }

// SetWorkloadID sets the workload id the request's path names.
func (in *ReplaceInstanceProfileInput) SetWorkloadID(id string) { in.WorkloadId = id }

var (
	// namePattern: a workload's name is its sessions' source identity, so
	// it takes that charset and length ([\w+=,.@-], 2 to 64).
	namePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	// profilePattern is IAM's instance profile name.
	profilePattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	idPattern      = regexp.MustCompile(`^i-[0-9a-f]{17}$`)
)

func noSuchWorkload(id string) *awserr.Error {
	return &awserr.Error{Code: "NoSuchEntity", Status: 404, Sender: true, Message: fmt.Sprintf("The workload %s does not exist.", id)}
}

func noSuchProfile(name string) *awserr.Error {
	return &awserr.Error{Code: "NoSuchEntity", Status: 404, Sender: true, Message: fmt.Sprintf("Instance Profile %s cannot be found.", name)}
}

// invalidToken answers every failure to authenticate a token alike, so
// that it reveals nothing of which workloads exist.
func invalidToken() *awserr.Error {
	return &awserr.Error{Code: "AccessDenied", Status: 403, Sender: true, Message: "The workload token is not valid."}
}

func validateID(id string) error {
	if !idPattern.MatchString(id) {
		return awserr.ValidationError("The workload id %q is not valid: expected i- and 17 hex digits.", id)
	}
	return nil
}

func validateProfileName(name string) error {
	if !profilePattern.MatchString(name) {
		return awserr.ValidationError("The instance profile name must match [\\w+=,.@-]{1,128}.")
	}
	return nil
}

// newID returns a new workload id: i- and 17 hex digits.
func (s *Service) newID() (string, error) {
	var b [9]byte
	if _, err := io.ReadFull(s.rand, b[:]); err != nil {
		return "", fmt.Errorf("workload: generating an id: %w", err)
	}
	return "i-" + hex.EncodeToString(b[:])[:17], nil
}

// newToken returns a new token for workload id and the hash to store.
func (s *Service) newToken(id string) (token string, hash []byte, err error) {
	var b [32]byte
	if _, err := io.ReadFull(s.rand, b[:]); err != nil {
		return "", nil, fmt.Errorf("workload: generating a token: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(secret))
	return tokenPrefix + id + "." + secret, sum[:], nil
}

// parseToken splits a token into its workload id and secret.
func parseToken(token string) (id, secret string, ok bool) {
	token = strings.TrimPrefix(token, "Bearer ")
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok {
		return "", "", false
	}
	id, secret, ok = strings.Cut(rest, ".")
	if !ok || !idPattern.MatchString(id) || len(secret) != 43 {
		return "", "", false
	}
	return id, secret, true
}

// profile is an instance profile with its role's ARN ("" without a role).
type profile struct {
	p       store.InstanceProfile
	roleARN string
}

// readProfile reads an instance profile and its role.
func readProfile(ctx context.Context, tx store.ReadTx, account, name string) (profile, error) {
	p, err := store.GetJSON[store.InstanceProfile](ctx, tx, store.KindInstanceProfile, account, store.InstanceProfileKey(name))
	if errors.Is(err, store.ErrNotFound) {
		return profile{}, noSuchProfile(name)
	}
	if err != nil {
		return profile{}, err
	}
	out := profile{p: p}
	if len(p.Roles) > 0 {
		r, err := store.GetJSON[store.Role](ctx, tx, store.KindRole, account, store.RoleKey(p.Roles[0]))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return profile{}, err
		}
		out.roleARN = r.ARN
	}
	return out, nil
}

// internal wraps an unexpected error as InternalFailure, leaving
// *awserr.Error values as they are.
func internal(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := awserr.As(err); ok {
		return err
	}
	return awserr.InternalFailure(err)
}

func (s *Service) view(ctx context.Context, fn func(store.ReadTx) error) error {
	return internal(s.st.View(ctx, fn))
}

func (s *Service) update(ctx context.Context, fn func(store.Tx) error) error {
	return internal(s.st.Update(ctx, fn))
}

func workloadOut(w store.Workload, profileARN string) Workload {
	return Workload{
		WorkloadId: w.ID, Name: w.Name, Arn: arn.Workload(w.Region, w.Account, w.ID),
		InstanceProfileName: w.InstanceProfileName, InstanceProfileArn: profileARN,
		CreateDate: w.CreateDate, TokenDate: w.TokenDate,
	}
}

// region is the caller's region, or us-east-1.
func region(c *identity.Caller) string {
	if c.Region != "" {
		return c.Region
	}
	return "us-east-1"
}

// passRole is iam:PassRole on the role of a profile, as AWS asks it when a
// profile is associated with an instance: the role goes to EC2, for the
// instance.
func passRole(roleARN, instanceARN string) operation.Authz {
	return operation.Authz{Action: "iam:PassRole", Resource: roleARN, Context: map[string][]string{
		"iam:PassedToService":       {ServicePrincipal},
		"iam:AssociatedResourceARN": {instanceARN},
	}}
}

// bindAuthz is the authorization of binding a workload (instanceARN) to a
// profile: action on the workload, and iam:PassRole on the profile's role.
// A missing profile, or one without a role, adds nothing: the operation
// then fails with its own error.
func (s *Service) bindAuthz(ctx context.Context, c *identity.Caller, action, resource, instanceARN, profileName string) (operation.Authz, error) {
	a := operation.Authz{Action: action, Resource: resource}
	if validateProfileName(profileName) != nil {
		return a, nil
	}
	err := s.view(ctx, func(tx store.ReadTx) error {
		p, err := readProfile(ctx, tx, c.Account, profileName)
		if err != nil {
			if ae, ok := awserr.As(err); ok && ae.Code == "NoSuchEntity" {
				return nil
			}
			return err
		}
		if p.roleARN != "" {
			a.Also = append(a.Also, passRole(p.roleARN, instanceARN))
		}
		return nil
	})
	return a, err
}

// workloadAuthz is the authorization of an action on an existing workload
// (its ARN; a missing one's ARN in the caller's region, so that the
// operation, not the authorization, reports it missing to a caller allowed
// to ask).
func (s *Service) workloadAuthz(ctx context.Context, c *identity.Caller, action, id string) (operation.Authz, error) {
	a := operation.Authz{Action: action, Resource: arn.Workload(region(c), c.Account, id)}
	if validateID(id) != nil {
		return a, nil
	}
	err := s.view(ctx, func(tx store.ReadTx) error {
		w, err := store.GetJSON[store.Workload](ctx, tx, store.KindWorkload, c.Account, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err == nil {
			a.Resource = arn.Workload(w.Region, w.Account, w.ID)
		}
		return err
	})
	return a, err
}

// Ops returns the operation table, keyed by operation name. Every
// management operation is decided by IAM as gatehouse:<Operation> on the
// workload's ARN (arn:aws:ec2:REGION:ACCOUNT:instance/ID; instance/* for
// CreateWorkload, * for ListWorkloads); binding a profile also needs
// iam:PassRole on its role. GetWorkloadCredentials is anonymous: the
// workload token authenticates it.
func (s *Service) Ops() map[string]operation.Op {
	return operation.Table([]operation.Op{
		operation.New("CreateWorkload", func(ctx context.Context, c *identity.Caller, in *CreateWorkloadInput) (operation.Authz, error) {
			return s.bindAuthz(ctx, c, "gatehouse:CreateWorkload", arn.Workload(region(c), c.Account, "*"), arn.Workload(region(c), c.Account, "*"), in.InstanceProfileName)
		}, s.create),
		operation.New("ListWorkloads", func(ctx context.Context, c *identity.Caller, in *ListWorkloadsInput) (operation.Authz, error) {
			return operation.Authz{Action: "gatehouse:ListWorkloads", Resource: "*"}, nil
		}, s.list),
		operation.New("GetWorkload", func(ctx context.Context, c *identity.Caller, in *WorkloadIDInput) (operation.Authz, error) {
			return s.workloadAuthz(ctx, c, "gatehouse:GetWorkload", in.WorkloadId)
		}, s.get),
		operation.New("ReplaceWorkloadInstanceProfile", func(ctx context.Context, c *identity.Caller, in *ReplaceInstanceProfileInput) (operation.Authz, error) {
			a, err := s.workloadAuthz(ctx, c, "gatehouse:ReplaceWorkloadInstanceProfile", in.WorkloadId)
			if err != nil {
				return a, err
			}
			return s.bindAuthz(ctx, c, a.Action, a.Resource, a.Resource, in.InstanceProfileName)
		}, s.replaceProfile),
		operation.New("RotateWorkloadToken", func(ctx context.Context, c *identity.Caller, in *WorkloadIDInput) (operation.Authz, error) {
			return s.workloadAuthz(ctx, c, "gatehouse:RotateWorkloadToken", in.WorkloadId)
		}, s.rotateToken),
		operation.New("DeleteWorkload", func(ctx context.Context, c *identity.Caller, in *WorkloadIDInput) (operation.Authz, error) {
			return s.workloadAuthz(ctx, c, "gatehouse:DeleteWorkload", in.WorkloadId)
		}, s.delete),
		{
			Name:      "GetWorkloadCredentials",
			Anonymous: true,
			Authz: func(context.Context, *identity.Caller, any) (operation.Authz, error) {
				return operation.Authz{Skip: true}, nil
			},
			Run: func(ctx context.Context, c *identity.Caller, in any) (any, error) {
				return s.Credentials(ctx, in.(*GetCredentialsInput).Token)
			},
		},
	})
}

// create makes a workload and its token.
func (s *Service) create(ctx context.Context, c *identity.Caller, in *CreateWorkloadInput) (*WorkloadOutput, error) {
	if !namePattern.MatchString(in.Name) {
		return nil, awserr.ValidationError("The workload name must be 2 to 64 characters of [\\w+=,.@-].")
	}
	if err := validateProfileName(in.InstanceProfileName); err != nil {
		return nil, err
	}
	id, err := s.newID()
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	token, hash, err := s.newToken(id)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	now := s.now().UTC().Truncate(time.Second)
	w := store.Workload{ID: id, Name: in.Name, Account: c.Account, Region: region(c), InstanceProfileName: in.InstanceProfileName,
		TokenHash: hash, CreateDate: now, TokenDate: now}
	var out Workload
	err = s.update(ctx, func(tx store.Tx) error {
		p, err := readProfile(ctx, tx, c.Account, in.InstanceProfileName)
		if err != nil {
			return err
		}
		if p.roleARN == "" {
			return awserr.InvalidParameterValue("The instance profile %s has no role.", p.p.Name)
		}
		n, err := tx.Count(ctx, store.KindWorkload, c.Account, "")
		if err != nil {
			return err
		}
		if n >= maxWorkloads {
			return &awserr.Error{Code: "LimitExceeded", Status: 409, Sender: true, Message: fmt.Sprintf("Cannot exceed quota for workloads: %d.", maxWorkloads)}
		}
		w.InstanceProfileName = p.p.Name
		if err := store.CreateJSON(ctx, tx, store.KindWorkloadID, "", id, store.WorkloadRef{Account: c.Account}); err != nil {
			return err
		}
		if err := store.CreateJSON(ctx, tx, store.KindWorkload, c.Account, id, w); err != nil {
			return err
		}
		out = workloadOut(w, p.p.ARN)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("workload created", "workload", id, "name", w.Name, "account", c.Account, "instance_profile", w.InstanceProfileName, "caller", c.ARN())
	return &WorkloadOutput{Workload: out, WorkloadToken: token}, nil
}

// profileARN is the ARN of a workload's profile, "" when it is gone.
func profileARN(ctx context.Context, tx store.ReadTx, w store.Workload) (string, error) {
	p, err := store.GetJSON[store.InstanceProfile](ctx, tx, store.KindInstanceProfile, w.Account, store.InstanceProfileKey(w.InstanceProfileName))
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return p.ARN, err
}

func (s *Service) list(ctx context.Context, c *identity.Caller, _ *ListWorkloadsInput) (*ListWorkloadsOutput, error) {
	out := &ListWorkloadsOutput{Workloads: []Workload{}}
	err := s.view(ctx, func(tx store.ReadTx) error {
		ws, err := store.ListValues[store.Workload](ctx, tx, store.ListOptions{Kind: store.KindWorkload, Account: c.Account})
		if err != nil {
			return err
		}
		for _, w := range ws {
			arn, err := profileARN(ctx, tx, w)
			if err != nil {
				return err
			}
			out.Workloads = append(out.Workloads, workloadOut(w, arn))
		}
		return nil
	})
	return out, err
}

// getWorkload reads a workload of the caller's account, or NoSuchEntity.
func getWorkload(ctx context.Context, tx store.ReadTx, account, id string) (store.Workload, error) {
	if err := validateID(id); err != nil {
		return store.Workload{}, err
	}
	w, err := store.GetJSON[store.Workload](ctx, tx, store.KindWorkload, account, id)
	if errors.Is(err, store.ErrNotFound) {
		return w, noSuchWorkload(id)
	}
	return w, err
}

func (s *Service) get(ctx context.Context, c *identity.Caller, in *WorkloadIDInput) (*WorkloadOutput, error) {
	var out Workload
	err := s.view(ctx, func(tx store.ReadTx) error {
		w, err := getWorkload(ctx, tx, c.Account, in.WorkloadId)
		if err != nil {
			return err
		}
		arn, err := profileARN(ctx, tx, w)
		out = workloadOut(w, arn)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &WorkloadOutput{Workload: out}, nil
}

func (s *Service) replaceProfile(ctx context.Context, c *identity.Caller, in *ReplaceInstanceProfileInput) (*WorkloadOutput, error) {
	if err := validateProfileName(in.InstanceProfileName); err != nil {
		return nil, err
	}
	var out Workload
	err := s.update(ctx, func(tx store.Tx) error {
		w, err := getWorkload(ctx, tx, c.Account, in.WorkloadId)
		if err != nil {
			return err
		}
		p, err := readProfile(ctx, tx, c.Account, in.InstanceProfileName)
		if err != nil {
			return err
		}
		if p.roleARN == "" {
			return awserr.InvalidParameterValue("The instance profile %s has no role.", p.p.Name)
		}
		w.InstanceProfileName = p.p.Name
		out = workloadOut(w, p.p.ARN)
		return store.PutJSON(ctx, tx, store.KindWorkload, c.Account, w.ID, w)
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("workload bound to another instance profile", "workload", out.WorkloadId, "instance_profile", out.InstanceProfileName, "caller", c.ARN())
	return &WorkloadOutput{Workload: out}, nil
}

func (s *Service) rotateToken(ctx context.Context, c *identity.Caller, in *WorkloadIDInput) (*WorkloadOutput, error) {
	if err := validateID(in.WorkloadId); err != nil {
		return nil, err
	}
	token, hash, err := s.newToken(in.WorkloadId)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	var out Workload
	err = s.update(ctx, func(tx store.Tx) error {
		w, err := getWorkload(ctx, tx, c.Account, in.WorkloadId)
		if err != nil {
			return err
		}
		w.TokenHash, w.TokenDate = hash, s.now().UTC().Truncate(time.Second)
		arn, err := profileARN(ctx, tx, w)
		if err != nil {
			return err
		}
		out = workloadOut(w, arn)
		return store.PutJSON(ctx, tx, store.KindWorkload, c.Account, w.ID, w)
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("workload token rotated", "workload", out.WorkloadId, "caller", c.ARN())
	return &WorkloadOutput{Workload: out, WorkloadToken: token}, nil
}

func (s *Service) delete(ctx context.Context, c *identity.Caller, in *WorkloadIDInput) (*operation.NoOutput, error) {
	err := s.update(ctx, func(tx store.Tx) error {
		w, err := getWorkload(ctx, tx, c.Account, in.WorkloadId)
		if err != nil {
			return err
		}
		if err := tx.Delete(ctx, store.KindWorkloadID, "", w.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return tx.Delete(ctx, store.KindWorkload, c.Account, w.ID)
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("workload deleted", "workload", in.WorkloadId, "caller", c.ARN())
	return &operation.NoOutput{}, nil
}

// Credentials authenticates a workload token and issues a session of the
// role of the workload's instance profile, as EC2 does for an instance: the
// role's trust policy must allow ec2.amazonaws.com to sts:AssumeRole; the
// role session name is the workload id, the source identity the workload's
// name, and ec2:SourceInstanceARN the workload's ARN. The token is compared
// in constant time with the stored hash; every authentication failure is
// the same AccessDenied.
func (s *Service) Credentials(ctx context.Context, token string) (*Credentials, error) {
	id, secret, ok := parseToken(token)
	if !ok {
		return nil, invalidToken()
	}
	var (
		w   store.Workload
		p   profile
		ok2 bool
	)
	err := s.view(ctx, func(tx store.ReadTx) error {
		ref, err := store.GetJSON[store.WorkloadRef](ctx, tx, store.KindWorkloadID, "", id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		w, err = store.GetJSON[store.Workload](ctx, tx, store.KindWorkload, ref.Account, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(secret))
		if subtle.ConstantTimeCompare(sum[:], w.TokenHash) != 1 {
			return nil
		}
		ok2 = true
		p, err = readProfile(ctx, tx, w.Account, w.InstanceProfileName)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !ok2 {
		return nil, invalidToken()
	}
	if len(p.p.Roles) == 0 {
		return nil, awserr.InvalidParameterValue("The instance profile %s of workload %s has no role.", p.p.Name, w.ID)
	}
	arn := arn.Workload(w.Region, w.Account, w.ID)
	sess, err := s.sts.AssumeRoleForService(ctx, sts.ServiceRoleRequest{
		Account: w.Account, RoleName: p.p.Roles[0], Service: ServicePrincipal,
		SessionName: w.ID, SourceIdentity: w.Name, SourceInstanceARN: arn, SourceARN: arn,
		Region: w.Region, Duration: SessionDuration,
	})
	if err != nil {
		if ae, ok := awserr.As(err); ok && ae.Code == awserr.CodeAccessDenied {
			// Say why, as the workload's operator needs to know: the
			// role, not the token, refused.
			return nil, awserr.AccessDenied("The trust policy of role %s does not allow %s to sts:AssumeRole, so workload %s (instance profile %s) gets no credentials.",
				p.roleARN, ServicePrincipal, w.ID, p.p.Name).WithMembers(map[string]any{"RoleArn": p.roleARN})
		}
		return nil, err
	}
	cr := sess.Credentials
	s.log.Info("workload credentials issued", "workload", w.ID, "name", w.Name, "account", w.Account,
		"role", sess.RoleARN, "session", sess.AssumedRoleARN, "access_key_id", cr.AccessKeyId, "expires", cr.Expiration.UTC().Format(time.RFC3339))
	return &Credentials{
		AccessKeyId: cr.AccessKeyId, SecretAccessKey: cr.SecretAccessKey, Token: cr.SessionToken,
		Expiration: cr.Expiration.UTC().Format(time.RFC3339), RoleArn: sess.RoleARN, AccountId: w.Account,
		InstanceProfileArn: p.p.ARN, InstanceProfileId: p.p.ID, WorkloadId: w.ID, Region: w.Region,
	}, nil
}
