package store

import (
	"fmt"
	"strconv"
	"strings"
)

// Key scheme.
//
// IAM names (users, groups, roles, managed policies, instance profiles) are
// unique within an account regardless of case, so their keys are the
// ASCII-lower-cased name; the record keeps the name as created. IAM names
// cannot contain '/', which is therefore the separator of composite keys, and
// a composite prefix ending in '/' never matches a longer name (the prefix of
// "bob" is "bob/", which "bobby/…" does not share).
//
// Relations are stored twice, once per direction, in the same transaction:
// attachments under [KindAttachment] (by entity) and [KindPolicyAttachment]
// (by policy); memberships under [KindMembership] (by group) and
// [KindUserMembership] (by user); access keys under [KindAccessKey] (global,
// by id) and [KindUserAccessKey] (by user).

// Sep separates the parts of a composite key.
const Sep = "/"

// EntityKind names the kind of principal that owns an inline policy or has a
// managed policy attached.
type EntityKind string

// The entity kinds that can own or attach policies.
const (
	EntityUser  EntityKind = "user"
	EntityGroup EntityKind = "group"
	EntityRole  EntityKind = "role"
)

// fold lower-cases ASCII letters only, as IAM does for names (which are ASCII
// by their grammar); other bytes are kept, so folding never changes length.
func fold(name string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, name)
}

// join builds a composite key.
func join(parts ...string) string { return strings.Join(parts, Sep) }

// UserKey is the key of a [User] named name.
func UserKey(name string) string { return fold(name) }

// GroupKey is the key of a [Group] named name.
func GroupKey(name string) string { return fold(name) }

// RoleKey is the key of a [Role] named name.
func RoleKey(name string) string { return fold(name) }

// PolicyKey is the key of a [ManagedPolicy] named name. Managed policy names
// are unique within an account whatever their path.
func PolicyKey(name string) string { return fold(name) }

// InstanceProfileKey is the key of an [InstanceProfile] named name.
func InstanceProfileKey(name string) string { return fold(name) }

// LoginProfileKey is the key of the [LoginProfile] of user userName.
func LoginProfileKey(userName string) string { return fold(userName) }

// MFADeviceKey is the key of an [MFADevice]: its serial number (for a virtual
// device, its ARN), unchanged.
func MFADeviceKey(serialNumber string) string { return serialNumber }

// PolicyVersionKey is the key of version versionID ("v1", "v2", …) of the
// managed policy policyName. The number is zero-padded so versions list in
// numeric order; an id not of the form vN is kept as is.
func PolicyVersionKey(policyName, versionID string) string {
	v := versionID
	if n, err := parseVersionID(versionID); err == nil {
		v = fmt.Sprintf("v%010d", n)
	}
	return join(fold(policyName), v)
}

// PolicyVersionPrefix is the List prefix of every version of policyName.
func PolicyVersionPrefix(policyName string) string { return fold(policyName) + Sep }

// VersionID formats version number n as IAM does ("v3").
func VersionID(n int) string { return "v" + strconv.Itoa(n) }

// parseVersionID parses "vN" with N a positive decimal number.
func parseVersionID(id string) (int, error) {
	digits, ok := strings.CutPrefix(id, "v")
	if !ok || digits == "" || digits[0] == '+' || digits[0] == '-' {
		return 0, fmt.Errorf("%w: policy version id %q", ErrInvalid, id)
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%w: policy version id %q", ErrInvalid, id)
	}
	return n, nil
}

// InlinePolicyKey is the key of the inline policy policyName of the user,
// group or role ownerName. The policy name is kept exactly as given.
func InlinePolicyKey(owner EntityKind, ownerName, policyName string) string {
	return join(string(owner), fold(ownerName), policyName)
}

// InlinePolicyPrefix is the List prefix of every inline policy of one owner.
func InlinePolicyPrefix(owner EntityKind, ownerName string) string {
	return join(string(owner), fold(ownerName)) + Sep
}

// AttachmentKey is the [KindAttachment] key of the attachment of the managed
// policy (policyAccount, policyName) to an entity. policyAccount is the
// policy's account: the entity's own, or [AWSAccount].
func AttachmentKey(entity EntityKind, entityName, policyAccount, policyName string) string {
	return join(string(entity), fold(entityName), policyAccount, fold(policyName))
}

// AttachmentPrefix is the [KindAttachment] List prefix of every policy
// attached to one entity.
func AttachmentPrefix(entity EntityKind, entityName string) string {
	return join(string(entity), fold(entityName)) + Sep
}

// PolicyAttachmentKey is the [KindPolicyAttachment] key of the same
// attachment as [AttachmentKey], ordered by policy first.
func PolicyAttachmentKey(policyAccount, policyName string, entity EntityKind, entityName string) string {
	return join(policyAccount, fold(policyName), string(entity), fold(entityName))
}

// PolicyAttachmentPrefix is the [KindPolicyAttachment] List prefix of every
// entity, in the listing account, that the policy is attached to.
func PolicyAttachmentPrefix(policyAccount, policyName string) string {
	return join(policyAccount, fold(policyName)) + Sep
}

// MembershipKey is the [KindMembership] key of user userName in group
// groupName.
func MembershipKey(groupName, userName string) string {
	return join(fold(groupName), fold(userName))
}

// MembershipPrefix is the [KindMembership] List prefix of a group's members.
func MembershipPrefix(groupName string) string { return fold(groupName) + Sep }

// UserMembershipKey is the [KindUserMembership] key of the same membership
// as [MembershipKey], ordered by user first.
func UserMembershipKey(userName, groupName string) string {
	return join(fold(userName), fold(groupName))
}

// UserMembershipPrefix is the [KindUserMembership] List prefix of the groups
// a user belongs to.
func UserMembershipPrefix(userName string) string { return fold(userName) + Sep }

// UserAccessKeyKey is the [KindUserAccessKey] key of access key keyID of user
// userName; userName "" stands for the account's root user.
func UserAccessKeyKey(userName, keyID string) string {
	return join(fold(userName), keyID)
}

// UserAccessKeyPrefix is the [KindUserAccessKey] List prefix of a user's
// access keys (userName "" for the root user).
func UserAccessKeyPrefix(userName string) string { return fold(userName) + Sep }
