package iam

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Console sign-in. The console (package console) authenticates a person
// here before it asks STS for the session's credentials: an IAM user by
// their console password, the root user — which in Gatehouse has no
// password — by one of its access keys. Every failure that could tell an
// attacker which part was wrong is the one ErrSignInFailed.

// ErrSignInFailed is a failed sign-in: unknown account or alias, unknown
// user, no console password, a wrong password or key. It never says which.
var ErrSignInFailed = errors.New("iam: sign-in failed")

// ErrPasswordExpired is a sign-in with the right password that has expired
// under a password policy with HardExpiry: only an administrator can reset
// it.
var ErrPasswordExpired = errors.New("iam: password expired and the password policy does not let users change it")

// SignIn is what a successful first factor learnt about the person.
type SignIn struct {
	// Account is the account id (an alias resolved).
	Account string
	// UserName is the IAM user, "" for the root user.
	UserName string
	// UserID and ARN are the user's (the root's ARN for the root user).
	// A failed sign-in fills them, for the audit trail only, when the
	// account has the user; UserID is "" when it does not.
	UserID, ARN string
	// MFASerials are the MFA devices enabled for the person: when there is
	// one, the sign-in needs a code from one of them.
	MFASerials []string
	// MustChangePassword: PasswordResetRequired is set, or the password is
	// older than the policy's MaxPasswordAge (without HardExpiry). The
	// session may only change it.
	MustChangePassword bool
}

// dummyHash is verified when there is no password to compare, so a
// sign-in for an unknown user takes as long as one with a wrong password.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// ResolveAccount returns the account an account id or alias names.
func (s *Service) ResolveAccount(ctx context.Context, idOrAlias string) (string, bool) {
	idOrAlias = strings.TrimSpace(idOrAlias)
	if store.IsAccountID(idOrAlias) {
		if _, ok := s.dir.Account(idOrAlias); ok {
			return idOrAlias, true
		}
		return "", false
	}
	if idOrAlias == "" || len(idOrAlias) > 63 {
		return "", false
	}
	var id string
	err := s.st.View(ctx, func(tx store.ReadTx) error {
		a, err := store.GetJSON[store.AccountAlias](ctx, tx, store.KindAccountAlias, "", strings.ToLower(idOrAlias))
		id = a.AccountID
		return err
	})
	return id, err == nil && id != ""
}

// SignInWithPassword checks an IAM user's console password. account is an
// account id or alias. It returns ErrSignInFailed, ErrPasswordExpired or a
// store failure, and records the password's use (PasswordLastUsed) on
// success.
func (s *Service) SignInWithPassword(ctx context.Context, account, userName, password string) (SignIn, error) {
	acct, ok := s.ResolveAccount(ctx, account)
	var u store.User
	var lp store.LoginProfile
	var st passwordState
	var pol passwordPolicy
	var custom bool
	found, userFound := false, false
	if ok && userName != "" && len(userName) <= 64 {
		err := s.st.View(ctx, func(tx store.ReadTx) error {
			var err error
			if u, err = store.GetJSON[store.User](ctx, tx, store.KindUser, acct, store.UserKey(userName)); err != nil {
				return err
			}
			userFound = true
			if lp, err = store.GetJSON[store.LoginProfile](ctx, tx, store.KindLoginProfile, acct, store.LoginProfileKey(u.Name)); err != nil {
				return err
			}
			if st, err = getPasswordState(ctx, tx, acct, u.ID); err != nil {
				return err
			}
			pol, custom, err = getPasswordPolicy(ctx, tx, acct)
			return err
		})
		switch {
		case err == nil:
			found = true
		case !isNotFound(err):
			return SignIn{}, storeFailure(err)
		}
	}
	hash := dummyHash
	if found {
		hash = lp.PasswordHash
	}
	match, err := passwordMatches(hash, password)
	if err != nil || !match || !found {
		failed := SignIn{Account: acct, UserName: userName}
		if userFound {
			failed.UserName, failed.UserID, failed.ARN = u.Name, u.ID, u.ARN
		}
		return failed, ErrSignInFailed
	}
	now := s.now().UTC()
	in := SignIn{Account: acct, UserName: u.Name, UserID: u.ID, ARN: u.ARN, MustChangePassword: lp.PasswordResetRequired}
	if custom && pol.MaxPasswordAge > 0 {
		changed := st.LastChanged
		if changed.IsZero() {
			changed = lp.CreateDate
		}
		if now.After(changed.Add(time.Duration(pol.MaxPasswordAge) * 24 * time.Hour)) {
			if pol.HardExpiry {
				return SignIn{Account: acct, UserName: u.Name, UserID: u.ID, ARN: u.ARN}, ErrPasswordExpired
			}
			in.MustChangePassword = true
		}
	}
	if in.MFASerials, err = s.enabledSerials(ctx, acct, u.Name); err != nil {
		return SignIn{}, err
	}
	if err := s.update(ctx, func(tx store.Tx) error {
		cur, err := getUser(ctx, tx, acct, u.Name)
		if err != nil {
			return err
		}
		cur.PasswordLastUsed = now.Truncate(time.Second)
		return store.PutJSON(ctx, tx, store.KindUser, acct, store.UserKey(cur.Name), cur)
	}); err != nil {
		return SignIn{}, err
	}
	return in, nil
}

// SignInAsRoot checks one of the root user's active access keys: the root
// user signs in to Gatehouse's console with an access key id and its secret.
// account is an account id or alias. It returns ErrSignInFailed or a store
// failure.
func (s *Service) SignInAsRoot(ctx context.Context, account, keyID, secret string) (SignIn, error) {
	acct, ok := s.ResolveAccount(ctx, account)
	k, found := s.dir.AccessKey(keyID)
	want := []byte("gatehouse-console-no-such-key-000000000000")
	if ok && found && k.Account == acct && k.UserName == "" && k.Status == store.StatusActive {
		w, err := s.Secret(k)
		if err != nil {
			return SignIn{}, err
		}
		want = w
	} else {
		found = false
	}
	if subtle.ConstantTimeCompare(want, []byte(secret)) != 1 || !found {
		return SignIn{Account: acct, ARN: rootARN(acct)}, ErrSignInFailed
	}
	serials, err := s.enabledSerials(ctx, acct, "")
	if err != nil {
		return SignIn{}, err
	}
	return SignIn{Account: acct, ARN: rootARN(acct), MFASerials: serials}, nil
}

// enabledSerials lists the MFA devices enabled for a user ("" the root).
func (s *Service) enabledSerials(ctx context.Context, account, userName string) ([]string, error) {
	var out []string
	err := s.view(ctx, func(tx store.ReadTx) error {
		recs, err := tx.List(ctx, store.ListOptions{Kind: store.KindMFADevice, Account: account})
		if err != nil {
			return err
		}
		for _, r := range recs {
			var d store.MFADevice
			if err := json.Unmarshal(r.Data, &d); err != nil {
				return fmtErr("decoding an MFA device: %w", err)
			}
			if d.EnableDate.IsZero() {
				continue
			}
			if userName == "" {
				if d.UserName == "" && isRootDevice(account, d.SerialNumber) {
					out = append(out, d.SerialNumber)
				}
			} else if store.UserKey(d.UserName) == store.UserKey(userName) {
				out = append(out, d.SerialNumber)
			}
		}
		return nil
	})
	return out, err
}

// rootARN is the root user's ARN ("" for no account).
func rootARN(account string) string {
	if account == "" {
		return ""
	}
	return arn.Root(account)
}
