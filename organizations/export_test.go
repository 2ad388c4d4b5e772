package organizations

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/store"
)

// PutManagementPolicyForTest enables management policy type typ in the
// organization's root (EnablePolicyType serves SCPs and RCPs only) and
// attaches a policy of that type with content to target, so the effective
// policy operations can be tested end to end.
func PutManagementPolicyForTest(ctx context.Context, st store.Store, orgID, typ, policyID, content, target, targetType string) error {
	return st.Update(ctx, func(tx store.Tx) error {
		o, err := store.GetJSON[orgRecord](ctx, tx, kindOrg, "", orgID)
		if err != nil {
			return err
		}
		root, err := getRoot(ctx, tx, o)
		if err != nil {
			return err
		}
		if !root.typeEnabled(typ) {
			root.PolicyTypes = append(root.PolicyTypes, policyTypeState{Type: typ, Status: "ENABLED"})
			if err := store.PutJSON(ctx, tx, kindOrgRoot, "", root.ID, root); err != nil {
				return err
			}
		}
		p := policyRecord{ID: policyID, ARN: policyARN(o.MasterAccountID, o.ID, typ, policyID), Name: policyID, Type: typ, Content: content, OrgID: o.ID}
		if err := store.PutJSON(ctx, tx, kindOrgPolicy, "", policyKey(o.ID, policyID), p); err != nil {
			return err
		}
		return attach(ctx, tx, o.ID, attachmentRecord{PolicyID: policyID, PolicyType: typ, TargetID: target, TargetType: targetType})
	})
}
