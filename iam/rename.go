package iam

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/store"
)

// movePolicies moves an entity's inline policies and managed policy
// attachments (both directions) from its old name to its new one, for renames.
func movePolicies(ctx context.Context, tx store.Tx, account string, kind store.EntityKind, oldName, newName string) error {
	ips, err := store.ListValues[store.InlinePolicy](ctx, tx, store.ListOptions{Kind: store.KindInlinePolicy, Account: account, Prefix: store.InlinePolicyPrefix(kind, oldName)})
	if err != nil {
		return err
	}
	for _, ip := range ips {
		if err := tx.Delete(ctx, store.KindInlinePolicy, account, store.InlinePolicyKey(kind, oldName, ip.PolicyName)); err != nil {
			return err
		}
		ip.OwnerName = newName
		if err := store.PutJSON(ctx, tx, store.KindInlinePolicy, account, store.InlinePolicyKey(kind, newName, ip.PolicyName), ip); err != nil {
			return err
		}
	}
	atts, err := store.ListValues[store.Attachment](ctx, tx, store.ListOptions{Kind: store.KindAttachment, Account: account, Prefix: store.AttachmentPrefix(kind, oldName)})
	if err != nil {
		return err
	}
	for _, a := range atts {
		pacct, pname, _ := splitPolicyARN(a.PolicyARN)
		if err := tx.Delete(ctx, store.KindAttachment, account, store.AttachmentKey(kind, oldName, pacct, pname)); err != nil {
			return err
		}
		if err := tx.Delete(ctx, store.KindPolicyAttachment, account, store.PolicyAttachmentKey(pacct, pname, kind, oldName)); err != nil {
			return err
		}
		a.EntityName = newName
		if err := store.PutJSON(ctx, tx, store.KindAttachment, account, store.AttachmentKey(kind, newName, pacct, pname), a); err != nil {
			return err
		}
		if err := store.PutJSON(ctx, tx, store.KindPolicyAttachment, account, store.PolicyAttachmentKey(pacct, pname, kind, newName), a); err != nil {
			return err
		}
	}
	return nil
}
