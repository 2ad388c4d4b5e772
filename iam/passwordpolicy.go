package iam

import (
	"context"
	"slices"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
)

// The account password policy: at most one per account, stored under
// kindPasswordPolicy with the key passwordPolicyKey. While an account has
// none, IAM user passwords must meet AWS's default policy
// (id_credentials_passwords_account-policy.md, "Default password policy").

// kindPasswordPolicy holds an account's custom password policy; key
// [passwordPolicyKey]; value [passwordPolicy].
const kindPasswordPolicy store.Kind = "password-policy"

// passwordPolicyKey is the key of the one password policy record of an account.
const passwordPolicyKey = "account"

// Defaults of UpdateAccountPasswordPolicy for parameters left out, and of the
// default policy that applies while an account has no custom one.
const (
	customMinimumPasswordLength  = 6
	defaultMinimumPasswordLength = 8
	// defaultCharacterTypes is how many of the four character types
	// (uppercase, lowercase, numbers, symbols) the default policy requires.
	defaultCharacterTypes = 3
)

// passwordSymbols are the non-alphanumeric characters the password policy
// counts as symbols.
const passwordSymbols = "!@#$%^&*()_+-=[]{}|'"

// passwordPolicy is an account's custom password policy. UpdateAccountPasswordPolicy
// does not support partial updates, so the record is always written whole.
type passwordPolicy struct {
	MinimumPasswordLength      int  `json:"minimumPasswordLength"`
	RequireSymbols             bool `json:"requireSymbols,omitempty"`
	RequireNumbers             bool `json:"requireNumbers,omitempty"`
	RequireUppercaseCharacters bool `json:"requireUppercaseCharacters,omitempty"`
	RequireLowercaseCharacters bool `json:"requireLowercaseCharacters,omitempty"`
	AllowUsersToChangePassword bool `json:"allowUsersToChangePassword,omitempty"`
	// MaxPasswordAge is in days; 0 means passwords never expire.
	MaxPasswordAge int `json:"maxPasswordAge,omitempty"`
	// PasswordReusePrevention is how many previous passwords cannot be
	// reused; 0 means no restriction.
	PasswordReusePrevention int  `json:"passwordReusePrevention,omitempty"`
	HardExpiry              bool `json:"hardExpiry,omitempty"`
}

func noPasswordPolicy() *awserr.Error {
	return awserr.NoSuchEntity("The Password Policy with domain name %s cannot be found.", "ACCOUNT")
}

func passwordViolation() *awserr.Error {
	return awserr.PasswordPolicyViolation("Password does not conform to the account password policy.")
}

// getPasswordPolicy reads the account's custom password policy; ok is false
// when it has none.
func getPasswordPolicy(ctx context.Context, tx store.ReadTx, account string) (p passwordPolicy, ok bool, err error) {
	p, err = store.GetJSON[passwordPolicy](ctx, tx, kindPasswordPolicy, account, passwordPolicyKey)
	if isNotFound(err) {
		return passwordPolicy{}, false, nil
	}
	return p, err == nil, err
}

// checkPassword reports PasswordPolicyViolation unless password meets the
// account's custom policy (custom true) or else AWS's default policy: at
// least eight characters, three of the four character types, and not the
// account's name or email address. Only AWS's one message is returned, so the
// error says nothing about the password.
func checkPassword(password string, p passwordPolicy, custom bool, acct store.Account) error {
	var upper, lower, digit, symbol bool
	n := 0
	for _, r := range password {
		n++
		switch {
		case 'A' <= r && r <= 'Z':
			upper = true
		case 'a' <= r && r <= 'z':
			lower = true
		case '0' <= r && r <= '9':
			digit = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	if !custom {
		types := 0
		for _, has := range []bool{upper, lower, digit, symbol} {
			if has {
				types++
			}
		}
		if n < defaultMinimumPasswordLength || types < defaultCharacterTypes ||
			(acct.Name != "" && password == acct.Name) || (acct.Email != "" && strings.EqualFold(password, acct.Email)) {
			return passwordViolation()
		}
		return nil
	}
	if n < p.MinimumPasswordLength ||
		(p.RequireUppercaseCharacters && !upper) || (p.RequireLowercaseCharacters && !lower) ||
		(p.RequireNumbers && !digit) || (p.RequireSymbols && !symbol) {
		return passwordViolation()
	}
	return nil
}

func (s *Service) passwordPolicyOps() []Op {
	// None of these actions has a resource type in the service authorization
	// reference, so their resource is "*".
	star := func(action string) Authz { return Authz{Action: action, Resource: "*"} }
	return []Op{
		op("UpdateAccountPasswordPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateAccountPasswordPolicyRequest) (Authz, error) {
			return star("iam:UpdateAccountPasswordPolicy"), nil
		}, s.updateAccountPasswordPolicy),
		op("GetAccountPasswordPolicy", func(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (Authz, error) {
			return star("iam:GetAccountPasswordPolicy"), nil
		}, s.getAccountPasswordPolicy),
		op("DeleteAccountPasswordPolicy", func(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (Authz, error) {
			return star("iam:DeleteAccountPasswordPolicy"), nil
		}, s.deleteAccountPasswordPolicy),
	}
}

// updateAccountPasswordPolicy replaces the account's password policy; every
// parameter left out takes its default (the model bounds the numbers:
// length 6–128, age 1–1095 days, reuse 1–24).
func (s *Service) updateAccountPasswordPolicy(ctx context.Context, c *identity.Caller, in *iamapi.UpdateAccountPasswordPolicyRequest) (*noOutput, error) {
	p := passwordPolicy{
		MinimumPasswordLength:      customMinimumPasswordLength,
		RequireSymbols:             boolOf(in.RequireSymbols),
		RequireNumbers:             boolOf(in.RequireNumbers),
		RequireUppercaseCharacters: boolOf(in.RequireUppercaseCharacters),
		RequireLowercaseCharacters: boolOf(in.RequireLowercaseCharacters),
		AllowUsersToChangePassword: boolOf(in.AllowUsersToChangePassword),
		HardExpiry:                 boolOf(in.HardExpiry),
	}
	if in.MinimumPasswordLength != nil {
		p.MinimumPasswordLength = int(*in.MinimumPasswordLength)
	}
	if in.MaxPasswordAge != nil {
		p.MaxPasswordAge = int(*in.MaxPasswordAge)
	}
	if in.PasswordReusePrevention != nil {
		p.PasswordReusePrevention = int(*in.PasswordReusePrevention)
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		return store.PutJSON(ctx, tx, kindPasswordPolicy, c.Account, passwordPolicyKey, p)
	}))
}

func (s *Service) getAccountPasswordPolicy(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (*iamapi.GetAccountPasswordPolicyResponse, error) {
	var p passwordPolicy
	err := s.view(ctx, func(tx store.ReadTx) error {
		var ok bool
		var err error
		p, ok, err = getPasswordPolicy(ctx, tx, c.Account)
		if err == nil && !ok {
			return noPasswordPolicy()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := iamapi.PasswordPolicy{
		MinimumPasswordLength:      ptr(int32(p.MinimumPasswordLength)),
		RequireSymbols:             ptr(p.RequireSymbols),
		RequireNumbers:             ptr(p.RequireNumbers),
		RequireUppercaseCharacters: ptr(p.RequireUppercaseCharacters),
		RequireLowercaseCharacters: ptr(p.RequireLowercaseCharacters),
		AllowUsersToChangePassword: ptr(p.AllowUsersToChangePassword),
		ExpirePasswords:            ptr(p.MaxPasswordAge > 0),
	}
	if p.MaxPasswordAge > 0 {
		out.MaxPasswordAge = ptr(int32(p.MaxPasswordAge))
	}
	if p.PasswordReusePrevention > 0 {
		out.PasswordReusePrevention = ptr(int32(p.PasswordReusePrevention))
	}
	if p.MaxPasswordAge > 0 || p.HardExpiry {
		out.HardExpiry = ptr(p.HardExpiry)
	}
	return &iamapi.GetAccountPasswordPolicyResponse{PasswordPolicy: out}, nil
}

func (s *Service) deleteAccountPasswordPolicy(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		err := tx.Delete(ctx, kindPasswordPolicy, c.Account, passwordPolicyKey)
		if isNotFound(err) {
			return noPasswordPolicy()
		}
		return err
	}))
}

// boolOf is *b, or false.
func boolOf(b *bool) bool { return b != nil && *b }

// passwordOps returns the console password operations: the account password
// policy, login profiles and ChangePassword, and the credential report.
func (s *Service) passwordOps() []Op {
	return slices.Concat(s.passwordPolicyOps(), s.loginProfileOps(), s.credentialReportOps())
}
