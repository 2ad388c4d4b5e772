package console

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// orgNode is a root or OU of the organization tree, with its accounts and
// the SCPs and RCPs attached to it.
type orgNode struct {
	ID, Name string
	SCPs     []orgtypes.PolicySummary
	RCPs     []orgtypes.PolicySummary
	Accounts []orgAccount
	Children []*orgNode
}

// orgAccount is an account with its own SCPs and RCPs.
type orgAccount struct {
	Account orgtypes.Account
	SCPs    []orgtypes.PolicySummary
	RCPs    []orgtypes.PolicySummary
}

// orgData is the organization page's content.
type orgData struct {
	Org  *orgtypes.Organization
	Root *orgNode
	// Truncated: the tree was cut at maxOrgNodes.
	Truncated bool
}

// maxOrgNodes bounds the calls one page makes.
const maxOrgNodes = 200

// organization shows the tree of OUs and accounts and the policies attached
// at each level (Organizations' List* calls through the pipeline; only the
// management account and delegated administrators may make them).
func (c *Console) organization(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	fail := func(err error) { c.showError(w, r, s, "organization", "Organization", "organization", err) }
	do, err := cl.Organizations.DescribeOrganization(ctx, &awsorg.DescribeOrganizationInput{})
	if err != nil {
		fail(err)
		return
	}
	roots, err := cl.Organizations.ListRoots(ctx, &awsorg.ListRootsInput{})
	if err != nil {
		fail(err)
		return
	}
	d := orgData{Org: do.Organization}
	if len(roots.Roots) == 0 {
		c.render(w, r, "organization", http.StatusOK, &page{Title: "Organization", S: s, Nav: "organization", Data: d})
		return
	}
	budget := maxOrgNodes
	policies := func(target string, typ orgtypes.PolicyType) ([]orgtypes.PolicySummary, error) {
		out, err := cl.Organizations.ListPoliciesForTarget(ctx, &awsorg.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: typ})
		if err != nil {
			if apiErrorOf(err).Code == "PolicyTypeNotEnabledException" {
				return nil, nil
			}
			return nil, err
		}
		return out.Policies, nil
	}
	var walk func(n *orgNode, depth int) error
	walk = func(n *orgNode, depth int) error {
		budget--
		var err error
		if n.SCPs, err = policies(n.ID, orgtypes.PolicyTypeServiceControlPolicy); err != nil {
			return err
		}
		if n.RCPs, err = policies(n.ID, orgtypes.PolicyTypeResourceControlPolicy); err != nil {
			return err
		}
		accts, err := cl.Organizations.ListAccountsForParent(ctx, &awsorg.ListAccountsForParentInput{ParentId: aws.String(n.ID)})
		if err != nil {
			return err
		}
		for _, a := range accts.Accounts {
			if budget <= 0 {
				d.Truncated = true
				break
			}
			budget--
			oa := orgAccount{Account: a}
			if oa.SCPs, err = policies(aws.ToString(a.Id), orgtypes.PolicyTypeServiceControlPolicy); err != nil {
				return err
			}
			if oa.RCPs, err = policies(aws.ToString(a.Id), orgtypes.PolicyTypeResourceControlPolicy); err != nil {
				return err
			}
			n.Accounts = append(n.Accounts, oa)
		}
		if depth >= 5 {
			return nil
		}
		ous, err := cl.Organizations.ListOrganizationalUnitsForParent(ctx, &awsorg.ListOrganizationalUnitsForParentInput{ParentId: aws.String(n.ID)})
		if err != nil {
			return err
		}
		for _, ou := range ous.OrganizationalUnits {
			if budget <= 0 {
				d.Truncated = true
				break
			}
			child := &orgNode{ID: aws.ToString(ou.Id), Name: aws.ToString(ou.Name)}
			if err := walk(child, depth+1); err != nil {
				return err
			}
			n.Children = append(n.Children, child)
		}
		return nil
	}
	d.Root = &orgNode{ID: aws.ToString(roots.Roots[0].Id), Name: aws.ToString(roots.Roots[0].Name)}
	if err := walk(d.Root, 0); err != nil {
		fail(err)
		return
	}
	c.render(w, r, "organization", http.StatusOK, &page{Title: "Organization", S: s, Nav: "organization", Data: d})
}
