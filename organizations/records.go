package organizations

import (
	"context"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/store"
)

// Store kinds of the organization records. All are global (Account ""): an
// organization spans accounts, and authorization finds a member account's
// organization with one read.
const (
	// kindOrg: key = organization id; value orgRecord.
	kindOrg store.Kind = "org"
	// kindOrgRoot: key = root id; value rootRecord.
	kindOrgRoot store.Kind = "org-root"
	// kindOrgUnit: key = OU id; value unitRecord.
	kindOrgUnit store.Kind = "org-ou"
	// kindOrgAccount: key = account id; value memberRecord (the management
	// account included). An account belongs to at most one organization.
	kindOrgAccount store.Kind = "org-account"
	// kindOrgPolicy: key = organization id/policy id; value policyRecord.
	kindOrgPolicy store.Kind = "org-policy"
	// kindOrgAttachment: policies by target; key = org/target/policy;
	// value attachmentRecord. Written with kindOrgTarget.
	kindOrgAttachment store.Kind = "org-attachment"
	// kindOrgTarget: the same attachments by policy; key = org/policy/target.
	kindOrgTarget store.Kind = "org-policy-target"
	// kindOrgCreateAccount: key = create account request id; value carRecord.
	kindOrgCreateAccount store.Kind = "org-create-account"
	// kindOrgServiceAccess: services with trusted access; key =
	// org/service principal; value serviceAccessRecord.
	kindOrgServiceAccess store.Kind = "org-service-access"
	// kindOrgDelegatedAdmin: delegated administrators; key =
	// org/account/service principal; value delegationRecord.
	kindOrgDelegatedAdmin store.Kind = "org-delegated-admin"
	// kindOrgResourcePolicy: the organization's resource policy; key =
	// resourcePolicyKey(org); value resourcePolicyRecord.
	kindOrgResourcePolicy store.Kind = "org-resource-policy"
	// kindOrgHandshake: handshakes; key = org/handshake id; value
	// handshakeRecord.
	kindOrgHandshake store.Kind = "org-handshake"
	// kindOrgTransfer: responsibility transfers between two management
	// accounts; key = transfer id; value transferRecord.
	kindOrgTransfer store.Kind = "org-transfer"
)

// orgKinds are the kinds whose keys begin with the organization's id and a
// slash; DeleteOrganization deletes them by that prefix.
var orgKinds = []store.Kind{kindOrgPolicy, kindOrgAttachment, kindOrgTarget, kindOrgServiceAccess, kindOrgDelegatedAdmin, kindOrgResourcePolicy, kindOrgHandshake, kindOrgRootAccess}

type serviceAccessRecord struct {
	Principal string    `json:"principal"`
	Enabled   time.Time `json:"enabled"`
}

type delegationRecord struct {
	AccountID string    `json:"accountId"`
	Principal string    `json:"principal"`
	Enabled   time.Time `json:"enabled"`
}

type resourcePolicyRecord struct {
	ID      string      `json:"id"`
	ARN     string      `json:"arn"`
	Content string      `json:"content"`
	Tags    []store.Tag `json:"tags,omitempty"`
}

type handshakeRecord struct {
	ID        string    `json:"id"`
	ARN       string    `json:"arn"`
	Action    string    `json:"action"`
	State     string    `json:"state"`
	Requested time.Time `json:"requested"`
	Expires   time.Time `json:"expires"`
	// Changed is when the handshake left OPEN (accepted, declined,
	// canceled); lists show it for 30 days after.
	Changed time.Time `json:"changed,omitzero"`
	// The fields below are an INVITE's: the organization and its
	// management account as they were when it was sent, the invited party
	// as the sender named it (TargetType ACCOUNT or EMAIL), the notes, and
	// the tags the account gets when it joins.
	OrgID       string      `json:"orgId,omitempty"`
	MasterEmail string      `json:"masterEmail,omitempty"`
	MasterName  string      `json:"masterName,omitempty"`
	FeatureSet  string      `json:"featureSet,omitempty"`
	TargetType  string      `json:"targetType,omitempty"`
	TargetID    string      `json:"targetId,omitempty"`
	Notes       string      `json:"notes,omitempty"`
	Tags        []store.Tag `json:"tags,omitempty"`
	// TransferID is a TRANSFER_RESPONSIBILITY handshake's transfer.
	TransferID string `json:"transferId,omitempty"`
	// ParentID is the parent handshake of a member's ENABLE_ALL_FEATURES
	// and of APPROVE_ALL_FEATURES (approvals.go).
	ParentID string `json:"parentId,omitempty"`
	// TransferStart is when the transfer's responsibility begins.
	TransferStart time.Time `json:"transferStart,omitzero"`
}

type orgRecord struct {
	ID                 string    `json:"id"`
	ARN                string    `json:"arn"`
	FeatureSet         string    `json:"featureSet"`
	MasterAccountID    string    `json:"masterAccountId"`
	MasterAccountEmail string    `json:"masterAccountEmail,omitempty"`
	RootID             string    `json:"rootId"`
	CreateDate         time.Time `json:"createDate"`
}

// policyTypeState is a policy type's status in a root.
type policyTypeState struct {
	Type   string `json:"type"`
	Status string `json:"status"`
}

type rootRecord struct {
	ID          string            `json:"id"`
	ARN         string            `json:"arn"`
	Name        string            `json:"name"`
	OrgID       string            `json:"orgId"`
	PolicyTypes []policyTypeState `json:"policyTypes,omitempty"`
	Tags        []store.Tag       `json:"tags,omitempty"`
}

type unitRecord struct {
	ID       string      `json:"id"`
	ARN      string      `json:"arn"`
	Name     string      `json:"name"`
	OrgID    string      `json:"orgId"`
	ParentID string      `json:"parentId"`
	Tags     []store.Tag `json:"tags,omitempty"`
}

type memberRecord struct {
	AccountID    string      `json:"accountId"`
	ARN          string      `json:"arn"`
	Name         string      `json:"name"`
	Email        string      `json:"email"`
	OrgID        string      `json:"orgId"`
	ParentID     string      `json:"parentId"`
	Status       string      `json:"status"`
	JoinedMethod string      `json:"joinedMethod"`
	Joined       time.Time   `json:"joined"`
	Tags         []store.Tag `json:"tags,omitempty"`
}

type policyRecord struct {
	ID          string      `json:"id"`
	ARN         string      `json:"arn"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Type        string      `json:"type"`
	Content     string      `json:"content"`
	OrgID       string      `json:"orgId"`
	AWSManaged  bool        `json:"awsManaged,omitempty"`
	Tags        []store.Tag `json:"tags,omitempty"`
}

type attachmentRecord struct {
	PolicyID   string `json:"policyId"`
	PolicyType string `json:"policyType"`
	TargetID   string `json:"targetId"`
	TargetType string `json:"targetType"`
}

type carRecord struct {
	ID            string    `json:"id"`
	OrgID         string    `json:"orgId"`
	AccountName   string    `json:"accountName"`
	AccountID     string    `json:"accountId,omitempty"`
	State         string    `json:"state"`
	FailureReason string    `json:"failureReason,omitempty"`
	Requested     time.Time `json:"requested"`
	Completed     time.Time `json:"completed,omitzero"`
}

func attachmentKey(org, target, policy string) string { return org + "/" + target + "/" + policy }
func targetKey(org, policy, target string) string     { return org + "/" + policy + "/" + target }
func policyKey(org, policy string) string             { return org + "/" + policy }
func serviceAccessKey(org, principal string) string   { return org + "/" + principal }
func delegationKey(org, account, principal string) string {
	return org + "/" + account + "/" + principal
}
func resourcePolicyKey(org string) string { return org + "/policy" }

// Policy types Gatehouse supports, and the AWS managed policy of each.
const (
	typeSCP = "SERVICE_CONTROL_POLICY"
	typeRCP = "RESOURCE_CONTROL_POLICY"
)

// policyTypeLimits are a policy type's maximum document size in characters
// and policies of the type attached per root, OU or account.
type policyTypeLimits struct {
	size, perTarget int
}

// policyTypes are the policy types of the API's PolicyType enum with their
// quotas: sizes from the Content parameter of AWS::Organizations::Policy
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-organizations-policy.html)
// and per-target counts from the User Guide, "Managing organization
// policies" (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies.html):
// SCPs, RCPs and AI services opt-out policies 5, backup and tag policies 10.
// The types those pages leave out (S3, network security director) and the
// per-target counts of the newer types take the common 10,000 characters and
// 10 policies: not found in AWS docs.
var policyTypes = map[string]policyTypeLimits{
	typeSCP:                            {5120, 5},
	typeRCP:                            {5120, 5},
	"TAG_POLICY":                       {10000, 10},
	"BACKUP_POLICY":                    {10000, 10},
	"AISERVICES_OPT_OUT_POLICY":        {2500, 5},
	"CHATBOT_POLICY":                   {10000, 10},
	"DECLARATIVE_POLICY_EC2":           {10000, 10},
	"SECURITYHUB_POLICY":               {10000, 10},
	"INSPECTOR_POLICY":                 {10000, 10},
	"UPGRADE_ROLLOUT_POLICY":           {10000, 10},
	"BEDROCK_POLICY":                   {10000, 10},
	"S3_POLICY":                        {10000, 10},
	"NETWORK_SECURITY_DIRECTOR_POLICY": {10000, 10},
}

// isAuthorization reports whether typ is an authorization policy type (SCP
// or RCP): the only types IAM evaluation reads, and the only ones with an
// AWS managed policy every target must keep.
func isAuthorization(typ string) bool { return typ == typeSCP || typ == typeRCP }

// awsPolicies are the AWS managed policies attached by default when their
// type is enabled. Their content and description are AWS's.
var awsPolicies = map[string]policyRecord{
	typeSCP: {
		ID: "p-FullAWSAccess", Name: "FullAWSAccess", Description: "Allows access to every operation", Type: typeSCP, AWSManaged: true,
		ARN:     "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
		Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	},
	typeRCP: {
		ID: "p-RCPFullAWSAccess", Name: "RCPFullAWSAccess", Description: "Allows access to every operation", Type: typeRCP, AWSManaged: true,
		ARN:     "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess",
		Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`,
	},
}

// awsPolicyByID returns an AWS managed policy by id.
func awsPolicyByID(id string) (policyRecord, bool) {
	for _, p := range awsPolicies {
		if p.ID == id {
			return p, true
		}
	}
	return policyRecord{}, false
}

// ARNs as AWS forms them.
func orgARN(mgmt, org string) string {
	return "arn:aws:organizations::" + mgmt + ":organization/" + org
}
func rootARN(mgmt, org, root string) string {
	return "arn:aws:organizations::" + mgmt + ":root/" + org + "/" + root
}
func unitARN(mgmt, org, ou string) string {
	return "arn:aws:organizations::" + mgmt + ":ou/" + org + "/" + ou
}
func accountARN(mgmt, org, account string) string {
	return "arn:aws:organizations::" + mgmt + ":account/" + org + "/" + account
}
func policyARN(mgmt, org, typ, id string) string {
	return "arn:aws:organizations::" + mgmt + ":policy/" + org + "/" + strings.ToLower(typ) + "/" + id
}

// orgOf returns the organization the caller's account belongs to, and the
// caller's membership, or AWSOrganizationsNotInUseException.
func orgOf(ctx context.Context, tx store.ReadTx, account string) (orgRecord, memberRecord, error) {
	m, err := store.GetJSON[memberRecord](ctx, tx, kindOrgAccount, "", account)
	if isNotFound(err) {
		return orgRecord{}, m, notInUse()
	}
	if err != nil {
		return orgRecord{}, m, err
	}
	o, err := store.GetJSON[orgRecord](ctx, tx, kindOrg, "", m.OrgID)
	if isNotFound(err) {
		return o, m, notInUse()
	}
	return o, m, err
}

// managedOrg returns the caller's organization when the caller's account is
// its management account, or a member account that the running operation
// (operationOf) is open to (grantOf); other member accounts get
// AccessDeniedException, as on AWS.
func managedOrg(ctx context.Context, tx store.ReadTx, account string) (orgRecord, error) {
	o, _, err := orgOf(ctx, tx, account)
	if err != nil {
		return o, err
	}
	if o.MasterAccountID != account {
		g, _, err := grantOf(ctx, tx, o, account, operationOf(ctx))
		if err != nil {
			return o, err
		}
		if g == grantNone {
			return o, accessDenied()
		}
	}
	return o, nil
}

// managementOnly returns the caller's organization when the caller's
// account is its management account, whatever the operation.
func managementOnly(ctx context.Context, tx store.ReadTx, account string) (orgRecord, error) {
	o, _, err := orgOf(ctx, tx, account)
	if err != nil {
		return o, err
	}
	if o.MasterAccountID != account {
		return o, accessDenied()
	}
	return o, nil
}

func getRoot(ctx context.Context, tx store.ReadTx, o orgRecord) (rootRecord, error) {
	return store.GetJSON[rootRecord](ctx, tx, kindOrgRoot, "", o.RootID)
}

// target is a root, OU or account of the organization.
type target struct {
	ID   string
	Type string // ROOT, ORGANIZATIONAL_UNIT, ACCOUNT
	ARN  string
	Name string
	// Parent is the parent's id ("" for the root).
	Parent string
	Tags   []store.Tag
}

// findTarget finds a root, OU or account of organization o by id; nf is the
// error for an id that names none.
func findTarget(ctx context.Context, tx store.ReadTx, o orgRecord, id string, nf error) (target, error) {
	switch {
	case strings.HasPrefix(id, "r-"):
		if id != o.RootID {
			return target{}, nf
		}
		r, err := getRoot(ctx, tx, o)
		if err != nil {
			return target{}, err
		}
		return target{ID: r.ID, Type: "ROOT", ARN: r.ARN, Name: r.Name, Tags: r.Tags}, nil
	case strings.HasPrefix(id, "ou-"):
		u, err := store.GetJSON[unitRecord](ctx, tx, kindOrgUnit, "", id)
		if isNotFound(err) || (err == nil && u.OrgID != o.ID) {
			return target{}, nf
		}
		if err != nil {
			return target{}, err
		}
		return target{ID: u.ID, Type: "ORGANIZATIONAL_UNIT", ARN: u.ARN, Name: u.Name, Parent: u.ParentID, Tags: u.Tags}, nil
	case store.IsAccountID(id):
		m, err := store.GetJSON[memberRecord](ctx, tx, kindOrgAccount, "", id)
		if isNotFound(err) || (err == nil && m.OrgID != o.ID) {
			return target{}, nf
		}
		if err != nil {
			return target{}, err
		}
		return target{ID: m.AccountID, Type: "ACCOUNT", ARN: m.ARN, Name: m.Name, Parent: m.ParentID, Tags: m.Tags}, nil
	}
	return target{}, nf
}

// members lists the organization's accounts.
func members(ctx context.Context, tx store.ReadTx, org string) ([]memberRecord, error) {
	all, err := store.ListValues[memberRecord](ctx, tx, store.ListOptions{Kind: kindOrgAccount})
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, m := range all {
		if m.OrgID == org {
			out = append(out, m)
		}
	}
	return out, nil
}

// units lists the organization's OUs.
func units(ctx context.Context, tx store.ReadTx, org string) ([]unitRecord, error) {
	all, err := store.ListValues[unitRecord](ctx, tx, store.ListOptions{Kind: kindOrgUnit})
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, u := range all {
		if u.OrgID == org {
			out = append(out, u)
		}
	}
	return out, nil
}

// typeEnabled reports whether policy type typ is enabled in the root.
func (r rootRecord) typeEnabled(typ string) bool {
	for _, t := range r.PolicyTypes {
		if t.Type == typ && t.Status == "ENABLED" {
			return true
		}
	}
	return false
}

// attach writes an attachment in both directions.
func attach(ctx context.Context, tx store.Tx, org string, a attachmentRecord) error {
	if err := store.PutJSON(ctx, tx, kindOrgAttachment, "", attachmentKey(org, a.TargetID, a.PolicyID), a); err != nil {
		return err
	}
	return store.PutJSON(ctx, tx, kindOrgTarget, "", targetKey(org, a.PolicyID, a.TargetID), a)
}

// detach removes an attachment in both directions.
func detach(ctx context.Context, tx store.Tx, org, targetID, policyID string) error {
	if err := tx.Delete(ctx, kindOrgAttachment, "", attachmentKey(org, targetID, policyID)); err != nil {
		return err
	}
	if err := tx.Delete(ctx, kindOrgTarget, "", targetKey(org, policyID, targetID)); err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

// attachedTo lists the policies attached to a target.
func attachedTo(ctx context.Context, tx store.ReadTx, org, targetID string) ([]attachmentRecord, error) {
	return store.ListValues[attachmentRecord](ctx, tx, store.ListOptions{Kind: kindOrgAttachment, Prefix: org + "/" + targetID + "/"})
}

// targetsOf lists the targets a policy is attached to.
func targetsOf(ctx context.Context, tx store.ReadTx, org, policyID string) ([]attachmentRecord, error) {
	return store.ListValues[attachmentRecord](ctx, tx, store.ListOptions{Kind: kindOrgTarget, Prefix: org + "/" + policyID + "/"})
}

// detachAll removes every attachment of a target (when it leaves).
func detachAll(ctx context.Context, tx store.Tx, org, targetID string) error {
	atts, err := attachedTo(ctx, tx, org, targetID)
	if err != nil {
		return err
	}
	for _, a := range atts {
		if err := detach(ctx, tx, org, targetID, a.PolicyID); err != nil {
			return err
		}
	}
	return nil
}

// attachDefaults attaches the AWS managed policy of every enabled type to a
// new OU or account, as AWS does.
func attachDefaults(ctx context.Context, tx store.Tx, org string, root rootRecord, targetID, targetType string) error {
	for _, typ := range []string{typeSCP, typeRCP} {
		if !root.typeEnabled(typ) {
			continue
		}
		if err := attach(ctx, tx, org, attachmentRecord{PolicyID: awsPolicies[typ].ID, PolicyType: typ, TargetID: targetID, TargetType: targetType}); err != nil {
			return err
		}
	}
	return nil
}

// getPolicy returns a policy of organization org (AWS managed ones included).
func getPolicy(ctx context.Context, tx store.ReadTx, org, id string) (policyRecord, error) {
	if p, ok := awsPolicyByID(id); ok {
		return p, nil
	}
	p, err := store.GetJSON[policyRecord](ctx, tx, kindOrgPolicy, "", policyKey(org, id))
	if isNotFound(err) {
		return p, orgErr("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.")
	}
	return p, err
}
