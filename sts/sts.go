// Package sts is the AWS Security Token Service: GetCallerIdentity now;
// temporary credentials (AssumeRole, GetSessionToken, …) are issue #4. Like the
// IAM service it speaks the generated api/stsapi types and *awserr.Error.
package sts

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
)

// Service implements the STS operations.
type Service struct{}

// New returns the service.
func New() *Service { return &Service{} }

// Ops returns the operation table, keyed by operation name.
func (s *Service) Ops() map[string]operation.Op {
	ops := []operation.Op{
		// GetCallerIdentity needs no permission: AWS answers it for every valid
		// caller, even one with an explicit deny on it.
		operation.New("GetCallerIdentity", func(ctx context.Context, c *identity.Caller, in *stsapi.GetCallerIdentityRequest) (operation.Authz, error) {
			return operation.Authz{Skip: true}, nil
		}, s.getCallerIdentity),
	}
	m := make(map[string]operation.Op, len(ops))
	for _, o := range ops {
		m[o.Name] = o
	}
	return m
}

func (s *Service) getCallerIdentity(ctx context.Context, c *identity.Caller, in *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	arn, acct, id := c.ARN(), c.Account, c.UserID
	return &stsapi.GetCallerIdentityResponse{UserId: &id, Account: &acct, Arn: &arn}, nil
}
