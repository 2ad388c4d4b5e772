package iam

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/authref"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/lastaccess"
	"github.com/gatehouse-iam/gatehouse/organizations"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/trail"
)

// Organizations access reports (IAM User Guide,
// access_policies_access-advisor.md "Last accessed information for AWS
// Organizations", access_policies_access-advisor-view-data-orgs.md; API
// reference of GenerateOrganizationsAccessReport), read from the audit
// trail:
//
//   - Only the organization's management account generates them, with SCPs
//     enabled in the root; the entity path names the root, an OU or an
//     account of the organization ("o-…/r-…/ou-…/123456789012").
//   - The services a report lists are those the SCPs in effect at the
//     entity allow (those of the root and every OU down to it, and the
//     account's own), or with OrganizationsPolicyId those that SCP allows;
//     for the management account, which no SCP limits, every service (the
//     policy id ignored).
//   - For each service: the newest event of the tracking period in which a
//     principal (root user, IAM user or role) of an account under the
//     entity called it — denied calls included, unauthenticated ones not —
//     its Region and the account's entity path, and the number of those
//     accounts that called it. The management account counts only in its
//     own report; with a policy id, only accounts the policy applies to.
//   - The job runs within Generate… and is stored as a record, read back by
//     the principal that generated it within lastAccessedJobTTL, like the
//     service last accessed reports.

// kindOrgAccessJob holds the Organizations access reports of an account;
// key: the job id; value [orgAccessJob].
const kindOrgAccessJob store.Kind = "org-access-job"

// OrgReports resolves what an Organizations access report covers;
// implemented by organizations.Service.
type OrgReports interface {
	ReportScope(ctx context.Context, account, entityPath, policyID string) (*organizations.ReportScope, error)
}

// orgAccessJob is a stored Organizations access report.
type orgAccessJob struct {
	ID         string               `json:"id"`
	Owner      string               `json:"owner"`
	EntityPath string               `json:"entityPath"`
	PolicyID   string               `json:"policyId,omitempty"`
	Status     iamapi.JobStatusType `json:"status"`
	Created    time.Time            `json:"created"`
	Completed  time.Time            `json:"completed"`
	ErrorCode  string               `json:"errorCode,omitempty"`
	ErrorMsg   string               `json:"errorMessage,omitempty"`
	// Services are the accessible services, ordered by namespace.
	Services []orgService `json:"services"`
}

// orgService is one accessible service of a report.
type orgService struct {
	Namespace string     `json:"namespace"`
	Name      string     `json:"name"`
	Last      *orgAccess `json:"last,omitempty"`
	// Accounts is how many accounts accessed it.
	Accounts int `json:"accounts"`
}

// orgAccess is one last access: when, from which Region and account.
type orgAccess struct {
	Time   time.Time `json:"time"`
	Region string    `json:"region"`
	Path   string    `json:"path"`
}

// orgReportActions are the Organizations permissions the API needs besides
// iam:GenerateOrganizationsAccessReport (IAM User Guide,
// access_policies_access-advisor.md "Permissions for AWS Organizations
// information", AWS CLI or API); DescribePolicy and ListTargetsForPolicy are
// on the policy of the report when it names one.
var orgReportActions = []string{"ListChildren", "ListParents", "ListPoliciesForTarget", "ListRoots"}

func (s *Service) orgAccessOps() []Op {
	return []Op{
		op("GenerateOrganizationsAccessReport", func(ctx context.Context, c *identity.Caller, in *iamapi.GenerateOrganizationsAccessReportRequest) (Authz, error) {
			// The Service Authorization Reference: resource access-report,
			// condition key iam:OrganizationsPolicyId.
			az := Authz{Action: "iam:GenerateOrganizationsAccessReport",
				Resource: "arn:" + arn.Partition + ":iam::" + c.Account + ":access-report/" + in.EntityPath}
			policyARN := "*"
			if in.OrganizationsPolicyId != nil {
				az.Context = map[string][]string{"iam:OrganizationsPolicyId": {*in.OrganizationsPolicyId}}
				policyARN = orgPolicyARN(c.Account, in.EntityPath, *in.OrganizationsPolicyId)
			}
			// The organization's resources are the management account's
			// (the only caller that gets a report), AWS's SCPs readable
			// by it as its own.
			for _, a := range orgReportActions {
				az.Also = append(az.Also, Authz{Action: "organizations:" + a, Resource: "*", ResourceAccount: c.Account})
			}
			for _, a := range []string{"DescribePolicy", "ListTargetsForPolicy"} {
				az.Also = append(az.Also, Authz{Action: "organizations:" + a, Resource: policyARN, ResourceAccount: c.Account})
			}
			return az, nil
		}, s.generateOrganizationsAccessReport),
		op("GetOrganizationsAccessReport", func(ctx context.Context, c *identity.Caller, in *iamapi.GetOrganizationsAccessReportRequest) (Authz, error) {
			return Authz{Action: "iam:GetOrganizationsAccessReport", Resource: "*"}, nil
		}, s.getOrganizationsAccessReport),
	}
}

// orgPolicyARN is the ARN of an SCP as Organizations forms it, from the
// organization id the entity path begins with.
func orgPolicyARN(management, entityPath, id string) string {
	if id == "p-FullAWSAccess" {
		return "arn:" + arn.Partition + ":organizations::aws:policy/service_control_policy/p-FullAWSAccess"
	}
	org, _, _ := strings.Cut(entityPath, "/")
	return "arn:" + arn.Partition + ":organizations::" + management + ":policy/" + org + "/service_control_policy/" + id
}

// scopeError words organizations' refusals of a report as IAM's errors.
func scopeError(err error, in *iamapi.GenerateOrganizationsAccessReportRequest) error {
	switch {
	case errors.Is(err, organizations.ErrNotManagement):
		return awserr.AccessDenied("To generate an Organizations access report, you must be signed in to the management account of your organization.")
	case errors.Is(err, organizations.ErrSCPsDisabled):
		return awserr.InvalidInput("Service control policies must be enabled for your organization root to generate an Organizations access report.")
	case errors.Is(err, organizations.ErrEntityPath):
		return awserr.InvalidInput("Invalid EntityPath %s: it does not name a root, organizational unit or account of your organization.", in.EntityPath)
	case errors.Is(err, organizations.ErrPolicyID):
		return awserr.InvalidInput("Invalid OrganizationsPolicyId %s: it does not name a service control policy of your organization.", *in.OrganizationsPolicyId)
	}
	return err
}

func (s *Service) generateOrganizationsAccessReport(ctx context.Context, c *identity.Caller, in *iamapi.GenerateOrganizationsAccessReportRequest) (*iamapi.GenerateOrganizationsAccessReportResponse, error) {
	if s.orgReports == nil {
		return nil, scopeError(organizations.ErrNotManagement, in)
	}
	policyID := ""
	if in.OrganizationsPolicyId != nil {
		policyID = *in.OrganizationsPolicyId
	}
	scope, err := s.orgReports.ReportScope(ctx, c.Account, in.EntityPath, policyID)
	if err != nil {
		return nil, scopeError(err, in)
	}
	id, err := newUUID(s.rand)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	job := orgAccessJob{ID: id, Owner: c.Principal.ARN, EntityPath: in.EntityPath, PolicyID: policyID, Created: now, Status: iamapi.JobStatusTypeCOMPLETED}
	allowed := map[string]bool{}
	if scope.Management {
		for _, a := range authref.Lookup().MatchActions("*") {
			allowed[strings.ToLower(a.Service)] = true
		}
	} else {
		allowed = scpAllowedServices(scope.SCP)
	}
	uses, err := s.readAccountUses(ctx, scope.Accounts, allowed, now)
	if err != nil {
		s.log.Warn("reading the audit trail for an Organizations access report", "job", id, "err", err)
		job.Status = iamapi.JobStatusTypeFAILED
		job.ErrorCode = awserr.CodeServiceUnavailable
		job.ErrorMsg = "The audit trail could not be read in time."
	} else {
		job.Services = orgReport(allowed, uses)
	}
	job.Completed = s.now().UTC()
	err = s.update(ctx, func(tx store.Tx) error {
		// Expired reports of the account go as a new one comes.
		old, err := store.ListJSON[orgAccessJob](ctx, tx, store.ListOptions{Kind: kindOrgAccessJob, Account: c.Account})
		if err != nil {
			return err
		}
		for _, o := range old {
			if now.Sub(o.Value.Created) > lastAccessedJobTTL {
				if err := tx.Delete(ctx, kindOrgAccessJob, c.Account, o.Key); err != nil && !isNotFound(err) {
					return err
				}
			}
		}
		return store.PutJSON(ctx, tx, kindOrgAccessJob, c.Account, id, job)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GenerateOrganizationsAccessReportResponse{JobId: &id}, nil
}

// accessRecord is what a report reads of a trail record besides the entry.
type accessRecord struct {
	AWSRegion    string `json:"awsRegion"`
	UserIdentity struct {
		Type string `json:"type"`
	} `json:"userIdentity"`
}

// readAccountUses reads each account's trail for the tracking period, newest
// first, and returns each account's last access to every allowed namespace
// that its own principals (root user, users, roles) made; an account's
// reading stops once every allowed namespace has its last access.
func (s *Service) readAccountUses(ctx context.Context, accounts []organizations.ReportAccount, allowed map[string]bool, now time.Time) ([]map[string]orgAccess, error) {
	out := make([]map[string]orgAccess, 0, len(accounts))
	if s.trail == nil {
		return out, nil
	}
	ctx, cancel := context.WithTimeout(ctx, trailDeadline)
	defer cancel()
	for _, acct := range accounts {
		last := map[string]orgAccess{}
		q := trail.Query{Account: acct.ID, Start: now.Add(-lastaccess.TrackingPeriod), IncludeData: true}
		err := scanTrail(ctx, s.trail, q, func(en trail.Entry) bool {
			ns, ok := namespaceOf(en)
			if _, seen := last[ns]; !ok || seen || !allowed[ns] || !ownPrincipal(en, acct.ID) {
				return true
			}
			var rec accessRecord
			if err := json.Unmarshal(en.JSON, &rec); err != nil || rec.UserIdentity.Type == "Unknown" || rec.UserIdentity.Type == "AWSAccount" {
				return true
			}
			last[ns] = orgAccess{Time: en.Time, Region: rec.AWSRegion, Path: acct.Path}
			return len(last) < len(allowed)
		})
		if err != nil {
			return nil, err
		}
		out = append(out, last)
	}
	return out, nil
}

// ownPrincipal reports whether an entry's caller is a principal of the
// account (not another account's, whose call the account's trail also
// records, nor an anonymous one).
func ownPrincipal(en trail.Entry, account string) bool {
	p, err := arn.Parse(en.Principal)
	return err == nil && p.Account == account
}

// orgReport makes the services of a report: every allowed namespace, in
// order, with the newest access of the accounts and how many accessed it.
func orgReport(allowed map[string]bool, uses []map[string]orgAccess) []orgService {
	nss := make([]string, 0, len(allowed))
	for ns := range allowed {
		nss = append(nss, ns)
	}
	slices.Sort(nss)
	out := make([]orgService, 0, len(nss))
	for _, ns := range nss {
		svc := orgService{Namespace: ns, Name: lastaccess.ServiceName(ns)}
		for _, u := range uses {
			a, ok := u[ns]
			if !ok {
				continue
			}
			svc.Accounts++
			if svc.Last == nil || a.Time.After(svc.Last.Time) {
				svc.Last = &a
			}
		}
		out = append(out, svc)
	}
	return out
}

func (s *Service) getOrganizationsAccessReport(ctx context.Context, c *identity.Caller, in *iamapi.GetOrganizationsAccessReportRequest) (*iamapi.GetOrganizationsAccessReportResponse, error) {
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	var job orgAccessJob
	err = s.view(ctx, func(tx store.ReadTx) error {
		var err error
		job, err = store.GetJSON[orgAccessJob](ctx, tx, kindOrgAccessJob, c.Account, in.JobId)
		if isNotFound(err) {
			return errNoSuchJob(in.JobId)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	// Only the principal that generated a report reads it, until it
	// expires (as the service last accessed reports).
	if job.Owner != c.Principal.ARN || s.now().Sub(job.Created) > lastAccessedJobTTL {
		return nil, errNoSuchJob(in.JobId)
	}
	completed := job.Completed
	out := &iamapi.GetOrganizationsAccessReportResponse{JobStatus: job.Status, JobCreationDate: job.Created, JobCompletionDate: &completed}
	if job.ErrorCode != "" {
		out.ErrorDetails = &iamapi.ErrorDetails{Code: job.ErrorCode, Message: job.ErrorMsg}
		return out, nil
	}
	accessible, notAccessed := int32(len(job.Services)), int32(0)
	for _, sv := range job.Services {
		if sv.Last == nil {
			notAccessed++
		}
	}
	out.NumberOfServicesAccessible, out.NumberOfServicesNotAccessed = &accessible, &notAccessed
	svcs := sortServices(job.Services, in.SortKey)
	// The marker is the last namespace of the previous page.
	start := 0
	if p.after != "" {
		i := slices.IndexFunc(svcs, func(sv orgService) bool { return sv.Namespace == p.after })
		if i < 0 {
			return nil, awserr.InvalidInput("Invalid Marker.")
		}
		start = i + 1
	}
	end := min(len(svcs), start+p.limit)
	out.AccessDetails = []iamapi.AccessDetail{}
	for _, sv := range svcs[start:end] {
		d := iamapi.AccessDetail{ServiceName: sv.Name, ServiceNamespace: sv.Namespace}
		if sv.Last != nil {
			t, n := sv.Last.Time, int32(sv.Accounts)
			d.LastAuthenticatedTime, d.Region, d.EntityPath, d.TotalAuthenticatedEntities = &t, str(sv.Last.Region), str(sv.Last.Path), &n
		}
		out.AccessDetails = append(out.AccessDetails, d)
	}
	var marker *string
	if end < len(svcs) {
		marker = str(encodeMarker(svcs[end-1].Namespace))
	}
	out.IsTruncated, out.Marker = truncatedOut(marker != nil, marker)
	return out, nil
}

// sortServices orders a report's services by SortKey: by namespace
// (the default, "By default, the list is sorted by service namespace"), or
// by last access, services never accessed counting as the oldest and ties
// broken by namespace.
func sortServices(svcs []orgService, key *iamapi.SortKeyType) []orgService {
	out := slices.Clone(svcs)
	k := iamapi.SortKeyTypeSERVICE_NAMESPACE_ASCENDING
	if key != nil {
		k = *key
	}
	byTime := func(desc bool) func(a, b orgService) int {
		return func(a, b orgService) int {
			var ta, tb time.Time
			if a.Last != nil {
				ta = a.Last.Time
			}
			if b.Last != nil {
				tb = b.Last.Time
			}
			c := ta.Compare(tb)
			if desc {
				c = -c
			}
			if c != 0 {
				return c
			}
			return strings.Compare(a.Namespace, b.Namespace)
		}
	}
	switch k {
	case iamapi.SortKeyTypeSERVICE_NAMESPACE_DESCENDING:
		slices.Reverse(out)
	case iamapi.SortKeyTypeLAST_AUTHENTICATED_TIME_ASCENDING:
		slices.SortStableFunc(out, byTime(false))
	case iamapi.SortKeyTypeLAST_AUTHENTICATED_TIME_DESCENDING:
		slices.SortStableFunc(out, byTime(true))
	}
	return out
}
