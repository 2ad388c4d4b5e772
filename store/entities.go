package store

import "time"

// The entity records below are the JSON values the IAM service and the
// authorization directory keep in the store. Field names follow the IAM API
// where one exists. Times are UTC. Secrets are stored only as ciphertext
// sealed by the keyring package, never in plaintext.

// Tag is a key-value tag on an IAM entity.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Account is one AWS account hosted by the server.
type Account struct {
	// ID is the 12-digit account id.
	ID string `json:"id"`
	// Name is a display name, if any.
	Name string `json:"name,omitempty"`
	// Email is the account's root email address, if any.
	Email string `json:"email,omitempty"`
	// Aliases are the account aliases (IAM allows at most one).
	Aliases []string `json:"aliases,omitempty"`
	// CreateDate is when the account was created.
	CreateDate time.Time `json:"createDate"`
	// IsManagement marks the management account created at first start.
	IsManagement bool `json:"isManagement,omitempty"`
}

// AccountAlias maps a globally unique account alias to its account.
type AccountAlias struct {
	Alias     string `json:"alias"`
	AccountID string `json:"accountId"`
}

// User is an IAM user.
type User struct {
	ID                     string    `json:"id"`
	Name                   string    `json:"name"`
	Path                   string    `json:"path"`
	ARN                    string    `json:"arn"`
	CreateDate             time.Time `json:"createDate"`
	Tags                   []Tag     `json:"tags,omitempty"`
	PermissionsBoundaryARN string    `json:"permissionsBoundaryArn,omitempty"`
	PasswordLastUsed       time.Time `json:"passwordLastUsed,omitzero"`
}

// Group is an IAM group.
type Group struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Path       string    `json:"path"`
	ARN        string    `json:"arn"`
	CreateDate time.Time `json:"createDate"`
}

// RoleLastUsed records the last use of a role.
type RoleLastUsed struct {
	Date   time.Time `json:"date,omitzero"`
	Region string    `json:"region,omitempty"`
}

// Role is an IAM role.
type Role struct {
	ID                       string    `json:"id"`
	Name                     string    `json:"name"`
	Path                     string    `json:"path"`
	ARN                      string    `json:"arn"`
	CreateDate               time.Time `json:"createDate"`
	AssumeRolePolicyDocument string    `json:"assumeRolePolicyDocument"`
	Description              string    `json:"description,omitempty"`
	// MaxSessionDuration is in seconds (3600 to 43200).
	MaxSessionDuration     int          `json:"maxSessionDuration"`
	PermissionsBoundaryARN string       `json:"permissionsBoundaryArn,omitempty"`
	Tags                   []Tag        `json:"tags,omitempty"`
	RoleLastUsed           RoleLastUsed `json:"roleLastUsed,omitzero"`
	ServiceLinked          bool         `json:"serviceLinked,omitempty"`
}

// ManagedPolicy is a customer or AWS managed policy; its documents are
// [PolicyVersion] records.
type ManagedPolicy struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Path             string    `json:"path"`
	ARN              string    `json:"arn"`
	DefaultVersionID string    `json:"defaultVersionId"`
	Description      string    `json:"description,omitempty"`
	CreateDate       time.Time `json:"createDate"`
	UpdateDate       time.Time `json:"updateDate"`
	Tags             []Tag     `json:"tags,omitempty"`
	// NextVersion is the number of the next version to create (IAM never
	// reuses version ids).
	NextVersion int `json:"nextVersion"`
	// AttachmentCount counts the entities, in all accounts, the policy is
	// attached to.
	AttachmentCount int `json:"attachmentCount"`
	// PermissionsBoundaryUsageCount counts the entities using the policy as
	// their permissions boundary.
	PermissionsBoundaryUsageCount int `json:"permissionsBoundaryUsageCount,omitempty"`
}

// PolicyVersion is one version of a managed policy's document.
type PolicyVersion struct {
	PolicyARN string `json:"policyArn"`
	// VersionID is "v1", "v2", …
	VersionID string `json:"versionId"`
	// Document is the policy JSON as submitted (not URL-encoded).
	Document   string    `json:"document"`
	IsDefault  bool      `json:"isDefault"`
	CreateDate time.Time `json:"createDate"`
}

// InlinePolicy is a policy embedded in one user, group or role.
type InlinePolicy struct {
	OwnerKind  EntityKind `json:"ownerKind"`
	OwnerName  string     `json:"ownerName"`
	PolicyName string     `json:"policyName"`
	Document   string     `json:"document"`
}

// Attachment is a managed policy attached to a user, group or role. The same
// value is stored under [KindAttachment] and [KindPolicyAttachment].
type Attachment struct {
	PolicyARN  string     `json:"policyArn"`
	EntityKind EntityKind `json:"entityKind"`
	EntityName string     `json:"entityName"`
}

// GroupMembership is a user's membership of a group. The same value is stored
// under [KindMembership] and [KindUserMembership].
type GroupMembership struct {
	GroupName string `json:"groupName"`
	UserName  string `json:"userName"`
}

// Access key statuses.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

// AccessKeyLastUsed records the last use of an access key.
type AccessKeyLastUsed struct {
	Date    time.Time `json:"date,omitzero"`
	Service string    `json:"service,omitempty"`
	Region  string    `json:"region,omitempty"`
}

// AccessKey is a long-term access key (AKIA…). It is stored globally by id so
// that SigV4 verification finds it from the request alone.
type AccessKey struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	// UserName is the owning IAM user, or "" for the account's root user.
	UserName string `json:"userName,omitempty"`
	// SecretCiphertext is the secret access key sealed by the keyring, with
	// the key id as associated data.
	SecretCiphertext []byte            `json:"secretCiphertext"`
	Status           string            `json:"status"`
	CreateDate       time.Time         `json:"createDate"`
	LastUsed         AccessKeyLastUsed `json:"lastUsed,omitzero"`
}

// AccessKeyRef lists an access key under its user; the key itself is the
// global [AccessKey] record with the same id.
type AccessKeyRef struct {
	AccessKeyID string `json:"accessKeyId"`
}

// InstanceProfile is an EC2 instance profile.
type InstanceProfile struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Path       string    `json:"path"`
	ARN        string    `json:"arn"`
	CreateDate time.Time `json:"createDate"`
	// Roles are the names of the roles in the profile (IAM allows one).
	Roles []string `json:"roles,omitempty"`
	Tags  []Tag    `json:"tags,omitempty"`
}

// MFADevice is a virtual MFA device.
type MFADevice struct {
	SerialNumber string `json:"serialNumber"`
	// UserName is the user the device is enabled for; "" while unassigned.
	UserName string `json:"userName,omitempty"`
	// SeedCiphertext is the TOTP seed sealed by the keyring.
	SeedCiphertext []byte    `json:"seedCiphertext"`
	CreateDate     time.Time `json:"createDate"`
	EnableDate     time.Time `json:"enableDate,omitzero"`
	// LastCounter is the TOTP time step of the last accepted code, so a
	// code is never accepted twice.
	LastCounter int64 `json:"lastCounter,omitempty"`
	Tags        []Tag `json:"tags,omitempty"`
}

// LoginProfile is a user's console password.
type LoginProfile struct {
	UserName string `json:"userName"`
	// PasswordHash is the encoded argon2id hash, never the password.
	PasswordHash          string    `json:"passwordHash"`
	CreateDate            time.Time `json:"createDate"`
	PasswordResetRequired bool      `json:"passwordResetRequired,omitempty"`
}

// UniqueIDRef points from an AWS unique id to the entity that holds it.
type UniqueIDRef struct {
	Account string `json:"account"`
	Kind    Kind   `json:"kind"`
	// Key is the entity's record key.
	Key string `json:"key"`
}
