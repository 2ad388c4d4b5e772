package iam

import (
	"context"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/ids"
	"github.com/gatehouse-iam/gatehouse/store"
)

// maxAccessKeys is IAM's quota of access keys per user (and for the root user).
const maxAccessKeys = 2

// secretAlphabet is the alphabet of AWS secret access keys.
const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// newSecret returns a 40-character secret access key.
func (s *Service) newSecret() (string, error) {
	var b [40]byte
	if _, err := s.rand.Read(b[:]); err != nil {
		return "", fmtErr("generating a secret access key: %w", err)
	}
	for i := range b {
		b[i] = secretAlphabet[int(b[i])%len(secretAlphabet)]
	}
	return string(b[:]), nil
}

// keyOwner returns the user a key operation refers to: UserName, or the caller
// (an IAM user, or "" for the account root).
func keyOwner(c *identity.Caller, name *string) (string, error) {
	if name != nil && *name != "" {
		return *name, nil
	}
	if c.IsRoot() {
		return "", nil
	}
	if c.UserName != "" {
		return c.UserName, nil
	}
	return "", awserr.ValidationError("Must specify userName when calling with non-User credentials")
}

// keyAuthz authorizes a key operation on a user's (or the root's) keys.
func (s *Service) keyAuthz(ctx context.Context, c *identity.Caller, action string, name *string) (Authz, error) {
	owner, err := keyOwner(c, name)
	if err != nil {
		return Authz{}, err
	}
	if owner == "" {
		return Authz{Action: action, Resource: c.ARN()}, nil
	}
	return s.userAuthz(ctx, c, action, owner)
}

func (s *Service) accessKeyOps() []Op {
	return []Op{
		op("CreateAccessKey", func(ctx context.Context, c *identity.Caller, in *iamapi.CreateAccessKeyRequest) (Authz, error) {
			return s.keyAuthz(ctx, c, "iam:CreateAccessKey", in.UserName)
		}, s.createAccessKey),
		op("ListAccessKeys", func(ctx context.Context, c *identity.Caller, in *iamapi.ListAccessKeysRequest) (Authz, error) {
			return s.keyAuthz(ctx, c, "iam:ListAccessKeys", in.UserName)
		}, s.listAccessKeys),
		op("UpdateAccessKey", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateAccessKeyRequest) (Authz, error) {
			return s.keyAuthz(ctx, c, "iam:UpdateAccessKey", in.UserName)
		}, s.updateAccessKey),
		op("DeleteAccessKey", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteAccessKeyRequest) (Authz, error) {
			return s.keyAuthz(ctx, c, "iam:DeleteAccessKey", in.UserName)
		}, s.deleteAccessKey),
		op("GetAccessKeyLastUsed", func(ctx context.Context, c *identity.Caller, in *iamapi.GetAccessKeyLastUsedRequest) (Authz, error) {
			// The resource is the key's owner, found from the key id.
			if k, ok := s.dir.AccessKey(in.AccessKeyId); ok && k.Account == c.Account && k.UserName != "" {
				return s.userAuthz(ctx, c, "iam:GetAccessKeyLastUsed", k.UserName)
			}
			return Authz{Action: "iam:GetAccessKeyLastUsed", Resource: iamARN(c.Account, "user/*")}, nil
		}, s.getAccessKeyLastUsed),
	}
}

// CreateRootAccessKey creates an access key for an account's root user with the
// given id and secret (bootstrap and development use). It fails with
// EntityAlreadyExists if the id is taken.
func (s *Service) CreateRootAccessKey(ctx context.Context, account, id, secret string) error {
	return s.putAccessKey(ctx, account, "", id, secret)
}

func (s *Service) putAccessKey(ctx context.Context, account, owner, id, secret string) error {
	return s.update(ctx, func(tx store.Tx) error {
		return s.putAccessKeyTx(ctx, tx, account, owner, id, secret)
	})
}

// putAccessKeyTx creates an access key inside a transaction.
func (s *Service) putAccessKeyTx(ctx context.Context, tx store.Tx, account, owner, id, secret string) error {
	sealed, err := s.keys.Seal([]byte(secret), []byte(id))
	if err != nil {
		return fmtErr("sealing a secret access key: %w", err)
	}
	k := store.AccessKey{ID: id, Account: account, UserName: owner, SecretCiphertext: sealed, Status: store.StatusActive, CreateDate: s.now().UTC().Truncate(time.Second)}
	{
		if owner != "" {
			if _, err := getUser(ctx, tx, account, owner); err != nil {
				return err
			}
		}
		n, err := tx.Count(ctx, store.KindUserAccessKey, account, store.UserAccessKeyPrefix(owner))
		if err != nil {
			return err
		}
		if n >= maxAccessKeys {
			return awserr.LimitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeys)
		}
		if err := store.CreateJSON(ctx, tx, store.KindAccessKey, "", id, k); err != nil {
			if isExists(err) {
				return awserr.EntityAlreadyExists("Access key %s already exists.", id)
			}
			return err
		}
		return store.PutJSON(ctx, tx, store.KindUserAccessKey, account, store.UserAccessKeyKey(owner, id), store.AccessKeyRef{AccessKeyID: id})
	}
}

func (s *Service) createAccessKey(ctx context.Context, c *identity.Caller, in *iamapi.CreateAccessKeyRequest) (*iamapi.CreateAccessKeyResponse, error) {
	owner, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	id, err := s.ids.AccessKeyID(ids.PrefixAccessKey)
	if err != nil {
		return nil, err
	}
	secret, err := s.newSecret()
	if err != nil {
		return nil, err
	}
	if err := s.putAccessKey(ctx, c.Account, owner, id, secret); err != nil {
		return nil, err
	}
	k, _ := s.dir.AccessKey(id)
	return &iamapi.CreateAccessKeyResponse{AccessKey: iamapi.AccessKey{
		UserName: ownerName(owner), AccessKeyId: id, Status: iamapi.StatusTypeActive, SecretAccessKey: secret, CreateDate: timePtr(k.CreateDate, s.now()),
	}}, nil
}

func ownerName(owner string) string { return owner }

func timePtr(t, fallback time.Time) *time.Time {
	if t.IsZero() {
		t = fallback.UTC().Truncate(time.Second)
	}
	return &t
}

// ownedKey reads a key and checks that it belongs to owner in the account.
func ownedKey(ctx context.Context, tx store.ReadTx, account, owner, id string) (store.AccessKey, error) {
	k, err := store.GetJSON[store.AccessKey](ctx, tx, store.KindAccessKey, "", id)
	if isNotFound(err) || (err == nil && (k.Account != account || store.UserKey(k.UserName) != store.UserKey(owner))) {
		if owner == "" {
			return k, awserr.NoSuchEntity("The Access Key with id %s cannot be found.", id)
		}
		return k, awserr.NoSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	return k, err
}

func (s *Service) listAccessKeys(ctx context.Context, c *identity.Caller, in *iamapi.ListAccessKeysRequest) (*iamapi.ListAccessKeysResponse, error) {
	owner, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListAccessKeysResponse{AccessKeyMetadata: []iamapi.AccessKeyMetadata{}}
	err = s.view(ctx, func(tx store.ReadTx) error {
		if owner != "" {
			if _, err := getUser(ctx, tx, c.Account, owner); err != nil {
				return err
			}
		}
		refs, truncated, marker, err := listPage[store.AccessKeyRef](ctx, tx, store.ListOptions{Kind: store.KindUserAccessKey, Account: c.Account, Prefix: store.UserAccessKeyPrefix(owner)}, p, nil)
		if err != nil {
			return err
		}
		for _, r := range refs {
			k, err := store.GetJSON[store.AccessKey](ctx, tx, store.KindAccessKey, "", r.AccessKeyID)
			if err != nil {
				return err
			}
			md := iamapi.AccessKeyMetadata{AccessKeyId: &k.ID, Status: ptr(iamapi.StatusType(k.Status)), CreateDate: ptr(k.CreateDate)}
			if k.UserName != "" {
				md.UserName = ptr(k.UserName)
			}
			out.AccessKeyMetadata = append(out.AccessKeyMetadata, md)
		}
		out.IsTruncated, out.Marker = truncatedOut(truncated, marker)
		return nil
	})
	return out, err
}

func (s *Service) updateAccessKey(ctx context.Context, c *identity.Caller, in *iamapi.UpdateAccessKeyRequest) (*noOutput, error) {
	owner, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		if owner != "" {
			if _, err := getUser(ctx, tx, c.Account, owner); err != nil {
				return err
			}
		}
		k, err := ownedKey(ctx, tx, c.Account, owner, in.AccessKeyId)
		if err != nil {
			return err
		}
		k.Status = string(in.Status)
		return store.PutJSON(ctx, tx, store.KindAccessKey, "", k.ID, k)
	})
	if err != nil {
		return nil, err
	}
	return &noOutput{}, nil
}

func (s *Service) deleteAccessKey(ctx context.Context, c *identity.Caller, in *iamapi.DeleteAccessKeyRequest) (*noOutput, error) {
	owner, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		if owner != "" {
			if _, err := getUser(ctx, tx, c.Account, owner); err != nil {
				return err
			}
		}
		k, err := ownedKey(ctx, tx, c.Account, owner, in.AccessKeyId)
		if err != nil {
			return err
		}
		if err := tx.Delete(ctx, store.KindAccessKey, "", k.ID); err != nil {
			return err
		}
		return tx.Delete(ctx, store.KindUserAccessKey, c.Account, store.UserAccessKeyKey(k.UserName, k.ID))
	})
	if err != nil {
		return nil, err
	}
	return &noOutput{}, nil
}

func (s *Service) getAccessKeyLastUsed(ctx context.Context, c *identity.Caller, in *iamapi.GetAccessKeyLastUsedRequest) (*iamapi.GetAccessKeyLastUsedResponse, error) {
	var k store.AccessKey
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		k, err = store.GetJSON[store.AccessKey](ctx, tx, store.KindAccessKey, "", in.AccessKeyId)
		if isNotFound(err) || (err == nil && k.Account != c.Account) {
			return awserr.AccessDenied("The specified access key is not valid for this account.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	lu := &iamapi.AccessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}
	if !k.LastUsed.Date.IsZero() {
		lu.LastUsedDate = ptr(k.LastUsed.Date)
		lu.ServiceName, lu.Region = k.LastUsed.Service, k.LastUsed.Region
	}
	out := &iamapi.GetAccessKeyLastUsedResponse{AccessKeyLastUsed: lu}
	if k.UserName != "" {
		out.UserName = ptr(k.UserName)
	}
	return out, nil
}

// RecordKeyUse records the last use of access keys. The server batches uses and
// calls it periodically, so the request path never waits on a write.
func (s *Service) RecordKeyUse(ctx context.Context, uses map[string]store.AccessKeyLastUsed) error {
	if len(uses) == 0 {
		return nil
	}
	return s.update(ctx, func(tx store.Tx) error {
		for id, lu := range uses {
			k, err := store.GetJSON[store.AccessKey](ctx, tx, store.KindAccessKey, "", id)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			if lu.Date.After(k.LastUsed.Date) {
				k.LastUsed = lu
				if err := store.PutJSON(ctx, tx, store.KindAccessKey, "", id, k); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Secret opens an access key's sealed secret.
func (s *Service) Secret(k store.AccessKey) ([]byte, error) {
	return s.keys.Open(k.SecretCiphertext, []byte(k.ID))
}
