package sts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/store"
)

// invalidToken is AWS's answer to a session token that does not verify.
func invalidToken() *awserr.Error {
	return awserr.New(awserr.CodeInvalidClientTokenID, "The security token included in the request is invalid.")
}

// expiredToken is AWS's answer to expired temporary credentials: ExpiredToken,
// 403, Sender (as IAM and STS render it, e.g. cfn-sphere/cfn-sphere#55).
func expiredToken() *awserr.Error {
	return &awserr.Error{Code: "ExpiredToken", Status: 403, Sender: true, Message: "The security token included in the request is expired"}
}

// OpenSession verifies the session token presented with a temporary access
// key id and returns its session. Errors are InvalidClientTokenId or
// ExpiredToken; their causes never include the token.
func (s *Service) OpenSession(token, accessKeyID string) (*session.Session, error) {
	sess, err := session.Open(s.sealer, token, accessKeyID, s.now())
	switch {
	case err == nil:
		return sess, nil
	case errors.Is(err, session.ErrExpired):
		return nil, expiredToken()
	default:
		return nil, invalidToken().WithCause(err)
	}
}

// Identify fills in the caller of a request signed with the temporary
// credentials of sess, for the given service ("iam", "sts"). c arrives with
// the request facts (time, source address, region, access key id).
//
// The session's principal — its role (or user), name, tags, source
// identity, federation facts and the principal's keys of its request
// context (identity.Caller.PrincipalKeys) — is prepared once per session
// credential and directory revision (as the role record it is made of is
// cached), so every change to the role, the user or the account (their
// tags) is in force for the session's next request.
func (s *Service) Identify(ctx context.Context, sess *session.Session, service string, c *identity.Caller) error {
	switch sess.Kind {
	case session.KindFederatedUser:
		// Federated users cannot call IAM (id_credentials_temp_request).
		if service == "iam" {
			return invalidToken()
		}
	case session.KindUser:
		// GetSessionToken credentials call IAM only when obtained with MFA;
		// AWS answers InvalidClientTokenId (aws/aws-sdk-js#460,
		// cloudyr/aws.iam#15).
		// Console sign-ins are sessions of the user too, and may (as AWS's
		// console does).
		// So are delegated sessions (GetDelegatedAccessToken), whose
		// partners set up resources, IAM roles included.
		if service == "iam" && !sess.MFA && !sess.Console && sess.Delegation == "" {
			return invalidToken()
		}
	}
	a, ok := s.dir.Account(sess.Account)
	if !ok {
		return invalidToken()
	}
	p, err := s.sessionPrincipal(ctx, sess)
	if err != nil {
		return err
	}
	c.SetPrincipal(p)
	c.Principal.ManagementAccount = a.IsManagement
	return nil
}

// sessionCacheSize bounds the sessions' prepared principals: the cache is
// emptied when it holds more (as the role records').
const sessionCacheSize = 4096

// cachedSession is a session's prepared principal, for one directory
// revision.
type cachedSession struct {
	rev    int64
	issued time.Time // the session's IssuedAt, which, with its key id, names it
	caller *identity.Caller
}

// sessionPrincipal returns the principal of sess (identity.Caller with the
// principal's fields and PrincipalKeys set), from the cache while the
// directory's revision is the one it was prepared at. The result is
// shared: never modified.
func (s *Service) sessionPrincipal(ctx context.Context, sess *session.Session) (*identity.Caller, error) {
	rev := s.dir.Revision() // before reading what the principal is made of
	id := sess.AccessKeyID
	if id != "" {
		s.mu.Lock()
		e, ok := s.sessions[id]
		s.mu.Unlock()
		if ok && e.rev == rev && e.issued.Equal(sess.IssuedAt) {
			return e.caller, nil
		}
	}
	p, err := s.principalOf(ctx, sess)
	if err != nil {
		return nil, err
	}
	p.PrincipalKeys = p.PrincipalContext()
	if id != "" {
		s.mu.Lock()
		if len(s.sessions) >= sessionCacheSize {
			s.sessions = map[string]cachedSession{}
		}
		s.sessions[id] = cachedSession{rev: rev, issued: sess.IssuedAt, caller: p}
		s.mu.Unlock()
	}
	return p, nil
}

// principalOf builds the principal of sess, without PrincipalKeys.
func (s *Service) principalOf(ctx context.Context, sess *session.Session) (*identity.Caller, error) {
	c := &identity.Caller{Account: sess.Account, TokenIssueTime: sess.IssuedAt, MFAAuthenticated: sess.MFA,
		SourceIdentity: sess.SourceIdentity}
	switch sess.Kind {
	case session.KindRole:
		r, err := s.role(ctx, sess.Account, sess.RoleName)
		if err != nil {
			return nil, err
		}
		if r.ID != sess.RoleID {
			// The role was deleted (and perhaps recreated): its sessions end.
			return nil, invalidToken()
		}
		c.Principal = policy.Principal{Type: policy.PrincipalRoleSession, Account: sess.Account, RoleARN: r.ARN,
			ARN:               assumedRoleARN(sess.Account, r.Name, sess.Name),
			ServiceLinkedRole: r.ServiceLinked}
		c.UserID = r.ID + ":" + sess.Name
		c.SessionName = sess.Name
		c.Tags = mergedTags(r.Tags, sess.Tags)
		c.FederatedProvider = sess.FederatedProvider
		c.FederatedKeys = sess.FederatedKeys
		c.SourceInstanceARN = sess.SourceInstanceARN
	case session.KindFederatedUser:
		c.Principal = policy.Principal{Type: policy.PrincipalFederatedUser, Account: sess.Account, ARN: federatedUserARN(sess.Account, sess.Name)}
		c.UserID = sess.Account + ":" + sess.Name
		c.Tags = mergedTags(nil, sess.Tags)
	case session.KindRoot:
		// An AssumeRoot session: the member account's root user, scoped by
		// its task policy (Policies).
		c.Principal = policy.Principal{Type: policy.PrincipalRoot, ARN: arn.Root(sess.Account), Account: sess.Account}
		c.UserID = sess.Account
	case session.KindUser:
		if sess.UserName == "" {
			c.Principal = policy.Principal{Type: policy.PrincipalRoot, ARN: arn.Root(sess.Account), Account: sess.Account}
			c.UserID = sess.Account
			break
		}
		u, err := s.dir.User(ctx, sess.Account, sess.UserName)
		if errors.Is(err, store.ErrNotFound) {
			return nil, invalidToken()
		}
		if err != nil {
			return nil, awserr.InternalFailure(err)
		}
		c.Principal = policy.Principal{Type: policy.PrincipalUser, ARN: u.ARN, Account: sess.Account}
		c.UserName, c.UserPath, c.UserID = u.Name, u.Path, u.ID
		c.Tags = mergedTags(u.Tags, nil)
	default:
		return nil, invalidToken()
	}
	return c, nil
}

// mergedTags is the principal's tags: the entity's, overridden by session
// tags with the same key (case-insensitive).
func mergedTags(entity []store.Tag, sess []session.Tag) map[string]string {
	if len(entity)+len(sess) == 0 {
		return nil
	}
	m := make(map[string]string, len(entity)+len(sess))
	for _, t := range entity {
		m[t.Key] = t.Value
	}
	for _, t := range sess {
		for k := range m {
			if strings.EqualFold(k, t.Key) {
				delete(m, k)
			}
		}
		m[t.Key] = t.Value
	}
	return m
}

// assumedRoleARN is the ARN of a role session.
func assumedRoleARN(account, role, name string) string {
	return "arn:" + arn.Partition + ":sts::" + account + ":assumed-role/" + role + "/" + name
}

// federatedUserARN is the ARN of a federated user.
func federatedUserARN(account, name string) string {
	return "arn:" + arn.Partition + ":sts::" + account + ":federated-user/" + name
}

// role returns the role record of a role session's token: roleRecord's,
// with a role that no longer exists an invalid token.
func (s *Service) role(ctx context.Context, account, name string) (store.Role, error) {
	r, err := s.roleRecord(ctx, account, name)
	if errors.Is(err, store.ErrNotFound) {
		return r, invalidToken()
	}
	if err != nil {
		return r, awserr.InternalFailure(err)
	}
	return r, nil
}

// roleRecord returns a role record, cached for the directory's current
// revision (any change to the store makes it read again), so that the
// operations that assume a role and every request of a role session read
// no SQL while nothing changes: on PostgreSQL a read is a transaction of
// three round trips. A missing role is store.ErrNotFound.
func (s *Service) roleRecord(ctx context.Context, account, name string) (store.Role, error) {
	key := account + "|" + store.RoleKey(name)
	rev := s.dir.Revision()
	s.mu.Lock()
	c, ok := s.roles[key]
	s.mu.Unlock()
	if ok && c.rev == rev {
		return c.role, nil
	}
	var r store.Role
	err := s.st.View(ctx, func(tx store.ReadTx) error {
		var err error
		r, err = store.GetJSON[store.Role](ctx, tx, store.KindRole, account, store.RoleKey(name))
		return err
	})
	if err != nil {
		return r, err
	}
	s.mu.Lock()
	if len(s.roles) > 10_000 {
		s.roles = map[string]cachedRole{}
	}
	s.roles[key] = cachedRole{rev: rev, role: r}
	s.mu.Unlock()
	return r, nil
}

// Policies returns the policy set of a caller signed with temporary
// credentials: for a role session the role's policies and boundary with the
// session policies; for a federated user the calling user's policies with the
// session policies (with none, the federated user has no permissions).
func (s *Service) Policies(ctx context.Context, c *identity.Caller) (*policy.Set, error) {
	sess, ok := session.FromContext(ctx)
	if !ok {
		return &policy.Set{}, nil
	}
	var base *policy.Set
	var err error
	switch sess.Kind {
	case session.KindRole:
		base, err = s.dir.RolePolicies(ctx, sess.Account, sess.RoleName)
	case session.KindFederatedUser:
		if sess.UserName == "" {
			base = &policy.Set{Identity: []*policy.Policy{s.allowAll}}
		} else {
			base, err = s.dir.UserPolicies(ctx, sess.Account, sess.UserName)
		}
	case session.KindUser:
		switch {
		case sess.UserName == "" && sess.Delegation != "":
			// A root user's delegated session: the request's permission
			// policy alone.
			base = &policy.Set{SessionScopesRoot: true}
		case sess.UserName == "":
			return &policy.Set{}, nil
		case sess.Policy == "":
			return s.dir.UserPolicies(ctx, sess.Account, sess.UserName)
		default:
			// A restricted console session (ConsoleCredentials) or a
			// delegated session.
			base, err = s.dir.UserPolicies(ctx, sess.Account, sess.UserName)
		}
	case session.KindRoot:
		// The root user's permissions, less what the task policy denies.
		base = &policy.Set{}
	default:
		return &policy.Set{}, nil
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, invalidToken()
		}
		return nil, awserr.InternalFailure(err)
	}
	set := *base // the directory's set is shared: never modify it
	set.Session = nil
	if sess.Policy != "" {
		p, err := s.dir.Compile("session policy", sess.Policy, policy.KindSession)
		if err != nil {
			return nil, awserr.InternalFailure(err)
		}
		set.Session = append(set.Session, p)
	}
	for _, arn := range sess.PolicyARNs {
		p, err := s.managedSessionPolicy(ctx, arn)
		if err != nil {
			return nil, err
		}
		set.Session = append(set.Session, p)
	}
	return &set, nil
}

// managedSessionPolicy compiles a managed session policy, cached for the
// directory's current revision. A policy deleted since the session began
// allows nothing.
func (s *Service) managedSessionPolicy(ctx context.Context, arn string) (*policy.Policy, error) {
	rev := s.dir.Revision()
	s.mu.Lock()
	c, ok := s.mps[arn]
	s.mu.Unlock()
	if ok && c.rev == rev {
		return c.pol, nil
	}
	doc, err := s.managedDocument(ctx, arn)
	if err != nil {
		if ae, ok := awserr.As(err); ok && ae.Code == awserr.CodeInvalidParameterValue {
			doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"gatehouse:None","Resource":"*"}]}`
		} else {
			return nil, err
		}
	}
	p, err := s.dir.Compile(arn, doc, policy.KindSession)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	s.mu.Lock()
	if len(s.mps) > 10_000 {
		s.mps = map[string]cachedPolicy{}
	}
	s.mps[arn] = cachedPolicy{rev: rev, pol: p}
	s.mu.Unlock()
	return p, nil
}
