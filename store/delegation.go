package store

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// IAM temporary delegation (access_policies-temporary-delegation.html): a
// partner account creates a delegation request, a customer associates,
// accepts and releases it, and the partner trades the token it is sent for
// temporary credentials with STS. The IAM service writes these records and
// STS reads and completes them, so they live here.
const (
	// KindDelegationPartner: global; the accounts onboarded as partners
	// (`gatehouse admin delegation-partner`); key = account id; value
	// [DelegationPartner].
	KindDelegationPartner Kind = "delegation-partner"
	// KindDelegationRequest: global, as a request is read by its partner
	// and by any account until it is owned; key = request id; value
	// [DelegationRequest].
	KindDelegationRequest Kind = "delegation-request"
	// KindDelegationWorkflow: global index of the partners' workflow ids,
	// which IAM keeps unique per partner; key [DelegationWorkflowKey];
	// value = the request id (a JSON string).
	KindDelegationWorkflow Kind = "delegation-workflow"
	// KindOwnedDelegationRequest: the requests an account owns, in the
	// owner account (ListDelegationRequests); key = request id; value =
	// the request id (a JSON string).
	KindOwnedDelegationRequest Kind = "delegation-owned"
	// KindDelegationToken: global index of released trade-in tokens by
	// their SHA-256, until exchanged; key [DelegationTokenKey]; value =
	// the request id (a JSON string). The token itself is never stored.
	KindDelegationToken Kind = "delegation-token"
)

// DelegationPartner is an account onboarded for temporary delegation.
type DelegationPartner struct {
	Account string `json:"account"`
	// Name is the requestor name customers see (at most 30 characters).
	Name string `json:"name"`
	// Endpoint is the HTTP(S) endpoint the partner's notification channel
	// (SNS topic) is delivered to.
	Endpoint string `json:"endpoint"`
	// Templates are the partner's registered policy templates.
	Templates []DelegationTemplate `json:"templates,omitempty"`
}

// DelegationTemplate is a registered policy template: a policy document with
// @{name} parameters.
type DelegationTemplate struct {
	ARN      string `json:"arn"`
	Document string `json:"document"`
}

// DelegationParameter is a policy parameter of a request.
type DelegationParameter struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
	Type   string   `json:"type,omitempty"`
}

// DelegationPrincipal is the identity that accepted a request: the principal
// the delegated credentials act as.
type DelegationPrincipal struct {
	// Type is "user", "role" or "root".
	Type    string `json:"type"`
	Account string `json:"account"`
	ARN     string `json:"arn"`
	// UserName is the IAM user (Type "user").
	UserName string `json:"userName,omitempty"`
	// RoleName, RoleID and SessionName identify the role session (Type
	// "role").
	RoleName    string `json:"roleName,omitempty"`
	RoleID      string `json:"roleId,omitempty"`
	SessionName string `json:"sessionName,omitempty"`
}

// DelegationRequest is an IAM delegation request.
type DelegationRequest struct {
	ID               string                `json:"id"`
	RequestorAccount string                `json:"requestor"`
	RequestorName    string                `json:"requestorName"`
	OwnerAccount     string                `json:"ownerAccount,omitempty"`
	OwnerID          string                `json:"ownerId,omitempty"`
	ApproverID       string                `json:"approverId,omitempty"`
	Description      string                `json:"description"`
	RequestMessage   string                `json:"requestMessage,omitempty"`
	TemplateARN      string                `json:"templateArn,omitempty"`
	Parameters       []DelegationParameter `json:"parameters,omitempty"`
	// PermissionPolicy is the template rendered with the parameters.
	PermissionPolicy    string    `json:"permissionPolicy"`
	WorkflowID          string    `json:"workflowId"`
	RedirectURL         string    `json:"redirectUrl,omitempty"`
	NotificationChannel string    `json:"notificationChannel"`
	SessionDuration     int32     `json:"sessionDuration"`
	OnlySendByOwner     bool      `json:"onlySendByOwner,omitempty"`
	State               string    `json:"state"`
	Notes               string    `json:"notes,omitempty"`
	RejectionReason     string    `json:"rejectionReason,omitempty"`
	CreateDate          time.Time `json:"createDate"`
	UpdatedTime         time.Time `json:"updatedTime"`
	Expiration          time.Time `json:"expiration"`
	// Accepted is the principal recorded at acceptance.
	Accepted *DelegationPrincipal `json:"accepted,omitempty"`
	// TokenHash is the SHA-256 of the released trade-in token; TokenUsed
	// reports that it was exchanged (tokens are single use).
	TokenHash []byte `json:"tokenHash,omitempty"`
	TokenUsed bool   `json:"tokenUsed,omitempty"`
}

// DelegationWorkflowKey is the key of a partner's workflow id.
func DelegationWorkflowKey(requestor, workflowID string) string {
	return requestor + "/" + workflowID
}

// DelegationTokenHash is the SHA-256 of a trade-in token.
func DelegationTokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// DelegationTokenKey is the index key of a trade-in token's hash.
func DelegationTokenKey(hash []byte) string { return hex.EncodeToString(hash) }
