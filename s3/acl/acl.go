// Package acl is Amazon S3's access control list model: grants of READ,
// WRITE, READ_ACP, WRITE_ACP and FULL_CONTROL to canonical users and the
// predefined groups, the canned ACLs expanded as S3 expands them, the
// x-amz-grant-* request headers parsed with S3's errors, the canonical user
// ID of an account, and a JSON encoding in which the object backend keeps an
// ACL as opaque bytes.
//
// The package is pure: it imports the standard library and awserr only. The
// XML shape (AccessControlPolicy) belongs to the S3 codec, which renders it
// from these types. Reference: "Access control list (ACL) overview",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html.
package acl

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
)

// Permission is a permission an ACL grants.
type Permission string

// The five ACL permissions (acl-overview.html#permissions).
const (
	Read        Permission = "READ"
	Write       Permission = "WRITE"
	ReadACP     Permission = "READ_ACP"
	WriteACP    Permission = "WRITE_ACP"
	FullControl Permission = "FULL_CONTROL"
)

// Valid reports whether p is one of the five permissions.
func (p Permission) Valid() bool {
	switch p {
	case Read, Write, ReadACP, WriteACP, FullControl:
		return true
	}
	return false
}

// Includes reports whether holding p grants q: FULL_CONTROL includes every
// permission, any other permission only itself.
func (p Permission) Includes(q Permission) bool { return p == q || p == FullControl }

// GranteeType is the xsi:type of a grantee.
type GranteeType string

// The grantee types of the S3 API model's Type enum.
const (
	CanonicalUser GranteeType = "CanonicalUser"
	Group         GranteeType = "Group"
	Email         GranteeType = "AmazonCustomerByEmail"
)

// The predefined groups (acl-overview.html#specifying-grantee-predefined-groups).
const (
	// AllUsers is anyone in the world, signed or anonymous.
	AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers"
	// AuthenticatedUsers is every AWS account; requests must be signed.
	AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	// LogDelivery is the S3 log delivery group (server access logs).
	LogDelivery = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

// Grantee is who a grant is for: a canonical user (ID, with its display
// name), a predefined group (URI), or an email address (which S3 no longer
// accepts, see ErrEmailGrantee).
type Grantee struct {
	Type         GranteeType `json:"type"`
	ID           string      `json:"id,omitempty"`
	DisplayName  string      `json:"displayName,omitempty"`
	URI          string      `json:"uri,omitempty"`
	EmailAddress string      `json:"emailAddress,omitempty"`
}

// User returns the canonical-user grantee with the given ID.
func User(id string) Grantee { return Grantee{Type: CanonicalUser, ID: id} }

// GroupOf returns the group grantee with the given URI.
func GroupOf(uri string) Grantee { return Grantee{Type: Group, URI: uri} }

// Grant is one permission given to one grantee.
type Grant struct {
	Grantee    Grantee    `json:"grantee"`
	Permission Permission `json:"permission"`
}

// Owner is the owner of a bucket or an object: its canonical user ID and
// display name.
type Owner struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName,omitempty"`
}

// ACL is a bucket's or an object's access control list.
type ACL struct {
	Owner  Owner   `json:"owner"`
	Grants []Grant `json:"grants"`
}

// canonicalPrefix separates canonical IDs from other SHA-256 uses.
const canonicalPrefix = "gatehouse/s3/canonical-user/v1\x00"

// CanonicalID returns the Amazon S3 canonical user ID of an account: 64
// lower-case hex digits, the SHA-256 of "gatehouse/s3/canonical-user/v1",
// a NUL byte and the 12-digit account ID. It is deterministic, so every node
// computes the same ID without storing it, and, like AWS's, it reveals
// nothing readable about the account.
func CanonicalID(account string) string {
	h := sha256.Sum256([]byte(canonicalPrefix + account))
	return hex.EncodeToString(h[:])
}

// ValidCanonicalID reports whether id has the form of a canonical user ID:
// 64 lower-case hex digits.
func ValidCanonicalID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Private returns the default ACL: the owner has FULL_CONTROL, nobody else
// has access.
func Private(owner Owner) ACL {
	return ACL{Owner: owner, Grants: []Grant{{Grantee: ownerGrantee(owner), Permission: FullControl}}}
}

func ownerGrantee(o Owner) Grantee {
	return Grantee{Type: CanonicalUser, ID: o.ID, DisplayName: o.DisplayName}
}

// Has reports whether the ACL grants perm (or FULL_CONTROL) to grantee g
// (compared by type and ID or URI).
func (a ACL) Has(g Grantee, perm Permission) bool {
	for _, gr := range a.Grants {
		if sameGrantee(gr.Grantee, g) && gr.Permission.Includes(perm) {
			return true
		}
	}
	return false
}

func sameGrantee(a, b Grantee) bool {
	if a.Type != b.Type {
		return false
	}
	switch a.Type {
	case CanonicalUser:
		return a.ID == b.ID
	case Group:
		return a.URI == b.URI
	}
	return a.EmailAddress == b.EmailAddress
}

// IsPublic reports whether the ACL grants anything to the AllUsers or the
// AuthenticatedUsers group — what S3 Block Public Access calls a public ACL
// ("The meaning of public", access-control-block-public-access.html).
func (a ACL) IsPublic() bool {
	for _, g := range a.Grants {
		if isPublicGrantee(g.Grantee) {
			return true
		}
	}
	return false
}

func isPublicGrantee(g Grantee) bool {
	return g.Type == Group && (g.URI == AllUsers || g.URI == AuthenticatedUsers)
}

// WithoutPublic returns the ACL without its grants to AllUsers and
// AuthenticatedUsers, as IgnorePublicAcls evaluates it. The receiver is not
// modified.
func (a ACL) WithoutPublic() ACL {
	out := ACL{Owner: a.Owner}
	for _, g := range a.Grants {
		if !isPublicGrantee(g.Grantee) {
			out.Grants = append(out.Grants, g)
		}
	}
	return out
}

// OnlyFullControlTo reports whether every grant of the ACL is FULL_CONTROL to
// the canonical user id — the only ACL a bucket with ACLs disabled
// (BucketOwnerEnforced) accepts, with id the bucket owner's: the
// bucket-owner-full-control canned ACL or its equivalent.
func (a ACL) OnlyFullControlTo(id string) bool {
	for _, g := range a.Grants {
		if g.Permission != FullControl || g.Grantee.Type != CanonicalUser || g.Grantee.ID != id {
			return false
		}
	}
	return true
}

// Validate checks a grant list as PutBucketAcl and PutObjectAcl receive it
// in an AccessControlPolicy body: known permissions, and each grantee
// complete for its type. Email grantees are refused (ErrEmailGrantee).
func (a ACL) Validate() error {
	for _, g := range a.Grants {
		if !g.Permission.Valid() {
			return errMalformedACL()
		}
		switch g.Grantee.Type {
		case CanonicalUser:
			if !ValidCanonicalID(g.Grantee.ID) {
				return errInvalidArgument("Invalid id", "id", g.Grantee.ID)
			}
		case Group:
			if !validGroup(g.Grantee.URI) {
				return errInvalidArgument("Invalid group uri", "uri", g.Grantee.URI)
			}
		case Email:
			return ErrEmailGrantee()
		default:
			return errMalformedACL()
		}
	}
	return nil
}

func validGroup(uri string) bool {
	return uri == AllUsers || uri == AuthenticatedUsers || uri == LogDelivery
}

// Encode returns the ACL's JSON encoding, the form the object backend stores.
func (a ACL) Encode() ([]byte, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("acl: encode: %w", err)
	}
	return b, nil
}

// Decode parses an ACL stored by Encode.
func Decode(b []byte) (ACL, error) {
	var a ACL
	if err := json.Unmarshal(b, &a); err != nil {
		return ACL{}, fmt.Errorf("acl: decode: %w", err)
	}
	return a, nil
}

// Equal reports whether a and b have the same owner and the same grants in
// the same order.
func (a ACL) Equal(b ACL) bool {
	return a.Owner == b.Owner && slices.Equal(a.Grants, b.Grants)
}

// CheckKnown refuses a grant to a canonical user ID that names no account,
// as S3 does: InvalidArgument "Invalid id" naming "id" and the ID
// (versity/versitygw#1384: a well-formed but unknown ID). known reports
// whether an ID is some account's (the S3 layer compares it with
// CanonicalID of its accounts).
func (a ACL) CheckKnown(known func(id string) bool) error {
	for _, g := range a.Grants {
		if g.Grantee.Type == CanonicalUser && g.Grantee.ID != ExecReadID && !known(g.Grantee.ID) {
			return errInvalidArgument("Invalid id", "id", g.Grantee.ID)
		}
	}
	return nil
}
