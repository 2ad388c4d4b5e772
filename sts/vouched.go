package sts

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/session"
)

// VouchedRoleSession returns the session of a role that another service
// vouches for — it authenticated the principal itself and asks Gatehouse's
// decision API for a decision (gatehouse:AuthorizePrincipal) — so that the
// session is identified (Identify) and decided (Policies) like one obtained
// with AssumeRole without session policies or session tags. The session has
// no credentials and is never sealed. A role that does not exist is
// NoSuchEntity.
func (s *Service) VouchedRoleSession(ctx context.Context, account, roleName, sessionName string) (*session.Session, error) {
	r, err := s.role(ctx, account, roleName)
	if err != nil {
		if ae, ok := err.(*awserr.Error); ok && ae.Code == awserr.CodeInvalidClientTokenID {
			return nil, awserr.NoSuchEntity("The role with name %s cannot be found.", roleName)
		}
		return nil, err
	}
	now := s.now()
	return &session.Session{Account: account, Kind: session.KindRole, RoleARN: r.ARN, RoleName: r.Name, RoleID: r.ID,
		Name: sessionName, IssuedAt: now, Expiration: now}, nil
}
