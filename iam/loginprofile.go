package iam

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Console passwords. A user's password lives in its [store.LoginProfile] as
// an argon2id hash in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash), so the parameters travel with the
// hash and can be raised later without invalidating stored passwords. A
// password is never logged, returned or kept in plaintext.
//
// What the login profile record has no room for (when the password last
// changed, the hashes of earlier passwords for PasswordReusePrevention) is
// kept in a passwordState record keyed by the user's unique id, which a
// rename does not change.

// argon2id parameters for new hashes: 19 MiB, two passes, one lane (the
// OWASP minimum for argon2id), a 16-byte salt and a 32-byte key.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// Bounds on the parameters accepted from a stored hash, so that a damaged
// record cannot make verification arbitrarily expensive.
const (
	maxArgonMemory  = 256 * 1024
	maxArgonTime    = 16
	maxArgonThreads = 16
)

// maxPasswordHistory is the most previous passwords kept: the largest
// PasswordReusePrevention (24) counts the current password too.
const maxPasswordHistory = 23

// kindPasswordState holds what IAM knows about a user's password beyond its
// login profile; key = the user's unique id (AIDA…); value [passwordState].
const kindPasswordState store.Kind = "password-state"

// passwordState is the history of a user's console password.
type passwordState struct {
	// LastChanged is when the password was last set.
	LastChanged time.Time `json:"lastChanged"`
	// Previous are the encoded hashes of earlier passwords, newest first.
	Previous []string `json:"previous,omitempty"`
}

// errBadHash reports a stored hash that is not in the expected form.
var errBadHash = errors.New("iam: malformed password hash")

// hashPassword returns the encoded argon2id hash of password with a fresh salt.
func (s *Service) hashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := s.rand.Read(salt); err != nil {
		return "", fmtErr("generating a password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// passwordMatches reports whether password has the encoded hash, comparing
// the keys in constant time.
func passwordMatches(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil ||
		memory == 0 || memory > maxArgonMemory || passes == 0 || passes > maxArgonTime || threads == 0 || threads > maxArgonThreads {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) == 0 {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func noSuchLoginProfile(name string) *awserr.Error {
	return awserr.NoSuchEntity("Login Profile for User %s cannot be found.", name)
}

// getLoginProfile reads a user's login profile, or NoSuchEntity.
func getLoginProfile(ctx context.Context, tx store.ReadTx, account, name string) (store.LoginProfile, error) {
	lp, err := store.GetJSON[store.LoginProfile](ctx, tx, store.KindLoginProfile, account, store.LoginProfileKey(name))
	if isNotFound(err) {
		return lp, noSuchLoginProfile(name)
	}
	return lp, err
}

// getPasswordState reads a user's password state; a missing record is the
// zero state.
func getPasswordState(ctx context.Context, tx store.ReadTx, account, userID string) (passwordState, error) {
	st, err := store.GetJSON[passwordState](ctx, tx, kindPasswordState, account, userID)
	if isNotFound(err) {
		return passwordState{}, nil
	}
	return st, err
}

func (s *Service) loginProfileOps() []Op {
	return []Op{
		op("CreateLoginProfile", func(ctx context.Context, c *identity.Caller, in *iamapi.CreateLoginProfileRequest) (Authz, error) {
			return s.profileAuthz(ctx, c, "iam:CreateLoginProfile", in.UserName)
		}, s.createLoginProfile),
		op("GetLoginProfile", func(ctx context.Context, c *identity.Caller, in *iamapi.GetLoginProfileRequest) (Authz, error) {
			return s.profileAuthz(ctx, c, "iam:GetLoginProfile", in.UserName)
		}, s.getLoginProfile),
		op("UpdateLoginProfile", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateLoginProfileRequest) (Authz, error) {
			return s.profileAuthz(ctx, c, "iam:UpdateLoginProfile", &in.UserName)
		}, s.updateLoginProfile),
		op("DeleteLoginProfile", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteLoginProfileRequest) (Authz, error) {
			return s.profileAuthz(ctx, c, "iam:DeleteLoginProfile", in.UserName)
		}, s.deleteLoginProfile),
		op("ChangePassword", func(ctx context.Context, c *identity.Caller, in *iamapi.ChangePasswordRequest) (Authz, error) {
			if c.UserName == "" {
				// Refused in Run with InvalidUserType; the root user is
				// not restricted by identity policies anyway.
				return Authz{Action: "iam:ChangePassword", Resource: c.ARN()}, nil
			}
			return s.userAuthz(ctx, c, "iam:ChangePassword", c.UserName)
		}, s.changePassword),
	}
}

// profileAuthz authorizes a call on the login profile of the named user, or
// of the calling user when the name is absent.
func (s *Service) profileAuthz(ctx context.Context, c *identity.Caller, action string, name *string) (Authz, error) {
	user, err := callerUserName(c, name)
	if err != nil {
		return Authz{}, err
	}
	return s.userAuthz(ctx, c, action, user)
}

// checkNewPassword checks a password about to be set for a user against the
// account's password policy (or AWS's default) and, when the policy prevents
// reuse, against the user's current and previous passwords. It hashes, so it
// runs outside any write transaction.
func (s *Service) checkNewPassword(ctx context.Context, account, userName, password string) error {
	var (
		pol    passwordPolicy
		custom bool
		acct   store.Account
		hashes []string
	)
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		if pol, custom, err = getPasswordPolicy(ctx, tx, account); err != nil {
			return err
		}
		if acct, err = getAccount(ctx, tx, account); err != nil && !isNotFound(err) {
			return err
		}
		if !custom || pol.PasswordReusePrevention == 0 {
			return nil
		}
		u, err := getUser(ctx, tx, account, userName)
		if err != nil {
			return err
		}
		lp, err := store.GetJSON[store.LoginProfile](ctx, tx, store.KindLoginProfile, account, store.LoginProfileKey(userName))
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		st, err := getPasswordState(ctx, tx, account, u.ID)
		if err != nil {
			return err
		}
		hashes = append([]string{lp.PasswordHash}, st.Previous...)
		hashes = hashes[:min(len(hashes), pol.PasswordReusePrevention)]
		return nil
	})
	if err != nil {
		return err
	}
	if err := checkPassword(password, pol, custom, acct); err != nil {
		return err
	}
	for _, h := range hashes {
		same, err := passwordMatches(h, password)
		if err != nil {
			s.log.Warn("unreadable stored password hash", "account", account, "user", userName, "err", err)
			continue
		}
		if same {
			return passwordViolation()
		}
	}
	return nil
}

// setPassword records a new password hash in lp (written by the caller) and
// the user's password state, moving the old hash into the history.
func (s *Service) setPassword(ctx context.Context, tx store.Tx, account string, u store.User, lp *store.LoginProfile, hash string, now time.Time) error {
	st, err := getPasswordState(ctx, tx, account, u.ID)
	if err != nil {
		return err
	}
	if lp.PasswordHash != "" {
		st.Previous = append([]string{lp.PasswordHash}, st.Previous...)
		st.Previous = st.Previous[:min(len(st.Previous), maxPasswordHistory)]
	}
	lp.PasswordHash = hash
	st.LastChanged = now
	return store.PutJSON(ctx, tx, kindPasswordState, account, u.ID, st)
}

// loginProfileOut is the API shape of a login profile: never the password.
func loginProfileOut(lp store.LoginProfile) iamapi.LoginProfile {
	return iamapi.LoginProfile{UserName: lp.UserName, CreateDate: lp.CreateDate, PasswordResetRequired: ptr(lp.PasswordResetRequired)}
}

func (s *Service) createLoginProfile(ctx context.Context, c *identity.Caller, in *iamapi.CreateLoginProfileRequest) (*iamapi.CreateLoginProfileResponse, error) {
	name, err := callerUserName(c, in.UserName)
	if err != nil {
		return nil, err
	}
	if in.Password == nil {
		// The model makes Password optional only for AssumeRoot sessions,
		// which Gatehouse does not issue.
		return nil, awserr.ValidationError("1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null")
	}
	if err := s.view(ctx, func(tx store.ReadTx) error {
		_, err := getUser(ctx, tx, c.Account, name)
		return err
	}); err != nil {
		return nil, err
	}
	if err := s.checkNewPassword(ctx, c.Account, name, *in.Password); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(*in.Password)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	var lp store.LoginProfile
	err = s.update(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, c.Account, name)
		if err != nil {
			return err
		}
		if _, err := tx.Get(ctx, store.KindLoginProfile, c.Account, store.LoginProfileKey(u.Name)); err == nil {
			return awserr.EntityAlreadyExists("Login Profile for user %s already exists.", u.Name)
		} else if !isNotFound(err) {
			return err
		}
		lp = store.LoginProfile{UserName: u.Name, CreateDate: now, PasswordResetRequired: boolOf(in.PasswordResetRequired)}
		// A new profile starts a new history.
		if err := tx.Delete(ctx, kindPasswordState, c.Account, u.ID); err != nil && !isNotFound(err) {
			return err
		}
		if err := s.setPassword(ctx, tx, c.Account, u, &lp, hash, now); err != nil {
			return err
		}
		return store.CreateJSON(ctx, tx, store.KindLoginProfile, c.Account, store.LoginProfileKey(u.Name), lp)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateLoginProfileResponse{LoginProfile: loginProfileOut(lp)}, nil
}

func (s *Service) getLoginProfile(ctx context.Context, c *identity.Caller, in *iamapi.GetLoginProfileRequest) (*iamapi.GetLoginProfileResponse, error) {
	name, err := callerUserName(c, in.UserName)
	if err != nil {
		return nil, err
	}
	var lp store.LoginProfile
	err = s.view(ctx, func(tx store.ReadTx) error {
		if _, err := getUser(ctx, tx, c.Account, name); err != nil {
			return err
		}
		lp, err = getLoginProfile(ctx, tx, c.Account, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetLoginProfileResponse{LoginProfile: loginProfileOut(lp)}, nil
}

func (s *Service) updateLoginProfile(ctx context.Context, c *identity.Caller, in *iamapi.UpdateLoginProfileRequest) (*noOutput, error) {
	var hash string
	if in.Password != nil {
		if err := s.view(ctx, func(tx store.ReadTx) error {
			if _, err := getUser(ctx, tx, c.Account, in.UserName); err != nil {
				return err
			}
			_, err := getLoginProfile(ctx, tx, c.Account, in.UserName)
			return err
		}); err != nil {
			return nil, err
		}
		if err := s.checkNewPassword(ctx, c.Account, in.UserName, *in.Password); err != nil {
			return nil, err
		}
		var err error
		if hash, err = s.hashPassword(*in.Password); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC().Truncate(time.Second)
	return done(s.update(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, c.Account, in.UserName)
		if err != nil {
			return err
		}
		lp, err := getLoginProfile(ctx, tx, c.Account, u.Name)
		if err != nil {
			return err
		}
		if hash != "" {
			if err := s.setPassword(ctx, tx, c.Account, u, &lp, hash, now); err != nil {
				return err
			}
		}
		if in.PasswordResetRequired != nil {
			lp.PasswordResetRequired = *in.PasswordResetRequired
		}
		return store.PutJSON(ctx, tx, store.KindLoginProfile, c.Account, store.LoginProfileKey(u.Name), lp)
	}))
}

func (s *Service) deleteLoginProfile(ctx context.Context, c *identity.Caller, in *iamapi.DeleteLoginProfileRequest) (*noOutput, error) {
	name, err := callerUserName(c, in.UserName)
	if err != nil {
		return nil, err
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, c.Account, name)
		if err != nil {
			return err
		}
		if err := tx.Delete(ctx, store.KindLoginProfile, c.Account, store.LoginProfileKey(u.Name)); err != nil {
			return notFound(err, noSuchLoginProfile(u.Name))
		}
		if err := tx.Delete(ctx, kindPasswordState, c.Account, u.ID); err != nil && !isNotFound(err) {
			return err
		}
		return nil
	}))
}

// changePassword sets the calling IAM user's own password after checking the
// old one. The root user and role sessions are refused with InvalidUserType.
// The new password must meet the password policy; the reset requirement, if
// any, is lifted.
func (s *Service) changePassword(ctx context.Context, c *identity.Caller, in *iamapi.ChangePasswordRequest) (*noOutput, error) {
	if c.UserName == "" {
		return nil, awserr.InvalidUserType("Only IAM Users can change their own password.")
	}
	name := c.UserName
	var old string
	if err := s.view(ctx, func(tx store.ReadTx) error {
		if _, err := getUser(ctx, tx, c.Account, name); err != nil {
			return err
		}
		lp, err := getLoginProfile(ctx, tx, c.Account, name)
		old = lp.PasswordHash
		return err
	}); err != nil {
		return nil, err
	}
	ok, err := passwordMatches(old, in.OldPassword)
	if err != nil {
		return nil, fmtErr("checking the password of user %s: %w", name, err)
	}
	if !ok {
		return nil, awserr.AccessDenied("The old password is incorrect.")
	}
	if err := s.checkNewPassword(ctx, c.Account, name, in.NewPassword); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(in.NewPassword)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	return done(s.update(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, c.Account, name)
		if err != nil {
			return err
		}
		lp, err := getLoginProfile(ctx, tx, c.Account, u.Name)
		if err != nil {
			return err
		}
		if lp.PasswordHash != old {
			// The password changed since the old one was checked.
			return awserr.EntityTemporarilyUnmodifiable("Login Profile for User %s cannot be modified while its password is being changed.", u.Name)
		}
		if err := s.setPassword(ctx, tx, c.Account, u, &lp, hash, now); err != nil {
			return err
		}
		lp.PasswordResetRequired = false
		return store.PutJSON(ctx, tx, store.KindLoginProfile, c.Account, store.LoginProfileKey(u.Name), lp)
	}))
}
