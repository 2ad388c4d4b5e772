package iam

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-iam/gatehouse/store"
)

// BootstrapOptions configure the first start of a server.
type BootstrapOptions struct {
	// AccountID is the management account's id; generated when empty.
	AccountID string
	// RootAccessKeyID and RootSecretAccessKey fix the root user's access key
	// (development and CI); a key is generated when both are empty.
	RootAccessKeyID     string
	RootSecretAccessKey string
}

// BootstrapResult says what the first start created.
type BootstrapResult struct {
	// AccountID is the management account.
	AccountID string
	// Created reports that this call created the account.
	Created bool
	// RootAccessKeyID and RootSecretAccessKey are set when this call created a
	// root key whose secret the operator has not seen: print them once.
	RootAccessKeyID     string
	RootSecretAccessKey string
}

// Bootstrap makes sure the management account exists, with a root access key.
// Later starts reuse the stored account; a fixed root key from the options is
// added if it is missing.
func (s *Service) Bootstrap(ctx context.Context, o BootstrapOptions) (BootstrapResult, error) {
	var res BootstrapResult
	var mgmt *store.Account
	for _, a := range s.dir.Accounts() {
		if a.IsManagement {
			a := a
			mgmt = &a
		}
	}
	if mgmt != nil && o.AccountID != "" && mgmt.ID != o.AccountID {
		return res, fmt.Errorf("the data already holds management account %s, not %s", mgmt.ID, o.AccountID)
	}
	if mgmt == nil {
		id := o.AccountID
		if id == "" {
			var err error
			if id, err = s.newAccountID(); err != nil {
				return res, err
			}
		}
		if !store.IsAccountID(id) {
			return res, fmt.Errorf("account id %q is not 12 digits", id)
		}
		acct := store.Account{ID: id, Name: "management", CreateDate: s.now().UTC().Truncate(time.Second), IsManagement: true}
		if err := s.update(ctx, func(tx store.Tx) error {
			return store.CreateJSON(ctx, tx, store.KindAccount, "", id, acct)
		}); err != nil {
			return res, fmt.Errorf("creating the management account: %w", err)
		}
		mgmt, res.Created = &acct, true
	}
	res.AccountID = mgmt.ID
	switch {
	case o.RootAccessKeyID != "" || o.RootSecretAccessKey != "":
		if o.RootAccessKeyID == "" || o.RootSecretAccessKey == "" {
			return res, fmt.Errorf("both the root access key id and its secret must be given")
		}
		if k, ok := s.dir.AccessKey(o.RootAccessKeyID); ok {
			if k.Account != mgmt.ID || k.UserName != "" {
				return res, fmt.Errorf("access key %s already belongs to another principal", o.RootAccessKeyID)
			}
			secret, err := s.Secret(k)
			if err != nil {
				return res, fmt.Errorf("opening the root key: %w", err)
			}
			if string(secret) != o.RootSecretAccessKey {
				return res, fmt.Errorf("access key %s is stored with another secret", o.RootAccessKeyID)
			}
			return res, nil
		}
		if err := s.putAccessKey(ctx, mgmt.ID, "", o.RootAccessKeyID, o.RootSecretAccessKey); err != nil {
			return res, fmt.Errorf("creating the root access key: %w", err)
		}
	case res.Created:
		id, err := s.ids.AccessKeyID(store.PrefixAccessKey)
		if err != nil {
			return res, err
		}
		secret, err := s.newSecret()
		if err != nil {
			return res, err
		}
		if err := s.putAccessKey(ctx, mgmt.ID, "", id, secret); err != nil {
			return res, fmt.Errorf("creating the root access key: %w", err)
		}
		res.RootAccessKeyID, res.RootSecretAccessKey = id, secret
	}
	return res, nil
}

// newAccountID returns a random 12-digit account id that does not start with 0.
func (s *Service) newAccountID() (string, error) {
	var b [12]byte
	if _, err := s.rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generating an account id: %w", err)
	}
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b[:]), nil
}
