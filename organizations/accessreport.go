package organizations

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
)

// ReportScope is what one of IAM's Organizations access reports covers
// (GenerateOrganizationsAccessReport): the service control policies whose
// allowed services it lists and the accounts whose activity it reads.
type ReportScope struct {
	// OrgID is the organization's id.
	OrgID string
	// Management reports that the entity path names the management
	// account, which no SCP limits: the report lists every service, and
	// the policy id, if any, is ignored.
	Management bool
	// SCP holds the levels of service control policies a service must be
	// allowed by, root first; with a policy id, one level holding that
	// policy. Empty when Management.
	SCP [][]*policy.Policy
	// Accounts are the accounts whose activity the report reads, each
	// with its entity path, ordered by path: those under the entity (the
	// management account excepted, unless it is the entity), and with a
	// policy id only those the policy applies to.
	Accounts []ReportAccount
}

// ReportAccount is an account of a report and its entity path
// ("o-id/r-id/ou-id/.../account/").
type ReportAccount struct {
	ID   string
	Path string
}

// Reasons ReportScope refuses a report; IAM words them as its errors.
var (
	// ErrNotManagement: the caller's account is not the management account
	// of an organization.
	ErrNotManagement = errors.New("the caller is not an organization's management account")
	// ErrSCPsDisabled: service control policies are not enabled in the
	// organization's root.
	ErrSCPsDisabled = errors.New("service control policies are not enabled")
	// ErrEntityPath: the entity path names no root, OU or account of the
	// organization.
	ErrEntityPath = errors.New("the entity path names no entity of the organization")
	// ErrPolicyID: the policy id names no service control policy of the
	// organization.
	ErrPolicyID = errors.New("the policy id names no service control policy")
)

// ReportScope resolves an entity path ("o-id/r-id[/ou-id...][/account]",
// with or without a final slash) and an optional SCP id ("" for none) of
// the organization account manages.
func (s *Service) ReportScope(ctx context.Context, account, entityPath, policyID string) (*ReportScope, error) {
	var out *ReportScope
	err := s.st.View(ctx, func(tx store.ReadTx) error {
		o, _, err := orgOf(ctx, tx, account)
		if _, ok := isAWS(err); ok || (err == nil && o.MasterAccountID != account) {
			return ErrNotManagement
		}
		if err != nil {
			return err
		}
		root, err := getRoot(ctx, tx, o)
		if err != nil {
			return err
		}
		if !root.typeEnabled(typeSCP) {
			return ErrSCPsDisabled
		}
		chain, err := resolvePath(ctx, tx, o, entityPath)
		if err != nil {
			return err
		}
		out = &ReportScope{OrgID: o.ID}
		last := chain[len(chain)-1]
		if last == o.MasterAccountID {
			out.Management = true
			out.Accounts = []ReportAccount{{ID: last, Path: pathOf(o, chain)}}
			return nil
		}
		var only map[string]bool
		if policyID != "" {
			p, err := getPolicy(ctx, tx, o.ID, policyID)
			if _, ok := isAWS(err); ok || (err == nil && p.Type != typeSCP) {
				return ErrPolicyID
			}
			if err != nil {
				return err
			}
			cp, err := s.dir.Compile(p.ARN, p.Content, policy.KindSCP)
			if err != nil {
				return fmt.Errorf("policy %s: %w", p.ID, err)
			}
			out.SCP = [][]*policy.Policy{{cp}}
			atts, err := targetsOf(ctx, tx, o.ID, policyID)
			if err != nil {
				return err
			}
			only = map[string]bool{}
			for _, a := range atts {
				only[a.TargetID] = true
			}
		} else {
			for _, id := range chain {
				level, err := s.levelOf(ctx, tx, o, id)
				if err != nil {
					return err
				}
				out.SCP = append(out.SCP, level)
			}
		}
		out.Accounts, err = accountsUnder(ctx, tx, o, chain, only)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("organizations: report scope of %s: %w", entityPath, err)
	}
	return out, nil
}

// levelOf compiles the service control policies attached to one target.
func (s *Service) levelOf(ctx context.Context, tx store.ReadTx, o orgRecord, id string) ([]*policy.Policy, error) {
	atts, err := attachedTo(ctx, tx, o.ID, id)
	if err != nil {
		return nil, err
	}
	level := []*policy.Policy{}
	for _, a := range atts {
		if a.PolicyType != typeSCP {
			continue
		}
		p, err := getPolicy(ctx, tx, o.ID, a.PolicyID)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", a.PolicyID, err)
		}
		cp, err := s.dir.Compile(p.ARN, p.Content, policy.KindSCP)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", p.ID, err)
		}
		level = append(level, cp)
	}
	return level, nil
}

// resolvePath checks an entity path against the organization and returns
// its ids from the root down: each OU's parent is the one before it, and
// an account, if any, comes last under the entity before it.
func resolvePath(ctx context.Context, tx store.ReadTx, o orgRecord, path string) ([]string, error) {
	parts := strings.Split(strings.TrimSuffix(path, "/"), "/")
	if len(parts) < 2 || parts[0] != o.ID || parts[1] != o.RootID {
		return nil, ErrEntityPath
	}
	chain := []string{parts[1]}
	for i, id := range parts[2:] {
		parent := chain[len(chain)-1]
		switch {
		case strings.HasPrefix(id, "ou-"):
			u, err := store.GetJSON[unitRecord](ctx, tx, kindOrgUnit, "", id)
			if isNotFound(err) || (err == nil && (u.OrgID != o.ID || u.ParentID != parent)) {
				return nil, ErrEntityPath
			}
			if err != nil {
				return nil, err
			}
		case store.IsAccountID(id) && i == len(parts)-3:
			m, err := store.GetJSON[memberRecord](ctx, tx, kindOrgAccount, "", id)
			if isNotFound(err) || (err == nil && (m.OrgID != o.ID || m.ParentID != parent)) {
				return nil, ErrEntityPath
			}
			if err != nil {
				return nil, err
			}
		default:
			return nil, ErrEntityPath
		}
		chain = append(chain, id)
	}
	return chain, nil
}

// pathOf is the entity path of a chain of ids, with a final slash.
func pathOf(o orgRecord, chain []string) string {
	return o.ID + "/" + strings.Join(chain, "/") + "/"
}

// accountsUnder lists the organization's accounts under the last entity of
// chain, the management account excepted; when only is not nil, those of
// them with an entity of their path in it (the targets of a policy).
func accountsUnder(ctx context.Context, tx store.ReadTx, o orgRecord, chain []string, only map[string]bool) ([]ReportAccount, error) {
	ms, err := members(ctx, tx, o.ID)
	if err != nil {
		return nil, err
	}
	us, err := units(ctx, tx, o.ID)
	if err != nil {
		return nil, err
	}
	parents := make(map[string]string, len(us))
	for _, u := range us {
		parents[u.ID] = u.ParentID
	}
	entity := chain[len(chain)-1]
	var out []ReportAccount
	for _, m := range ms {
		if m.AccountID == o.MasterAccountID {
			continue
		}
		// The account's ids from itself up to the root.
		up := []string{m.AccountID}
		for id := m.ParentID; id != "" && len(up) <= maxDepth+2; id = parents[id] {
			up = append(up, id)
		}
		if !slices.Contains(up, entity) {
			continue
		}
		if only != nil && !slices.ContainsFunc(up, func(id string) bool { return only[id] }) {
			continue
		}
		slices.Reverse(up)
		out = append(out, ReportAccount{ID: m.AccountID, Path: pathOf(o, up)})
	}
	slices.SortFunc(out, func(a, b ReportAccount) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}
