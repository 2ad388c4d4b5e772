package iam

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/ids"
	"github.com/gatehouse-iam/gatehouse/store"
)

// SSH public keys authenticate an IAM user to CodeCommit. IAM accepts RSA
// keys only, "encoded in ssh-rsa format or PEM format", of 2048 to 16384 bits;
// "If you provide your public key in another format or size, you will see an
// error message stating that the key format is not valid"
// (id_credentials_ssh-keys.md). A user holds at most five
// (reference_iam-quotas.md: "SSH public keys assigned to an IAM user | 5").
const (
	maxSSHPublicKeys = 5
	minSSHKeyBits    = 2048
	maxSSHKeyBits    = 16384
)

var sshKeys = userCredentials[store.SSHPublicKey]{
	kind: store.KindSSHPublicKey,
	notFound: func(id string) error {
		return awserr.NoSuchEntity("The SSH Public Key with id %s cannot be found.", id)
	},
}

func (s *Service) sshKeyOps() []Op {
	return []Op{
		op("UploadSSHPublicKey", func(ctx context.Context, c *identity.Caller, in *iamapi.UploadSSHPublicKeyRequest) (Authz, error) {
			return s.userAuthz(ctx, c, "iam:UploadSSHPublicKey", in.UserName)
		}, s.uploadSSHPublicKey),
		op("GetSSHPublicKey", func(ctx context.Context, c *identity.Caller, in *iamapi.GetSSHPublicKeyRequest) (Authz, error) {
			return s.userAuthz(ctx, c, "iam:GetSSHPublicKey", in.UserName)
		}, s.getSSHPublicKey),
		op("ListSSHPublicKeys", func(ctx context.Context, c *identity.Caller, in *iamapi.ListSSHPublicKeysRequest) (Authz, error) {
			user, err := callerUserName(c, in.UserName)
			if err != nil {
				return Authz{}, err
			}
			return s.userAuthz(ctx, c, "iam:ListSSHPublicKeys", user)
		}, s.listSSHPublicKeys),
		op("UpdateSSHPublicKey", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateSSHPublicKeyRequest) (Authz, error) {
			return s.userAuthz(ctx, c, "iam:UpdateSSHPublicKey", in.UserName)
		}, s.updateSSHPublicKey),
		op("DeleteSSHPublicKey", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteSSHPublicKeyRequest) (Authz, error) {
			return s.userAuthz(ctx, c, "iam:DeleteSSHPublicKey", in.UserName)
		}, s.deleteSSHPublicKey),
	}
}

// invalidSSHKey is the error for a key IAM reads but does not accept.
func invalidSSHKey() *awserr.Error {
	return awserr.InvalidPublicKey("The public key is not valid: it must be an RSA key of %d to %d bits, in ssh-rsa or PEM format.", minSSHKeyBits, maxSSHKeyBits)
}

// parseSSHPublicKey reads an uploaded key: one OpenSSH authorized_keys line
// ("ssh-rsa AAAA… comment") or a PEM public key (PKIX "PUBLIC KEY" or
// PKCS #1 "RSA PUBLIC KEY"). A body in neither encoding is
// UnrecognizedPublicKeyEncoding; a key of another algorithm (ssh-ed25519,
// ecdsa-sha2-*, which IAM does not accept) or size, or damaged, is
// InvalidPublicKey.
func parseSSHPublicKey(body string) (ssh.PublicKey, error) {
	text := strings.TrimSpace(body)
	var pub ssh.PublicKey
	if strings.HasPrefix(text, "-----BEGIN") {
		block, rest := pem.Decode([]byte(text))
		if block == nil || len(strings.TrimSpace(string(rest))) != 0 {
			return nil, unrecognizedSSHKey()
		}
		var key any
		var err error
		switch block.Type {
		case "PUBLIC KEY":
			key, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			key, err = x509.ParsePKCS1PublicKey(block.Bytes)
		default:
			return nil, unrecognizedSSHKey()
		}
		if err != nil {
			return nil, invalidSSHKey()
		}
		rk, ok := key.(*rsa.PublicKey)
		if !ok {
			return nil, invalidSSHKey()
		}
		if pub, err = ssh.NewPublicKey(rk); err != nil {
			return nil, invalidSSHKey()
		}
	} else {
		fields := strings.Fields(text)
		if len(fields) < 2 || !strings.Contains(fields[0], "-") {
			return nil, unrecognizedSSHKey()
		}
		var rest []byte
		var err error
		pub, _, _, rest, err = ssh.ParseAuthorizedKey([]byte(text))
		if err != nil {
			return nil, invalidSSHKey()
		}
		if len(strings.TrimSpace(string(rest))) != 0 {
			return nil, unrecognizedSSHKey()
		}
	}
	if pub.Type() != ssh.KeyAlgoRSA {
		return nil, invalidSSHKey()
	}
	ck, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		return nil, invalidSSHKey()
	}
	rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey)
	if !ok {
		return nil, invalidSSHKey()
	}
	if bits := rk.N.BitLen(); bits < minSSHKeyBits || bits > maxSSHKeyBits {
		return nil, invalidSSHKey()
	}
	return pub, nil
}

func unrecognizedSSHKey() *awserr.Error {
	return awserr.UnrecognizedPublicKeyEncoding("The public key encoding format is unsupported or unrecognized: use ssh-rsa or PEM.")
}

// sshFingerprint is the fingerprint of a key as IAM reports it, "The MD5
// message digest of the SSH public key" (API_SSHPublicKey): the MD5 of the
// key's SSH wire encoding in colon-separated hex pairs, as ssh-keygen -l -E md5
// prints it after "MD5:". That is 47 characters; the model's "fixed length of
// 48" cannot hold an MD5 in this form and is taken as a slip.
func sshFingerprint(pub ssh.PublicKey) string { return ssh.FingerprintLegacyMD5(pub) }

// encodeSSHKey returns a stored key in the encoding GetSSHPublicKey asks for:
// SSH, the OpenSSH "ssh-rsa AAAA…" form; PEM, a PKIX "PUBLIC KEY" block.
func encodeSSHKey(body string, enc iamapi.EncodingType) (string, error) {
	pub, err := parseSSHPublicKey(body)
	if err != nil {
		return "", fmtErr("parsing a stored SSH public key: %w", err)
	}
	switch enc {
	case iamapi.EncodingTypeSSH:
		return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))), nil
	case iamapi.EncodingTypePEM:
		rk := pub.(ssh.CryptoPublicKey).CryptoPublicKey()
		der, err := x509.MarshalPKIXPublicKey(rk)
		if err != nil {
			return "", fmtErr("encoding an SSH public key as PEM: %w", err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
	}
	return "", awserr.UnrecognizedPublicKeyEncoding("The public key encoding %s is not supported: use SSH or PEM.", enc)
}

func sshKeyOut(k store.SSHPublicKey, body string) *iamapi.SSHPublicKey {
	return &iamapi.SSHPublicKey{UserName: k.UserName, SSHPublicKeyId: k.ID, Fingerprint: k.Fingerprint,
		SSHPublicKeyBody: body, Status: iamapi.StatusType(k.Status), UploadDate: ptr(k.UploadDate)}
}

func (s *Service) uploadSSHPublicKey(ctx context.Context, c *identity.Caller, in *iamapi.UploadSSHPublicKeyRequest) (*iamapi.UploadSSHPublicKeyResponse, error) {
	id, err := s.ids.AccessKeyID(ids.PrefixSSHPublicKey)
	if err != nil {
		return nil, err
	}
	var k store.SSHPublicKey
	err = s.update(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, c.Account, in.UserName)
		if err != nil {
			return err
		}
		pub, err := parseSSHPublicKey(in.SSHPublicKeyBody)
		if err != nil {
			return err
		}
		k = store.SSHPublicKey{ID: id, UserName: u.Name, Body: in.SSHPublicKeyBody, Fingerprint: sshFingerprint(pub),
			Status: store.StatusActive, UploadDate: s.now().UTC().Truncate(time.Second)}
		held, err := sshKeys.all(ctx, tx, c.Account, u.Name)
		if err != nil {
			return err
		}
		for _, h := range held {
			if h.Fingerprint == k.Fingerprint {
				return awserr.DuplicateSSHPublicKey("The SSH public key is already associated with the user %s.", u.Name)
			}
		}
		if len(held) >= maxSSHPublicKeys {
			return awserr.LimitExceeded("Cannot exceed quota for SSHPublicKeysPerUser: %d", maxSSHPublicKeys)
		}
		return sshKeys.put(ctx, tx, c.Account, u.Name, id, k)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UploadSSHPublicKeyResponse{SSHPublicKey: sshKeyOut(k, k.Body)}, nil
}

// ownedSSHKey reads key id of an existing user.
func ownedSSHKey(ctx context.Context, tx store.ReadTx, account, user, id string) (store.SSHPublicKey, error) {
	if _, err := getUser(ctx, tx, account, user); err != nil {
		return store.SSHPublicKey{}, err
	}
	return sshKeys.get(ctx, tx, account, user, id)
}

func (s *Service) getSSHPublicKey(ctx context.Context, c *identity.Caller, in *iamapi.GetSSHPublicKeyRequest) (*iamapi.GetSSHPublicKeyResponse, error) {
	var k store.SSHPublicKey
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		k, err = ownedSSHKey(ctx, tx, c.Account, in.UserName, in.SSHPublicKeyId)
		return err
	})
	if err != nil {
		return nil, err
	}
	body, err := encodeSSHKey(k.Body, in.Encoding)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetSSHPublicKeyResponse{SSHPublicKey: sshKeyOut(k, body)}, nil
}

func (s *Service) listSSHPublicKeys(ctx context.Context, c *identity.Caller, in *iamapi.ListSSHPublicKeysRequest) (*iamapi.ListSSHPublicKeysResponse, error) {
	user, err := callerUserName(c, in.UserName)
	if err != nil {
		return nil, err
	}
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListSSHPublicKeysResponse{SSHPublicKeys: []iamapi.SSHPublicKeyMetadata{}}
	err = s.view(ctx, func(tx store.ReadTx) error {
		if _, err := getUser(ctx, tx, c.Account, user); err != nil {
			return err
		}
		ks, truncated, marker, err := sshKeys.page(ctx, tx, c.Account, user, p, nil)
		if err != nil {
			return err
		}
		for _, k := range ks {
			out.SSHPublicKeys = append(out.SSHPublicKeys, iamapi.SSHPublicKeyMetadata{UserName: k.UserName, SSHPublicKeyId: k.ID,
				Status: iamapi.StatusType(k.Status), UploadDate: k.UploadDate})
		}
		out.IsTruncated, out.Marker = truncated, marker
		return nil
	})
	return out, err
}

// checkStatus refuses the status "Expired", which the model's statusType
// allows (IAM reports it for expired API keys) but a caller cannot set: a
// credential is made Active or Inactive (API_UpdateSSHPublicKey,
// API_UpdateSigningCertificate, API_UpdateServiceSpecificCredential).
func checkStatus(st iamapi.StatusType) error {
	if st != iamapi.StatusTypeActive && st != iamapi.StatusTypeInactive {
		return awserr.InvalidInput("Status %s cannot be set: use Active or Inactive.", st)
	}
	return nil
}

func (s *Service) updateSSHPublicKey(ctx context.Context, c *identity.Caller, in *iamapi.UpdateSSHPublicKeyRequest) (*noOutput, error) {
	if err := checkStatus(in.Status); err != nil {
		return nil, err
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		k, err := ownedSSHKey(ctx, tx, c.Account, in.UserName, in.SSHPublicKeyId)
		if err != nil {
			return err
		}
		k.Status = string(in.Status)
		return sshKeys.put(ctx, tx, c.Account, k.UserName, k.ID, k)
	}))
}

func (s *Service) deleteSSHPublicKey(ctx context.Context, c *identity.Caller, in *iamapi.DeleteSSHPublicKeyRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		k, err := ownedSSHKey(ctx, tx, c.Account, in.UserName, in.SSHPublicKeyId)
		if err != nil {
			return err
		}
		return tx.Delete(ctx, store.KindSSHPublicKey, c.Account, store.UserCredentialKey(k.UserName, k.ID))
	}))
}
