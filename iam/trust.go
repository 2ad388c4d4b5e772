package iam

import (
	"context"
	"github.com/gatehouse-iam/gatehouse/arn"
	"strings"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// trustActions are the actions a role trust policy may name: the STS actions
// that act on a role ("sts:AssumeRole, sts:AssumeRoleWithSAML,
// sts:AssumeRoleWithWebIdentity", and the session actions AWS documents in
// trust policies: sts:TagSession (id_session-tags.md), sts:SetSourceIdentity
// (id_credentials_temp_control-access_monitor.md) and sts:SetContext (IAM
// Identity Center trusted identity propagation)).
var trustActions = []string{
	"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
	"sts:tagsession", "sts:setsourceidentity", "sts:setcontext",
}

// principalLookup reports whether the IAM user or role (kind "user" or
// "role") of account with that path and name exists. known is false when
// Gatehouse does not hold the account, so existence cannot be checked.
type principalLookup func(kind, account, path, name string) (known, exists bool, err error)

// checkTrustDocument applies the checks AWS makes of a role trust policy
// beyond its grammar (which policy.Parse with policy.KindTrust applies,
// "Missing required field Principal" included), statement by statement, with
// AWS's MalformedPolicyDocument messages:
//
//   - no Resource or NotResource: "Has prohibited field Resource" (AWS's
//     answer recorded in LocalStack's validated snapshot of
//     test_update_assume_role_policy_errors, and quoted in
//     github.com/devopsacademyau/academy/pull/1368);
//
//   - only the STS actions of trustActions (a wildcard must match one of
//     them): "AssumeRole policy may only specify STS AssumeRole actions."
//     (same snapshot);
//
//   - every IAM user and role ARN in an "AWS" principal names an existing
//     entity: AWS converts each to the entity's unique id when it stores the
//     policy, so an ARN that names nothing is refused, "Invalid principal in
//     policy: "AWS":"arn:aws:iam::959325414060:role/bk-1588-092-a-eks-nodes""
//     (github.com/opstrace/opstrace/issues/88,
//     github.com/hashicorp/terraform-provider-aws/issues/8905). A role cannot
//     trust itself by ARN in CreateRole, since it does not exist yet
//     (github.com/aws-samples/aws-secure-environment-accelerator/issues/1136).
//
//   - every SAML provider ARN in a "Federated" principal names an existing
//     provider: "MalformedPolicyDocument: Federated principals must be valid
//     domain names or SAML metadata ARNs", AWS's answer for a federated
//     principal naming no provider (terraform-aws-modules/terraform-aws-iam#202).
//
// Principals of accounts Gatehouse does not hold cannot be checked and are
// accepted: AWS, which knows every account, would check them. Account ids,
// account root ARNs, STS session ARNs, services and OpenID Connect providers
// are not checked.
func checkTrustDocument(d *policy.Document, lookup principalLookup) error {
	for _, st := range d.Statements {
		if st.Resources != nil {
			field := "Resource"
			if st.NotResource {
				field = "NotResource"
			}
			return awserr.MalformedPolicyDocument("Has prohibited field %s", field)
		}
		if !st.NotAction {
			for _, a := range st.Actions {
				if !isTrustAction(a) {
					return awserr.MalformedPolicyDocument("AssumeRole policy may only specify STS AssumeRole actions.")
				}
			}
		}
		if st.Principal == nil {
			continue
		}
		for _, p := range st.Principal.Federated {
			account, name, ok := samlProviderARN(p)
			if !ok {
				continue
			}
			known, exists, err := lookup("saml-provider", account, "", name)
			if err != nil {
				return err
			}
			if known && !exists {
				return awserr.MalformedPolicyDocument("Federated principals must be valid domain names or SAML metadata ARNs")
			}
		}
		for _, p := range st.Principal.AWS {
			kind, account, path, name, ok := arn.SplitEntity(p)
			if !ok {
				continue
			}
			known, exists, err := lookup(kind, account, path, name)
			if err != nil {
				return err
			}
			if known && !exists {
				return awserr.MalformedPolicyDocument("Invalid principal in policy: \"AWS\":\"%s\"", p)
			}
		}
	}
	return nil
}

// samlProviderARN splits arn:aws:iam::ACCOUNT:saml-provider/NAME.
func samlProviderARN(s string) (account, name string, ok bool) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" || !store.IsAccountID(a.Account) {
		return "", "", false
	}
	name, ok = strings.CutPrefix(a.Resource, "saml-provider/")
	return a.Account, name, ok && name != ""
}

// isTrustAction reports whether a trust policy may name action: an STS action
// of trustActions, or a pattern of the sts prefix that matches one.
func isTrustAction(action string) bool {
	a := strings.ToLower(action)
	if !strings.HasPrefix(a, "sts:") {
		return false
	}
	for _, t := range trustActions {
		if wildcard.MatchFold(a, t) {
			return true
		}
	}
	return false
}

// checkTrustPrincipals validates a parsed trust policy against the store: the
// users and roles it names must exist in the accounts Gatehouse holds.
func checkTrustPrincipals(ctx context.Context, tx store.ReadTx, d *policy.Document) error {
	return checkTrustDocument(d, func(kind, account, path, name string) (bool, bool, error) {
		if _, err := store.GetJSON[store.Account](ctx, tx, store.KindAccount, "", account); err != nil {
			if isNotFound(err) {
				return false, false, nil
			}
			return false, false, err
		}
		var p string
		var err error
		switch kind {
		case "saml-provider":
			_, err = store.GetJSON[store.SAMLProvider](ctx, tx, store.KindSAMLProvider, account, store.SAMLProviderKey(name))
		case "user":
			var u store.User
			u, err = store.GetJSON[store.User](ctx, tx, store.KindUser, account, store.UserKey(name))
			p = u.Path
		default:
			var r store.Role
			r, err = store.GetJSON[store.Role](ctx, tx, store.KindRole, account, store.RoleKey(name))
			p = r.Path
		}
		if isNotFound(err) {
			return true, false, nil
		}
		if err != nil {
			return true, false, err
		}
		// The ARN names the entity with its path; another path is another ARN.
		return true, p == path, nil
	})
}
