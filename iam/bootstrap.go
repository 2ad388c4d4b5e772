package iam

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-iam/gatehouse/ids"
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

// errBootstrap marks configuration conflicts found while bootstrapping.
var errBootstrap = errors.New("bootstrap")

// Bootstrap makes sure the management account exists, with a root access key.
// Later starts reuse the stored account; a fixed root key from the options is
// added if it is missing. Everything happens in one store transaction, so nodes
// of a cluster starting together on an empty database create exactly one
// management account.
func (s *Service) Bootstrap(ctx context.Context, o BootstrapOptions) (BootstrapResult, error) {
	if (o.RootAccessKeyID == "") != (o.RootSecretAccessKey == "") {
		return BootstrapResult{}, fmt.Errorf("both the root access key id and its secret must be given")
	}
	newID := o.AccountID
	if newID == "" {
		var err error
		if newID, err = s.newAccountID(); err != nil {
			return BootstrapResult{}, err
		}
	}
	if !store.IsAccountID(newID) {
		return BootstrapResult{}, fmt.Errorf("account id %q is not 12 digits", newID)
	}
	var genID, genSecret string
	if o.RootAccessKeyID == "" {
		var err error
		if genID, err = s.ids.AccessKeyID(ids.PrefixAccessKey); err != nil {
			return BootstrapResult{}, err
		}
		if genSecret, err = s.newSecret(); err != nil {
			return BootstrapResult{}, err
		}
	}
	var res BootstrapResult
	err := s.update(ctx, func(tx store.Tx) error {
		res = BootstrapResult{}
		accounts, err := store.ListValues[store.Account](ctx, tx, store.ListOptions{Kind: store.KindAccount})
		if err != nil {
			return err
		}
		var mgmt *store.Account
		for i := range accounts {
			if accounts[i].IsManagement {
				mgmt = &accounts[i]
			}
		}
		if mgmt != nil && o.AccountID != "" && mgmt.ID != o.AccountID {
			return fmt.Errorf("%w: the data already holds management account %s, not %s", errBootstrap, mgmt.ID, o.AccountID)
		}
		if mgmt == nil {
			acct := store.Account{ID: newID, Name: "management", CreateDate: s.now().UTC().Truncate(time.Second), IsManagement: true}
			if err := store.CreateJSON(ctx, tx, store.KindAccount, "", newID, acct); err != nil {
				return fmt.Errorf("creating the management account: %w", err)
			}
			mgmt, res.Created = &acct, true
		}
		res.AccountID = mgmt.ID
		switch {
		case o.RootAccessKeyID != "":
			k, err := store.GetJSON[store.AccessKey](ctx, tx, store.KindAccessKey, "", o.RootAccessKeyID)
			if err == nil {
				if k.Account != mgmt.ID || k.UserName != "" {
					return fmt.Errorf("%w: access key %s already belongs to another principal", errBootstrap, o.RootAccessKeyID)
				}
				secret, err := s.Secret(k)
				if err != nil {
					return fmt.Errorf("opening the root key: %w", err)
				}
				if string(secret) != o.RootSecretAccessKey {
					return fmt.Errorf("%w: access key %s is stored with another secret", errBootstrap, o.RootAccessKeyID)
				}
				return nil
			}
			if !isNotFound(err) {
				return err
			}
			return s.putAccessKeyTx(ctx, tx, mgmt.ID, "", o.RootAccessKeyID, o.RootSecretAccessKey)
		case res.Created:
			if err := s.putAccessKeyTx(ctx, tx, mgmt.ID, "", genID, genSecret); err != nil {
				return err
			}
			res.RootAccessKeyID, res.RootSecretAccessKey = genID, genSecret
		}
		return nil
	})
	if err != nil {
		return BootstrapResult{}, fmt.Errorf("bootstrap: %w", err)
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
