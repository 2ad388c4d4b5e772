package decision

import (
	"strings"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// Vouched is the principal of a request in trusted mode (Request.Principal),
// parsed: who the API's caller vouches for, before Gatehouse looks it up.
type Vouched struct {
	// Type is PrincipalUser, PrincipalRoleSession or PrincipalRoot.
	Type policy.PrincipalType
	// Account is the principal's account.
	Account string
	// ARN is the principal's ARN as decisions name it: the user's or root
	// user's ARN as given, or the role session's assumed-role ARN.
	ARN string
	// Name is the user's or the role's name.
	Name string
	// RoleARN is the role's ARN when the request named the role by it
	// (with its path), "" when it gave an assumed-role ARN.
	RoleARN string
	// SessionName is the role session's name.
	SessionName string
}

// Vouched parses r.Principal: an IAM user's ARN, a role session's
// assumed-role ARN, a role's ARN with r.SessionName, or an account's root
// user's ARN. Anything else is a ValidationException; so is SessionName
// with anything but a role's ARN. A service-linked role is refused: AWS
// services alone use its sessions.
func (r *Request) Vouched() (Vouched, error) {
	p, ok := policy.PrincipalFromARN(r.Principal)
	if !ok || p.ServiceLinkedRole || (p.Type != policy.PrincipalUser && p.Type != policy.PrincipalRoleSession && p.Type != policy.PrincipalRoot) {
		return Vouched{}, invalid("principal must be the ARN of an IAM user, a role (with sessionName) or role session, or an account's root user.")
	}
	isRole := p.Type == policy.PrincipalRoleSession && p.ARN != r.Principal
	if r.SessionName != "" && !isRole {
		return Vouched{}, invalid("sessionName goes with a role's ARN only.")
	}
	v := Vouched{Type: p.Type, Account: p.Account, ARN: r.Principal}
	last := func(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }
	switch {
	case p.Type == policy.PrincipalUser:
		v.Name = last(r.Principal)
	case isRole:
		if r.SessionName == "" {
			return Vouched{}, invalid("sessionName is required with a role's ARN.")
		}
		v.Name, v.RoleARN, v.SessionName = last(r.Principal), r.Principal, r.SessionName
		partition := strings.SplitN(r.Principal, ":", 3)[1]
		v.ARN = "arn:" + partition + ":sts::" + p.Account + ":assumed-role/" + v.Name + "/" + v.SessionName
	case p.Type == policy.PrincipalRoleSession:
		v.Name, v.SessionName = last(p.RoleARN), last(r.Principal)
	}
	return v, nil
}
