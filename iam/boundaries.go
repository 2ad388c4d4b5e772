package iam

import (
	"context"
	"strings"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/store"
)

// checkBoundaryPolicy checks that arn names an existing managed policy that can
// serve as a permissions boundary.
func (s *Service) checkBoundaryPolicy(ctx context.Context, tx store.ReadTx, account, arn string) error {
	if strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
		if _, ok := s.managed.Policy(arn); ok {
			return nil
		}
		return awserr.InvalidInput("ARN %s is not valid.", arn)
	}
	pacct, name, ok := splitPolicyARN(arn)
	if !ok {
		return awserr.InvalidInput("ARN %s is not valid.", arn)
	}
	if pacct != account {
		return awserr.NoSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	if _, err := tx.Get(ctx, store.KindPolicy, pacct, store.PolicyKey(name)); err != nil {
		if isNotFound(err) {
			return awserr.NoSuchEntity("Policy %s does not exist or is not attachable.", arn)
		}
		return err
	}
	return nil
}

// adjustBoundaryUsage changes a customer managed policy's count of entities using
// it as a permissions boundary. AWS managed policies keep no count here.
func (s *Service) adjustBoundaryUsage(ctx context.Context, tx store.Tx, arn string, delta int) error {
	pacct, name, ok := splitPolicyARN(arn)
	if !ok || pacct == store.AWSAccount {
		return nil
	}
	mp, err := store.GetJSON[store.ManagedPolicy](ctx, tx, store.KindPolicy, pacct, store.PolicyKey(name))
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	mp.PermissionsBoundaryUsageCount = max(0, mp.PermissionsBoundaryUsageCount+delta)
	return store.PutJSON(ctx, tx, store.KindPolicy, pacct, store.PolicyKey(name), mp)
}

// splitPolicyARN returns the account and name of arn:aws:iam::ACCOUNT:policy/path/NAME.
func splitPolicyARN(arn string) (account, name string, ok bool) {
	const prefix = "arn:aws:iam::"
	if !strings.HasPrefix(arn, prefix) {
		return "", "", false
	}
	account, res, ok := strings.Cut(arn[len(prefix):], ":")
	if !ok || !strings.HasPrefix(res, "policy/") || strings.HasSuffix(res, "/") {
		return "", "", false
	}
	return account, res[strings.LastIndexByte(res, '/')+1:], true
}
