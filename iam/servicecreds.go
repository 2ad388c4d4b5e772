package iam

import (
	"context"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/ids"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Service-specific credentials: a user name and password (CodeCommit Git
// credentials, Amazon Keyspaces), or a long-term API key (Amazon Bedrock,
// Amazon CloudWatch Logs), that IAM generates for one user and one service.
// "You can create service-specific credentials for Amazon Bedrock, Amazon
// CloudWatch Logs, CodeCommit and Amazon Keyspaces (for Apache Cassandra)" and
// "You can have a maximum of two sets of service-specific credentials for each
// supported service per user" (API_CreateServiceSpecificCredential).
// CredentialAgeDays "is only valid for services that support long-term API
// keys" (the model's credentialAgeDays).
const maxServiceCredentialsPerService = 2

// serviceKind is how a supported service's credentials look.
type serviceKind int

const (
	// passwordService credentials are a generated user name and password.
	passwordService serviceKind = iota + 1
	// apiKeyService credentials are an API key: a public alias and a secret,
	// optionally expiring.
	apiKeyService
)

// credentialServices are the services IAM makes service-specific
// credentials for.
var credentialServices = map[string]serviceKind{
	"codecommit.amazonaws.com": passwordService,
	"cassandra.amazonaws.com":  passwordService,
	"bedrock.amazonaws.com":    apiKeyService,
	"logs.amazonaws.com":       apiKeyService,
}

// supportedService returns the kind of service name, or NotSupportedService.
func supportedService(name string) (serviceKind, error) {
	k, ok := credentialServices[name]
	if !ok {
		return 0, awserr.NotSupportedService("No such service %s is supported for Service-Specific Credentials", name)
	}
	return k, nil
}

var serviceCreds = userCredentials[store.ServiceCredential]{
	kind: store.KindServiceCredential,
	notFound: func(id string) error {
		return awserr.NoSuchEntity("No such credential %s exists", id)
	},
}

// serviceNameKey is the condition key naming a credential's service
// (Service Authorization Reference, IAM's condition keys).
const serviceNameKey = "iam:ServiceSpecificCredentialServiceName"

func (s *Service) serviceCredentialOps() []Op {
	return []Op{
		op("CreateServiceSpecificCredential", func(ctx context.Context, c *identity.Caller, in *iamapi.CreateServiceSpecificCredentialRequest) (Authz, error) {
			a, err := s.userAuthz(ctx, c, "iam:CreateServiceSpecificCredential", in.UserName)
			a.Context = withKey(a.Context, serviceNameKey, in.ServiceName)
			if in.CredentialAgeDays != nil {
				a.Context = withKey(a.Context, "iam:ServiceSpecificCredentialAgeDays", strconv.Itoa(int(*in.CredentialAgeDays)))
			}
			return a, err
		}, s.createServiceSpecificCredential),
		op("ListServiceSpecificCredentials", func(ctx context.Context, c *identity.Caller, in *iamapi.ListServiceSpecificCredentialsRequest) (Authz, error) {
			if in.AllUsers != nil && *in.AllUsers {
				return Authz{Action: "iam:ListServiceSpecificCredentials", Resource: iamARN(c.Account, "user/*")}, nil
			}
			user, err := callerUserName(c, in.UserName)
			if err != nil {
				return Authz{}, err
			}
			return s.userAuthz(ctx, c, "iam:ListServiceSpecificCredentials", user)
		}, s.listServiceSpecificCredentials),
		op("ResetServiceSpecificCredential", func(ctx context.Context, c *identity.Caller, in *iamapi.ResetServiceSpecificCredentialRequest) (Authz, error) {
			return s.serviceCredAuthz(ctx, c, "iam:ResetServiceSpecificCredential", in.UserName, in.ServiceSpecificCredentialId)
		}, s.resetServiceSpecificCredential),
		op("UpdateServiceSpecificCredential", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateServiceSpecificCredentialRequest) (Authz, error) {
			return s.serviceCredAuthz(ctx, c, "iam:UpdateServiceSpecificCredential", in.UserName, in.ServiceSpecificCredentialId)
		}, s.updateServiceSpecificCredential),
		op("DeleteServiceSpecificCredential", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteServiceSpecificCredentialRequest) (Authz, error) {
			return s.serviceCredAuthz(ctx, c, "iam:DeleteServiceSpecificCredential", in.UserName, in.ServiceSpecificCredentialId)
		}, s.deleteServiceSpecificCredential),
	}
}

// serviceCredAuthz describes a call on an existing credential: its user's ARN
// (the caller when UserName is absent) and the credential's service as
// iam:ServiceSpecificCredentialServiceName.
func (s *Service) serviceCredAuthz(ctx context.Context, c *identity.Caller, action string, name *string, id string) (Authz, error) {
	user, err := callerUserName(c, name)
	if err != nil {
		return Authz{}, err
	}
	a, err := s.userAuthz(ctx, c, action, user)
	if err != nil {
		return a, err
	}
	err = s.view(ctx, func(tx store.ReadTx) error {
		sc, err := store.GetJSON[store.ServiceCredential](ctx, tx, store.KindServiceCredential, c.Account, store.UserCredentialKey(user, id))
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		a.Context = withKey(a.Context, serviceNameKey, sc.ServiceName)
		return nil
	})
	return a, err
}

// newServiceSecret returns a password or API key secret: 32 random bytes,
// base64-encoded.
func (s *Service) newServiceSecret() (string, error) {
	var b [32]byte
	if _, err := s.rand.Read(b[:]); err != nil {
		return "", fmtErr("generating a service-specific password: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b[:]), nil
}

// sealServiceSecret seals a credential's password under the keyring, bound to
// the credential's id.
func (s *Service) sealServiceSecret(id, secret string) ([]byte, error) {
	sealed, err := s.keys.Seal([]byte(secret), []byte(id))
	if err != nil {
		return nil, fmtErr("sealing a service-specific password: %w", err)
	}
	return sealed, nil
}

// serviceUserName is the generated user name of a password credential: "the
// IAM user's name combined with the ID number of the Amazon Web Services
// account, as in jane-at-123456789012" (API_ServiceSpecificCredential); a
// user's second set for the same service is told apart as jane+1-at-….
func serviceUserName(user, account string, taken map[string]bool) string {
	name := user + "-at-" + account
	for n := 1; taken[name]; n++ {
		name = user + "+" + strconv.Itoa(n) + "-at-" + account
	}
	return name
}

// statusAt is a credential's status at now: an API key past its expiration
// date is Expired.
func statusAt(sc store.ServiceCredential, now time.Time) iamapi.StatusType {
	if !sc.ExpirationDate.IsZero() && !now.Before(sc.ExpirationDate) {
		return iamapi.StatusTypeExpired
	}
	return iamapi.StatusType(sc.Status)
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// serviceCredOut is a credential with its secret, as Create and Reset return
// it: a password credential's ServicePassword, an API key's
// ServiceCredentialSecret.
func serviceCredOut(sc store.ServiceCredential, secret string, now time.Time) *iamapi.ServiceSpecificCredential {
	out := &iamapi.ServiceSpecificCredential{CreateDate: sc.CreateDate, ExpirationDate: optTime(sc.ExpirationDate), ServiceName: sc.ServiceName,
		ServiceUserName: optString(sc.ServiceUserName), ServiceCredentialAlias: optString(sc.ServiceCredentialAlias),
		ServiceSpecificCredentialId: sc.ID, UserName: sc.UserName, Status: statusAt(sc, now)}
	if sc.ServiceCredentialAlias != "" {
		out.ServiceCredentialSecret = &secret
	} else {
		out.ServicePassword = &secret
	}
	return out
}

func (s *Service) createServiceSpecificCredential(ctx context.Context, c *identity.Caller, in *iamapi.CreateServiceSpecificCredentialRequest) (*iamapi.CreateServiceSpecificCredentialResponse, error) {
	kind, err := supportedService(in.ServiceName)
	if err != nil {
		return nil, err
	}
	if in.CredentialAgeDays != nil && kind != apiKeyService {
		return nil, awserr.InvalidInput("CredentialAgeDays is only valid for services that support long-term API keys.")
	}
	id, err := s.ids.UniqueID(ids.PrefixServiceCredential)
	if err != nil {
		return nil, err
	}
	secret, err := s.newServiceSecret()
	if err != nil {
		return nil, err
	}
	sealed, err := s.sealServiceSecret(id, secret)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	var sc store.ServiceCredential
	err = s.update(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, c.Account, in.UserName)
		if err != nil {
			return err
		}
		held, err := serviceCreds.all(ctx, tx, c.Account, u.Name)
		if err != nil {
			return err
		}
		taken, n := map[string]bool{}, 0
		for _, h := range held {
			if h.ServiceName == in.ServiceName {
				n++
				taken[h.ServiceUserName] = true
				taken[h.ServiceCredentialAlias] = true
			}
		}
		if n >= maxServiceCredentialsPerService {
			return awserr.LimitExceeded("Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: %d", maxServiceCredentialsPerService)
		}
		sc = store.ServiceCredential{ID: id, UserName: u.Name, ServiceName: in.ServiceName, SecretCiphertext: sealed, Status: store.StatusActive, CreateDate: now}
		if kind == passwordService {
			sc.ServiceUserName = serviceUserName(u.Name, c.Account, taken)
		} else {
			// The public part of an API key: the user's name with a
			// suffix of version and creation time.
			sc.ServiceCredentialAlias = u.Name + "-at-" + c.Account + "-v1-" + strconv.FormatInt(now.Unix(), 10)
			for n := 1; taken[sc.ServiceCredentialAlias]; n++ {
				sc.ServiceCredentialAlias = u.Name + "+" + strconv.Itoa(n) + "-at-" + c.Account + "-v1-" + strconv.FormatInt(now.Unix(), 10)
			}
			if in.CredentialAgeDays != nil {
				sc.ExpirationDate = now.Add(time.Duration(*in.CredentialAgeDays) * 24 * time.Hour)
			}
		}
		return serviceCreds.put(ctx, tx, c.Account, u.Name, id, sc)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateServiceSpecificCredentialResponse{ServiceSpecificCredential: serviceCredOut(sc, secret, s.now())}, nil
}

func (s *Service) listServiceSpecificCredentials(ctx context.Context, c *identity.Caller, in *iamapi.ListServiceSpecificCredentialsRequest) (*iamapi.ListServiceSpecificCredentialsResponse, error) {
	all := in.AllUsers != nil && *in.AllUsers
	if all && in.UserName != nil {
		return nil, awserr.InvalidInput("AllUsers cannot be specified together with UserName.")
	}
	user := ""
	if !all {
		var err error
		if user, err = callerUserName(c, in.UserName); err != nil {
			return nil, err
		}
	}
	service := ""
	if in.ServiceName != nil {
		if _, err := supportedService(*in.ServiceName); err != nil {
			return nil, err
		}
		service = *in.ServiceName
	}
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := &iamapi.ListServiceSpecificCredentialsResponse{ServiceSpecificCredentials: []iamapi.ServiceSpecificCredentialMetadata{}}
	err = s.view(ctx, func(tx store.ReadTx) error {
		opts := store.ListOptions{Kind: store.KindServiceCredential, Account: c.Account}
		if !all {
			if _, err := getUser(ctx, tx, c.Account, user); err != nil {
				return err
			}
			opts.Prefix = store.UserCredentialPrefix(user)
		}
		scs, truncated, marker, err := listPage(ctx, tx, opts, p, func(sc store.ServiceCredential) bool {
			return service == "" || sc.ServiceName == service
		})
		if err != nil {
			return err
		}
		for _, sc := range scs {
			out.ServiceSpecificCredentials = append(out.ServiceSpecificCredentials, iamapi.ServiceSpecificCredentialMetadata{
				UserName: sc.UserName, Status: statusAt(sc, now), ServiceUserName: optString(sc.ServiceUserName),
				ServiceCredentialAlias: optString(sc.ServiceCredentialAlias), CreateDate: sc.CreateDate,
				ExpirationDate: optTime(sc.ExpirationDate), ServiceSpecificCredentialId: sc.ID, ServiceName: sc.ServiceName,
			})
		}
		out.IsTruncated, out.Marker = truncatedOut(truncated, marker)
		return nil
	})
	return out, err
}

// ownedServiceCred reads credential id of user, checking that the user
// exists.
func ownedServiceCred(ctx context.Context, tx store.ReadTx, account, user, id string) (store.ServiceCredential, error) {
	if _, err := getUser(ctx, tx, account, user); err != nil {
		return store.ServiceCredential{}, err
	}
	return serviceCreds.get(ctx, tx, account, user, id)
}

func (s *Service) resetServiceSpecificCredential(ctx context.Context, c *identity.Caller, in *iamapi.ResetServiceSpecificCredentialRequest) (*iamapi.ResetServiceSpecificCredentialResponse, error) {
	user, err := callerUserName(c, in.UserName)
	if err != nil {
		return nil, err
	}
	secret, err := s.newServiceSecret()
	if err != nil {
		return nil, err
	}
	var sc store.ServiceCredential
	err = s.update(ctx, func(tx store.Tx) error {
		var err error
		if sc, err = ownedServiceCred(ctx, tx, c.Account, user, in.ServiceSpecificCredentialId); err != nil {
			return err
		}
		// "Resetting the password immediately invalidates the previous
		// password" (API_ResetServiceSpecificCredential).
		if sc.SecretCiphertext, err = s.sealServiceSecret(sc.ID, secret); err != nil {
			return err
		}
		return serviceCreds.put(ctx, tx, c.Account, sc.UserName, sc.ID, sc)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ResetServiceSpecificCredentialResponse{ServiceSpecificCredential: serviceCredOut(sc, secret, s.now())}, nil
}

func (s *Service) updateServiceSpecificCredential(ctx context.Context, c *identity.Caller, in *iamapi.UpdateServiceSpecificCredentialRequest) (*noOutput, error) {
	user, err := callerUserName(c, in.UserName)
	if err != nil {
		return nil, err
	}
	if err := checkStatus(in.Status); err != nil {
		return nil, err
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		sc, err := ownedServiceCred(ctx, tx, c.Account, user, in.ServiceSpecificCredentialId)
		if err != nil {
			return err
		}
		sc.Status = string(in.Status)
		return serviceCreds.put(ctx, tx, c.Account, sc.UserName, sc.ID, sc)
	}))
}

func (s *Service) deleteServiceSpecificCredential(ctx context.Context, c *identity.Caller, in *iamapi.DeleteServiceSpecificCredentialRequest) (*noOutput, error) {
	user, err := callerUserName(c, in.UserName)
	if err != nil {
		return nil, err
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		sc, err := ownedServiceCred(ctx, tx, c.Account, user, in.ServiceSpecificCredentialId)
		if err != nil {
			return err
		}
		return tx.Delete(ctx, store.KindServiceCredential, c.Account, store.UserCredentialKey(sc.UserName, sc.ID))
	}))
}
