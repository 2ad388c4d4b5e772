package organizations

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Controls is what the organization imposes on one account: the facts the
// request context reports (aws:PrincipalOrgID, aws:PrincipalOrgPaths, and
// the same for resources) and the SCP and RCP levels, root first and the
// account last, each of which must allow a request.
type Controls struct {
	// OrgID is the organization's id.
	OrgID string
	// Management reports that the account is the organization's management
	// account, which no SCP or RCP restricts.
	Management bool
	// Path is the account's organization path as aws:PrincipalOrgPaths
	// reports it: "o-id/r-id/ou-id/.../" (the account's parent last).
	Path string
	// SCP holds the service control policies of each level; empty when the
	// type is not enabled or the account is the management account.
	SCP [][]*policy.Policy
	// RCP holds the resource control policies of each level.
	RCP [][]*policy.Policy
}

// Controls returns the organization's controls over account, or nil when
// the account belongs to no organization. Answers are cached until the
// directory's revision moves, so a change is in force for the next request.
func (s *Service) Controls(ctx context.Context, account string) (*Controls, error) {
	rev := s.dir.Revision()
	s.mu.Lock()
	if rev != s.ctrlRev {
		s.controls, s.ctrlRev = map[string]*Controls{}, rev
	}
	c, ok := s.controls[account]
	s.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := s.loadControls(ctx, account)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.ctrlRev == rev {
		s.controls[account] = c
	}
	s.mu.Unlock()
	return c, nil
}

func (s *Service) loadControls(ctx context.Context, account string) (*Controls, error) {
	var c *Controls
	err := s.st.View(ctx, func(tx store.ReadTx) error {
		o, m, err := orgOf(ctx, tx, account)
		if err != nil {
			if _, ok := isAWS(err); ok {
				return nil // not in an organization
			}
			return err
		}
		// The chain of ids from the root down to the account.
		chain := []string{m.AccountID}
		for id := m.ParentID; strings.HasPrefix(id, "ou-") && len(chain) <= maxDepth+1; {
			chain = append(chain, id)
			u, err := store.GetJSON[unitRecord](ctx, tx, kindOrgUnit, "", id)
			if err != nil {
				return fmt.Errorf("organization unit %s: %w", id, err)
			}
			id = u.ParentID
		}
		chain = append(chain, o.RootID)
		slices.Reverse(chain)
		c = &Controls{OrgID: o.ID, Management: o.MasterAccountID == account,
			Path: o.ID + "/" + strings.Join(chain[:len(chain)-1], "/") + "/"}
		if c.Management {
			return nil
		}
		root, err := getRoot(ctx, tx, o)
		if err != nil {
			return err
		}
		for _, typ := range []string{typeSCP, typeRCP} {
			if !root.typeEnabled(typ) {
				continue
			}
			kind := policy.KindSCP
			if typ == typeRCP {
				kind = policy.KindRCP
			}
			levels := make([][]*policy.Policy, 0, len(chain))
			for _, id := range chain {
				atts, err := attachedTo(ctx, tx, o.ID, id)
				if err != nil {
					return err
				}
				var level []*policy.Policy
				for _, a := range atts {
					if a.PolicyType != typ {
						continue
					}
					p, err := getPolicy(ctx, tx, o.ID, a.PolicyID)
					if err != nil {
						return fmt.Errorf("policy %s: %w", a.PolicyID, err)
					}
					cp, err := s.dir.Compile(p.ARN, p.Content, kind)
					if err != nil {
						return fmt.Errorf("policy %s: %w", p.ID, err)
					}
					level = append(level, cp)
				}
				levels = append(levels, level)
			}
			if typ == typeSCP {
				c.SCP = levels
			} else {
				c.RCP = levels
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("organizations: controls of %s: %w", account, err)
	}
	return c, nil
}
