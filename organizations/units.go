package organizations

import (
	"context"
	"slices"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

// maxDepth is AWS's limit on OU nesting: five levels of OUs under the root.
const maxDepth = 5

func (s *Service) unitOps() []operation.Op {
	return []operation.Op{
		op(s, "ListRoots", nil, s.listRoots),
		op(s, "CreateOrganizationalUnit", targetOf(s, func(in *orgapi.CreateOrganizationalUnitRequest) string { return in.ParentId }), s.createUnit),
		op(s, "DescribeOrganizationalUnit", targetOf(s, func(in *orgapi.DescribeOrganizationalUnitRequest) string { return in.OrganizationalUnitId }), s.describeUnit),
		op(s, "UpdateOrganizationalUnit", targetOf(s, func(in *orgapi.UpdateOrganizationalUnitRequest) string { return in.OrganizationalUnitId }), s.updateUnit),
		op(s, "DeleteOrganizationalUnit", targetOf(s, func(in *orgapi.DeleteOrganizationalUnitRequest) string { return in.OrganizationalUnitId }), s.deleteUnit),
		op(s, "ListOrganizationalUnitsForParent", nil, s.listUnitsForParent),
		op(s, "ListParents", nil, s.listParents),
		op(s, "ListChildren", nil, s.listChildren),
	}
}

func rootOut(r rootRecord) orgapi.Root {
	out := orgapi.Root{Id: str(r.ID), Arn: str(r.ARN), Name: str(r.Name), PolicyTypes: []orgapi.PolicyTypeSummary{}}
	for _, t := range r.PolicyTypes {
		out.PolicyTypes = append(out.PolicyTypes, orgapi.PolicyTypeSummary{Type: (*orgapi.PolicyType)(str(t.Type)), Status: (*orgapi.PolicyTypeStatus)(str(t.Status))})
	}
	return out
}

func unitOut(u unitRecord) *orgapi.OrganizationalUnit {
	return &orgapi.OrganizationalUnit{Id: str(u.ID), Arn: str(u.ARN), Name: str(u.Name)}
}

func unitNotFound() error {
	return orgErr("OrganizationalUnitNotFoundException", "We can't find an OU with the OrganizationalUnitId that you specified.")
}

func (s *Service) listRoots(ctx context.Context, c *identity.Caller, in *orgapi.ListRootsRequest) (*orgapi.ListRootsResponse, error) {
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.Root, error) {
		var roots []orgapi.Root
		r, err := getRoot(ctx, tx, o)
		if err != nil {
			return nil, err
		}
		roots = []orgapi.Root{rootOut(r)}
		return roots, nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.ListRootsResponse{Roots: out, NextToken: next}, nil
}

// parentOf finds a root or OU to hold children.
func parentOf(ctx context.Context, tx store.ReadTx, o orgRecord, id string) (target, error) {
	t, err := findTarget(ctx, tx, o, id, parentNotFound())
	if err != nil {
		return t, err
	}
	if t.Type == "ACCOUNT" {
		return t, parentNotFound()
	}
	return t, nil
}

// depth counts the OUs from the root down to id (the root is 0).
func depth(ctx context.Context, tx store.ReadTx, o orgRecord, id string) (int, error) {
	n := 0
	for strings.HasPrefix(id, "ou-") && n <= maxDepth+1 {
		u, err := store.GetJSON[unitRecord](ctx, tx, kindOrgUnit, "", id)
		if err != nil {
			return 0, err
		}
		n++
		id = u.ParentID
	}
	return n, nil
}

func (s *Service) createUnit(ctx context.Context, c *identity.Caller, in *orgapi.CreateOrganizationalUnitRequest) (*orgapi.CreateOrganizationalUnitResponse, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	var u unitRecord
	err := s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		if _, err := parentOf(ctx, tx, o, in.ParentId); err != nil {
			return err
		}
		d, err := depth(ctx, tx, o, in.ParentId)
		if err != nil {
			return err
		}
		if d >= maxDepth {
			return constraint("OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree that is too many levels deep.")
		}
		us, err := units(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		for _, x := range us {
			if x.ParentID == in.ParentId && x.Name == in.Name {
				return orgErr("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
			}
		}
		// ou-<root suffix>-<8 random>, as AWS forms OU ids.
		id, err := s.randomID("ou-"+strings.TrimPrefix(o.RootID, "r-")+"-", 8)
		if err != nil {
			return err
		}
		u = unitRecord{ID: id, ARN: unitARN(o.MasterAccountID, o.ID, id), Name: in.Name, OrgID: o.ID, ParentID: in.ParentId, Tags: storeTags(in.Tags)}
		if err := store.CreateJSON(ctx, tx, kindOrgUnit, "", id, u); err != nil {
			return err
		}
		root, err := getRoot(ctx, tx, o)
		if err != nil {
			return err
		}
		return attachDefaults(ctx, tx, o.ID, root, id, "ORGANIZATIONAL_UNIT")
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.CreateOrganizationalUnitResponse{OrganizationalUnit: unitOut(u)}, nil
}

// unit returns an OU of organization o.
func unit(ctx context.Context, tx store.ReadTx, o orgRecord, id string) (unitRecord, error) {
	u, err := store.GetJSON[unitRecord](ctx, tx, kindOrgUnit, "", id)
	if isNotFound(err) || (err == nil && u.OrgID != o.ID) {
		return u, unitNotFound()
	}
	return u, err
}

func (s *Service) describeUnit(ctx context.Context, c *identity.Caller, in *orgapi.DescribeOrganizationalUnitRequest) (*orgapi.DescribeOrganizationalUnitResponse, error) {
	var u unitRecord
	err := s.viewOrg(ctx, c, func(tx store.ReadTx, o orgRecord) error {
		var err error
		u, err = unit(ctx, tx, o, in.OrganizationalUnitId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.DescribeOrganizationalUnitResponse{OrganizationalUnit: unitOut(u)}, nil
}

func (s *Service) updateUnit(ctx context.Context, c *identity.Caller, in *orgapi.UpdateOrganizationalUnitRequest) (*orgapi.UpdateOrganizationalUnitResponse, error) {
	var u unitRecord
	err := s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		var err error
		u, err = unit(ctx, tx, o, in.OrganizationalUnitId)
		if err != nil {
			return err
		}
		if in.Name == nil || *in.Name == u.Name {
			return nil
		}
		us, err := units(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		for _, x := range us {
			if x.ParentID == u.ParentID && x.Name == *in.Name {
				return orgErr("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
			}
		}
		u.Name = *in.Name
		return store.PutJSON(ctx, tx, kindOrgUnit, "", u.ID, u)
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.UpdateOrganizationalUnitResponse{OrganizationalUnit: unitOut(u)}, nil
}

func (s *Service) deleteUnit(ctx context.Context, c *identity.Caller, in *orgapi.DeleteOrganizationalUnitRequest) (*emptyOutput, error) {
	return done(s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		u, err := unit(ctx, tx, o, in.OrganizationalUnitId)
		if err != nil {
			return err
		}
		kids, err := children(ctx, tx, o, u.ID)
		if err != nil {
			return err
		}
		if len(kids) > 0 {
			return orgErr("OrganizationalUnitNotEmptyException", "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.")
		}
		if err := detachAll(ctx, tx, o.ID, u.ID); err != nil {
			return err
		}
		return tx.Delete(ctx, kindOrgUnit, "", u.ID)
	}))
}

// children lists the OUs and accounts directly under parent, OUs first.
func children(ctx context.Context, tx store.ReadTx, o orgRecord, parent string) ([]target, error) {
	var out []target
	us, err := units(ctx, tx, o.ID)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		if u.ParentID == parent {
			out = append(out, target{ID: u.ID, Type: "ORGANIZATIONAL_UNIT", ARN: u.ARN, Name: u.Name, Parent: parent})
		}
	}
	ms, err := members(ctx, tx, o.ID)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ms, func(a, b memberRecord) int { return a.Joined.Compare(b.Joined) })
	for _, m := range ms {
		if m.ParentID == parent {
			out = append(out, target{ID: m.AccountID, Type: "ACCOUNT", ARN: m.ARN, Name: m.Name, Parent: parent})
		}
	}
	return out, nil
}

func (s *Service) listUnitsForParent(ctx context.Context, c *identity.Caller, in *orgapi.ListOrganizationalUnitsForParentRequest) (*orgapi.ListOrganizationalUnitsForParentResponse, error) {
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.OrganizationalUnit, error) {
		var all []orgapi.OrganizationalUnit
		if _, err := parentOf(ctx, tx, o, in.ParentId); err != nil {
			return nil, err
		}
		us, err := units(ctx, tx, o.ID)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			if u.ParentID == in.ParentId {
				all = append(all, *unitOut(u))
			}
		}
		return all, nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.ListOrganizationalUnitsForParentResponse{OrganizationalUnits: out, NextToken: next}, nil
}

func (s *Service) listParents(ctx context.Context, c *identity.Caller, in *orgapi.ListParentsRequest) (*orgapi.ListParentsResponse, error) {
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.Parent, error) {
		var parents []orgapi.Parent
		t, err := findTarget(ctx, tx, o, in.ChildId, orgErr("ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified."))
		if err != nil {
			return nil, err
		}
		if t.Type == "ROOT" {
			return nil, orgErr("ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
		}
		typ := "ORGANIZATIONAL_UNIT"
		if strings.HasPrefix(t.Parent, "r-") {
			typ = "ROOT"
		}
		parents = []orgapi.Parent{{Id: str(t.Parent), Type: (*orgapi.ParentType)(str(typ))}}
		return parents, nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.ListParentsResponse{Parents: out, NextToken: next}, nil
}

func (s *Service) listChildren(ctx context.Context, c *identity.Caller, in *orgapi.ListChildrenRequest) (*orgapi.ListChildrenResponse, error) {
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.Child, error) {
		var all []orgapi.Child
		if _, err := parentOf(ctx, tx, o, in.ParentId); err != nil {
			return nil, err
		}
		kids, err := children(ctx, tx, o, in.ParentId)
		if err != nil {
			return nil, err
		}
		for _, k := range kids {
			if k.Type == string(in.ChildType) {
				all = append(all, orgapi.Child{Id: str(k.ID), Type: (*orgapi.ChildType)(str(k.Type))})
			}
		}
		return all, nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.ListChildrenResponse{Children: out, NextToken: next}, nil
}
