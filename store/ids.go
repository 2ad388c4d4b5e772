package store

import (
	"errors"
	"fmt"
	"io"
)

// Prefixes of AWS unique ids, by the kind of entity they name.
const (
	PrefixUser            = "AIDA"
	PrefixGroup           = "AGPA"
	PrefixRole            = "AROA"
	PrefixPolicy          = "ANPA"
	PrefixInstanceProfile = "AIPA"
	// PrefixAccessKey starts long-term access key ids.
	PrefixAccessKey = "AKIA"
	// PrefixTemporaryKey starts temporary (STS) access key ids.
	PrefixTemporaryKey = "ASIA"
)

// Lengths of the random part of generated ids: unique ids are 21 characters
// long and access key ids 20, both with a 4-character prefix.
const (
	uniqueIDRandomLen  = 17
	accessKeyRandomLen = 16
)

// idAlphabet is the character set of the random part of AWS ids.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// IDGen makes AWS-style ids from an injected source of randomness
// (crypto/rand.Reader in production, a fixed stream in tests).
type IDGen struct {
	rand io.Reader
}

// NewIDGen returns an IDGen reading randomness from r.
func NewIDGen(r io.Reader) *IDGen { return &IDGen{rand: r} }

// UniqueID returns prefix (e.g. [PrefixUser]) followed by 17 random
// characters of [A-Z2-7].
func (g *IDGen) UniqueID(prefix string) (string, error) {
	return g.make(prefix, uniqueIDRandomLen)
}

// AccessKeyID returns prefix ([PrefixAccessKey] or [PrefixTemporaryKey])
// followed by 16 random characters of [A-Z2-7].
func (g *IDGen) AccessKeyID(prefix string) (string, error) {
	return g.make(prefix, accessKeyRandomLen)
}

func (g *IDGen) make(prefix string, n int) (string, error) {
	if g == nil || g.rand == nil {
		return "", errors.New("store: IDGen has no source of randomness")
	}
	buf := make([]byte, len(prefix)+n)
	copy(buf, prefix)
	rnd := buf[len(prefix):]
	if _, err := io.ReadFull(g.rand, rnd); err != nil {
		return "", fmt.Errorf("store: read randomness for %s id: %w", prefix, err)
	}
	// 256 is a multiple of 32, so taking the low 5 bits is unbiased.
	for i, b := range rnd {
		rnd[i] = idAlphabet[b&31]
	}
	return string(buf), nil
}

// Partition is the ARN partition Gatehouse issues.
const Partition = "aws"

// iamARN forms arn:aws:iam::ACCOUNT:TYPE/PATH/NAME; path "" means "/".
func iamARN(account, typ, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:" + Partition + ":iam::" + account + ":" + typ + path + name
}

// UserARN is the ARN of user name with path (e.g. "/" or "/division/").
func UserARN(account, path, name string) string { return iamARN(account, "user", path, name) }

// GroupARN is the ARN of a group.
func GroupARN(account, path, name string) string { return iamARN(account, "group", path, name) }

// RoleARN is the ARN of a role.
func RoleARN(account, path, name string) string { return iamARN(account, "role", path, name) }

// PolicyARN is the ARN of a managed policy; account is [AWSAccount] for AWS
// managed policies.
func PolicyARN(account, path, name string) string { return iamARN(account, "policy", path, name) }

// InstanceProfileARN is the ARN of an instance profile.
func InstanceProfileARN(account, path, name string) string {
	return iamARN(account, "instance-profile", path, name)
}

// MFADeviceARN is the ARN (and serial number) of a virtual MFA device.
func MFADeviceARN(account, path, name string) string { return iamARN(account, "mfa", path, name) }

// RootARN is the ARN of an account's root user.
func RootARN(account string) string { return "arn:" + Partition + ":iam::" + account + ":root" }
