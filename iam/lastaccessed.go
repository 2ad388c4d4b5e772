package iam

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/authref"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/trail"
)

// Service last accessed data (IAM User Guide, access_policies_access-advisor.md),
// read from the audit trail:
//
//   - The services a report lists are those the entity's permissions
//     policies allow (the user's own and its groups', a group's, a role's,
//     or the one managed policy), whatever their resources and conditions;
//     boundaries, SCPs, resource and session policies do not count (the
//     guide's "IAM policy types").
//   - LastAuthenticated is the newest event of the trail, within the 400-day
//     tracking period, of an entity of the report calling the service,
//     denied calls included and unauthenticated ones not (the guide's
//     "Attempts reported" and "IAM entities"); its Region is the event's.
//   - ACTION_LEVEL reports the tracked actions of the services Gatehouse
//     has that AWS tracks at action level: IAM (iam:PassRole excepted) and
//     S3's management actions (never its data events).
//   - Gatehouse runs the job within GenerateServiceLastAccessedDetails,
//     reading the trail under a deadline, and stores the report as a
//     record, so the first GetServiceLastAccessedDetails finds the job
//     COMPLETED (or FAILED, with the trail's error, when the trail could not
//     be read in time); a client polling for COMPLETED works unchanged.
//     Only the principal that generated a report (the same user, or the
//     same role session) reads it (the guide's "Report owner"); a report
//     expires after lastAccessedJobTTL.
//   - Without an audit trail (serve --audit=false) the reports list the
//     allowed services with no access.

// kindLastAccessedJob holds the service last accessed reports of an account;
// key: the job id; value [lastAccessedJob].
const kindLastAccessedJob store.Kind = "last-accessed-job"

const (
	// lastAccessedJobTTL is how long a report can be read.
	lastAccessedJobTTL = 24 * time.Hour
	// maxServiceNamespaces is ListPoliciesGrantingServiceAccess's limit.
	maxServiceNamespaces = 200
)

// lastAccessedJob is a stored report.
type lastAccessedJob struct {
	ID string `json:"id"`
	// Owner is the ARN of the principal that generated it (a role
	// session's ARN for a session).
	Owner       string                                   `json:"owner"`
	Granularity iamapi.AccessAdvisorUsageGranularityType `json:"granularity"`
	Status      iamapi.JobStatusType                     `json:"status"`
	Created     time.Time                                `json:"created"`
	Completed   time.Time                                `json:"completed"`
	ErrorCode   string                                   `json:"errorCode,omitempty"`
	ErrorMsg    string                                   `json:"errorMessage,omitempty"`
	// Services are the allowed services, ordered by namespace.
	Services []jobService `json:"services"`
	// Entities are the users and roles the report covers, with their
	// last access per namespace.
	Entities []jobEntity `json:"entities"`
}

// jobService is one allowed service of a report.
type jobService struct {
	Namespace string      `json:"namespace"`
	Name      string      `json:"name"`
	Last      *jobAccess  `json:"last,omitempty"`
	Total     int         `json:"total"`
	Actions   []jobAction `json:"actions,omitempty"`
}

// jobAction is one tracked action of a service of an ACTION_LEVEL report.
type jobAction struct {
	Name string     `json:"name"`
	Last *jobAccess `json:"last,omitempty"`
}

// jobAccess is one last access: when, by whom, from which Region.
type jobAccess struct {
	Time   time.Time `json:"time"`
	Entity string    `json:"entity"`
	Region string    `json:"region"`
}

// jobEntity is a user or role a report covers.
type jobEntity struct {
	Type iamapi.PolicyOwnerEntityType `json:"type"`
	Name string                       `json:"name"`
	ID   string                       `json:"id"`
	Path string                       `json:"path"`
	ARN  string                       `json:"arn"`
	// Last is the entity's last access to each namespace of the report.
	Last map[string]time.Time `json:"last,omitempty"`
}

func (s *Service) lastAccessedOps() []Op {
	return []Op{
		// The Service Authorization Reference gives Generate… the user,
		// group, role and policy resource types and the two Get… none.
		op("GenerateServiceLastAccessedDetails", func(ctx context.Context, c *identity.Caller, in *iamapi.GenerateServiceLastAccessedDetailsRequest) (Authz, error) {
			return Authz{Action: "iam:GenerateServiceLastAccessedDetails", Resource: in.Arn}, nil
		}, s.generateServiceLastAccessedDetails),
		op("GetServiceLastAccessedDetails", func(ctx context.Context, c *identity.Caller, in *iamapi.GetServiceLastAccessedDetailsRequest) (Authz, error) {
			return Authz{Action: "iam:GetServiceLastAccessedDetails", Resource: "*"}, nil
		}, s.getServiceLastAccessedDetails),
		op("GetServiceLastAccessedDetailsWithEntities", func(ctx context.Context, c *identity.Caller, in *iamapi.GetServiceLastAccessedDetailsWithEntitiesRequest) (Authz, error) {
			return Authz{Action: "iam:GetServiceLastAccessedDetailsWithEntities", Resource: "*"}, nil
		}, s.getServiceLastAccessedDetailsWithEntities),
		op("ListPoliciesGrantingServiceAccess", func(ctx context.Context, c *identity.Caller, in *iamapi.ListPoliciesGrantingServiceAccessRequest) (Authz, error) {
			return Authz{Action: "iam:ListPoliciesGrantingServiceAccess", Resource: in.Arn}, nil
		}, s.listPoliciesGrantingServiceAccess),
	}
}

// reportSubject is what a report is about: its entities and the policies
// whose allowed services it lists.
type reportSubject struct {
	entities []jobEntity
	policies []*policy.Policy
}

// invalidReportARN is InvalidInput for an Arn that names no user, group,
// role or managed policy.
func invalidReportARN(s string) *awserr.Error {
	return awserr.InvalidInput("ARN %s is not valid.", s)
}

// subjectOf reads the entity or policy an Arn names, in the caller's account.
func (s *Service) subjectOf(ctx context.Context, account, a string) (reportSubject, error) {
	parsed, err := arn.Parse(a)
	if err != nil || parsed.Partition != arn.Partition || parsed.Service != "iam" || parsed.Region != "" {
		return reportSubject{}, invalidReportARN(a)
	}
	kind, _, _ := strings.Cut(parsed.Resource, "/")
	if kind == "policy" {
		return s.policySubject(ctx, account, a)
	}
	e, acct, err := parseSimEntity("Arn", a)
	if err != nil {
		return reportSubject{}, invalidReportARN(a)
	}
	if acct != account {
		return reportSubject{}, principal{e.kind, e.name}.missing()
	}
	pols, _, err := s.entityPolicies(ctx, account, e)
	if err != nil {
		return reportSubject{}, err
	}
	var sub reportSubject
	sub.policies = pols
	err = s.view(ctx, func(tx store.ReadTx) error {
		switch e.kind {
		case store.EntityGroup:
			ms, err := memberships.listFrom(ctx, tx, account, e.name)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if err := addEntity(ctx, tx, account, &sub, principal{store.EntityUser, m.UserName}); err != nil {
					return err
				}
			}
			return nil
		default:
			return addEntity(ctx, tx, account, &sub, principal{e.kind, e.name})
		}
	})
	return sub, err
}

// policySubject is a managed policy's report: its default version's
// document, and the users and roles it is attached to, directly or through
// a group.
func (s *Service) policySubject(ctx context.Context, account, a string) (reportSubject, error) {
	ref, err := parsePolicyARN(a)
	if err != nil {
		return reportSubject{}, invalidReportARN(a)
	}
	var sub reportSubject
	err = s.view(ctx, func(tx store.ReadTx) error {
		mp, err := s.lookupPolicy(ctx, tx, account, ref, policyNotFound(a))
		if err != nil {
			return err
		}
		doc, err := s.managedDefaultDocument(ctx, tx, ref.arn)
		if err != nil {
			return fmtErr("managed policy %s: %w", ref.arn, err)
		}
		p, err := s.dir.Compile(ref.arn, doc, policy.KindIdentity)
		if err != nil {
			return fmtErr("managed policy %s: %w", ref.arn, err)
		}
		sub.policies = []*policy.Policy{p}
		atts, err := attachments.listTo(ctx, tx, account, policyEnd{ref.account, mp.Name})
		if err != nil {
			return err
		}
		for _, at := range atts {
			if at.EntityKind != store.EntityGroup {
				if err := addEntity(ctx, tx, account, &sub, principal{at.EntityKind, at.EntityName}); err != nil {
					return err
				}
				continue
			}
			ms, err := memberships.listFrom(ctx, tx, account, at.EntityName)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if err := addEntity(ctx, tx, account, &sub, principal{store.EntityUser, m.UserName}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return sub, err
}

// addEntity adds a user or role to a report, once; one deleted meanwhile is
// skipped.
func addEntity(ctx context.Context, tx store.ReadTx, account string, sub *reportSubject, p principal) error {
	r, err := loadPrincipal(ctx, tx, account, p)
	if _, ok := awserr.As(err); ok {
		return nil
	}
	if err != nil {
		return err
	}
	if slices.ContainsFunc(sub.entities, func(e jobEntity) bool { return e.ARN == r.ARN }) {
		return nil
	}
	typ := iamapi.PolicyOwnerEntityTypeUSER
	if p.kind == store.EntityRole {
		typ = iamapi.PolicyOwnerEntityTypeROLE
	}
	sub.entities = append(sub.entities, jobEntity{Type: typ, Name: r.Name, ID: r.ID, Path: r.Path, ARN: r.ARN})
	return nil
}

func (s *Service) generateServiceLastAccessedDetails(ctx context.Context, c *identity.Caller, in *iamapi.GenerateServiceLastAccessedDetailsRequest) (*iamapi.GenerateServiceLastAccessedDetailsResponse, error) {
	gran := iamapi.AccessAdvisorUsageGranularityTypeSERVICE_LEVEL
	if in.Granularity != nil {
		gran = *in.Granularity
	}
	sub, err := s.subjectOf(ctx, c.Account, in.Arn)
	if err != nil {
		return nil, err
	}
	id, err := newUUID(s.rand)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	job := lastAccessedJob{ID: id, Owner: c.Principal.ARN, Granularity: gran, Created: now, Status: iamapi.JobStatusTypeCOMPLETED}
	job.Entities = sub.entities
	allowed := allowedActions(sub.policies)
	uses, err := s.readUses(ctx, c.Account, sub.entities, now, complete(allowed, gran == iamapi.AccessAdvisorUsageGranularityTypeACTION_LEVEL))
	if err != nil {
		// The report fails as AWS reports failed jobs: in Error.
		s.log.Warn("reading the audit trail for a last accessed report", "job", id, "err", err)
		job.Status = iamapi.JobStatusTypeFAILED
		job.ErrorCode = awserr.CodeServiceUnavailable
		job.ErrorMsg = "The audit trail could not be read in time."
	} else {
		job.Services = buildReport(allowed, sub.entities, uses, gran == iamapi.AccessAdvisorUsageGranularityTypeACTION_LEVEL)
		for i := range job.Entities {
			job.Entities[i].Last = map[string]time.Time{}
			for ns, a := range uses[job.Entities[i].ARN].services {
				if _, ok := allowed[ns]; ok {
					job.Entities[i].Last[ns] = a.Time
				}
			}
		}
	}
	job.Completed = s.now().UTC()
	err = s.update(ctx, func(tx store.Tx) error {
		// Expired reports of the account go as a new one comes.
		old, err := store.ListJSON[lastAccessedJob](ctx, tx, store.ListOptions{Kind: kindLastAccessedJob, Account: c.Account})
		if err != nil {
			return err
		}
		for _, o := range old {
			if now.Sub(o.Value.Created) > lastAccessedJobTTL {
				if err := tx.Delete(ctx, kindLastAccessedJob, c.Account, o.Key); err != nil && !isNotFound(err) {
					return err
				}
			}
		}
		return store.PutJSON(ctx, tx, kindLastAccessedJob, c.Account, id, job)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GenerateServiceLastAccessedDetailsResponse{JobId: &id}, nil
}

// entityUses is what the trail says of one entity: its last access to each
// namespace, and to each tracked action ("ns:Name").
type entityUses struct {
	services map[string]jobAccess
	actions  map[string]jobAccess
}

// complete reports whether an entity's uses already hold everything a report
// can show of it: a last access to every allowed service and, at action
// level, to every allowed tracked action. Older events cannot change it.
func complete(allowed map[string][]string, actionLevel bool) func(entityUses) bool {
	return func(u entityUses) bool {
		for ns, names := range allowed {
			if _, ok := u.services[ns]; !ok {
				return false
			}
			if !actionLevel {
				continue
			}
			for _, n := range names {
				if _, ok := u.actions[ns+":"+n]; !ok && tracked(ns, n) {
					return false
				}
			}
		}
		return true
	}
}

// readUses reads the trail for the entities' events of the tracking period,
// newest first, each entity's until done says nothing older can matter.
func (s *Service) readUses(ctx context.Context, account string, entities []jobEntity, now time.Time, done func(entityUses) bool) (map[string]entityUses, error) {
	out := map[string]entityUses{}
	if s.trail == nil {
		return out, nil
	}
	ctx, cancel := context.WithTimeout(ctx, trailDeadline)
	defer cancel()
	for _, e := range entities {
		u := entityUses{services: map[string]jobAccess{}, actions: map[string]jobAccess{}}
		q := trail.Query{Account: account, Principal: e.ARN, Start: now.Add(-trackingPeriod), IncludeData: true}
		err := scanTrail(ctx, s.trail, q, func(en trail.Entry) bool {
			ns, ok := namespaceOf(en)
			if !ok {
				return true
			}
			// Entries come newest first: the first seen is the last.
			var acc *jobAccess
			if _, seen := u.services[ns]; !seen {
				a := jobAccess{Time: en.Time, Entity: e.ARN, Region: regionOf(en.JSON)}
				u.services[ns] = a
				acc = &a
			}
			if en.Management && tracked(ns, en.EventName) {
				key := ns + ":" + en.EventName
				if _, seen := u.actions[key]; !seen {
					if acc == nil {
						acc = &jobAccess{Time: en.Time, Entity: e.ARN, Region: regionOf(en.JSON)}
					}
					u.actions[key] = *acc
				}
			}
			return !done(u)
		})
		if err != nil {
			return nil, fmt.Errorf("reading the trail of %s: %w", e.ARN, err)
		}
		out[e.ARN] = u
	}
	return out, nil
}

// buildReport makes the services of a report: every allowed namespace, in
// order, with the newest access of the report's entities.
func buildReport(allowed map[string][]string, entities []jobEntity, uses map[string]entityUses, actionLevel bool) []jobService {
	nss := make([]string, 0, len(allowed))
	for ns := range allowed {
		nss = append(nss, ns)
	}
	slices.Sort(nss)
	out := make([]jobService, 0, len(nss))
	for _, ns := range nss {
		svc := jobService{Namespace: ns, Name: serviceName(ns)}
		for _, e := range entities {
			a, ok := uses[e.ARN].services[ns]
			if !ok {
				continue
			}
			svc.Total++
			if svc.Last == nil || a.Time.After(svc.Last.Time) {
				svc.Last = &a
			}
		}
		if actionLevel {
			for _, name := range allowed[ns] {
				if !tracked(ns, name) {
					continue
				}
				ja := jobAction{Name: name}
				for _, e := range entities {
					if a, ok := uses[e.ARN].actions[ns+":"+name]; ok && (ja.Last == nil || a.Time.After(ja.Last.Time)) {
						ja.Last = &a
					}
				}
				svc.Actions = append(svc.Actions, ja)
			}
		}
		out = append(out, svc)
	}
	return out
}

// errNoSuchJob is the answer for a job id that names no report the caller
// may read.
func errNoSuchJob(id string) *awserr.Error {
	return awserr.NoSuchEntity("The job with ID %s cannot be found.", id)
}

// loadJob reads a report of the caller's: one of another account, of
// another principal, expired or unknown is NoSuchEntity.
func (s *Service) loadJob(ctx context.Context, c *identity.Caller, id string) (lastAccessedJob, error) {
	var job lastAccessedJob
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		job, err = store.GetJSON[lastAccessedJob](ctx, tx, kindLastAccessedJob, c.Account, id)
		if isNotFound(err) {
			return errNoSuchJob(id)
		}
		return err
	})
	if err != nil {
		return job, err
	}
	if job.Owner != c.Principal.ARN || s.now().Sub(job.Created) > lastAccessedJobTTL {
		return job, errNoSuchJob(id)
	}
	return job, nil
}

// jobError is a failed job's Error.
func jobError(job *lastAccessedJob) *iamapi.ErrorDetails {
	if job.ErrorCode == "" {
		return nil
	}
	return &iamapi.ErrorDetails{Code: job.ErrorCode, Message: job.ErrorMsg}
}

func (s *Service) getServiceLastAccessedDetails(ctx context.Context, c *identity.Caller, in *iamapi.GetServiceLastAccessedDetailsRequest) (*iamapi.GetServiceLastAccessedDetailsResponse, error) {
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	job, err := s.loadJob(ctx, c, in.JobId)
	if err != nil {
		return nil, err
	}
	gran := job.Granularity
	out := &iamapi.GetServiceLastAccessedDetailsResponse{JobStatus: job.Status, JobType: &gran, JobCreationDate: job.Created,
		JobCompletionDate: job.Completed, ServicesLastAccessed: []iamapi.ServiceLastAccessed{}, Error: jobError(&job)}
	// The marker is the last namespace of the previous page.
	start := 0
	if p.after != "" {
		i, found := slices.BinarySearchFunc(job.Services, p.after, func(sv jobService, ns string) int { return strings.Compare(sv.Namespace, ns) })
		if !found {
			return nil, awserr.InvalidInput("Invalid Marker.")
		}
		start = i + 1
	}
	end := min(len(job.Services), start+p.limit)
	for _, sv := range job.Services[start:end] {
		total := int32(sv.Total)
		o := iamapi.ServiceLastAccessed{ServiceName: sv.Name, ServiceNamespace: sv.Namespace, TotalAuthenticatedEntities: &total}
		if sv.Last != nil {
			t := sv.Last.Time
			o.LastAuthenticated, o.LastAuthenticatedEntity, o.LastAuthenticatedRegion = &t, str(sv.Last.Entity), str(sv.Last.Region)
		}
		for _, a := range sv.Actions {
			ta := iamapi.TrackedActionLastAccessed{ActionName: str(a.Name)}
			if a.Last != nil {
				t := a.Last.Time
				ta.LastAccessedTime, ta.LastAccessedEntity, ta.LastAccessedRegion = &t, str(a.Last.Entity), str(a.Last.Region)
			}
			o.TrackedActionsLastAccessed = append(o.TrackedActionsLastAccessed, ta)
		}
		out.ServicesLastAccessed = append(out.ServicesLastAccessed, o)
	}
	var marker *string
	if end < len(job.Services) {
		marker = str(encodeMarker(job.Services[end-1].Namespace))
	}
	out.IsTruncated, out.Marker = truncatedOut(marker != nil, marker)
	return out, nil
}

func (s *Service) getServiceLastAccessedDetailsWithEntities(ctx context.Context, c *identity.Caller, in *iamapi.GetServiceLastAccessedDetailsWithEntitiesRequest) (*iamapi.GetServiceLastAccessedDetailsWithEntitiesResponse, error) {
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	job, err := s.loadJob(ctx, c, in.JobId)
	if err != nil {
		return nil, err
	}
	out := &iamapi.GetServiceLastAccessedDetailsWithEntitiesResponse{JobStatus: job.Status, JobCreationDate: job.Created,
		JobCompletionDate: job.Completed, EntityDetailsList: []iamapi.EntityDetails{}, Error: jobError(&job)}
	if _, found := slices.BinarySearchFunc(job.Services, in.ServiceNamespace, func(sv jobService, ns string) int { return strings.Compare(sv.Namespace, ns) }); !found {
		out.IsTruncated, out.Marker = truncatedOut(false, nil)
		return out, nil
	}
	// Most recent access first (the operation's documentation), then the
	// entities without access, by ARN; the marker is the last ARN listed.
	ents := slices.Clone(job.Entities)
	slices.SortStableFunc(ents, func(a, b jobEntity) int {
		ta, tb := a.Last[in.ServiceNamespace], b.Last[in.ServiceNamespace]
		if c := tb.Compare(ta); c != 0 {
			return c
		}
		return strings.Compare(a.ARN, b.ARN)
	})
	start := 0
	if p.after != "" {
		i := slices.IndexFunc(ents, func(e jobEntity) bool { return e.ARN == p.after })
		if i < 0 {
			return nil, awserr.InvalidInput("Invalid Marker.")
		}
		start = i + 1
	}
	end := min(len(ents), start+p.limit)
	for _, e := range ents[start:end] {
		d := iamapi.EntityDetails{EntityInfo: iamapi.EntityInfo{Arn: e.ARN, Name: e.Name, Type: e.Type, Id: e.ID, Path: str(e.Path)}}
		if t, ok := e.Last[in.ServiceNamespace]; ok {
			d.LastAuthenticated = &t
		}
		out.EntityDetailsList = append(out.EntityDetailsList, d)
	}
	var marker *string
	if end < len(ents) {
		marker = str(encodeMarker(ents[end-1].ARN))
	}
	out.IsTruncated, out.Marker = truncatedOut(marker != nil, marker)
	return out, nil
}

func (s *Service) listPoliciesGrantingServiceAccess(ctx context.Context, c *identity.Caller, in *iamapi.ListPoliciesGrantingServiceAccessRequest) (*iamapi.ListPoliciesGrantingServiceAccessResponse, error) {
	if len(in.ServiceNamespaces) > maxServiceNamespaces {
		return nil, awserr.InvalidInput("ServiceNamespaces must contain at most %d namespaces.", maxServiceNamespaces)
	}
	// Every policy of the identity fits one page: the marker is accepted
	// only as this operation issues it, which it never does.
	if in.Marker != nil {
		return nil, awserr.InvalidInput("Invalid Marker.")
	}
	e, acct, err := parseSimEntity("Arn", in.Arn)
	if err != nil {
		return nil, invalidReportARN(in.Arn)
	}
	if acct != c.Account {
		return nil, principal{e.kind, e.name}.missing()
	}
	pols, _, err := s.entityPolicies(ctx, c.Account, e)
	if err != nil {
		return nil, err
	}
	grants := make([]map[string][]string, len(pols))
	for i, p := range pols {
		grants[i] = allowedActions([]*policy.Policy{p})
	}
	out := &iamapi.ListPoliciesGrantingServiceAccessResponse{PoliciesGrantingServiceAccess: []iamapi.ListPoliciesGrantingServiceAccessEntry{}}
	for _, ns := range in.ServiceNamespaces {
		entry := iamapi.ListPoliciesGrantingServiceAccessEntry{ServiceNamespace: str(ns), Policies: []iamapi.PolicyGrantingServiceAccess{}}
		for i, p := range pols {
			if _, ok := grants[i][strings.ToLower(ns)]; ok {
				entry.Policies = append(entry.Policies, grantingPolicy(p.Name))
			}
		}
		out.PoliciesGrantingServiceAccess = append(out.PoliciesGrantingServiceAccess, entry)
	}
	out.IsTruncated, out.Marker = truncatedOut(false, nil)
	return out, nil
}

// grantingPolicy describes a policy of a set by the name the directory
// gives it: a managed policy's ARN, or "user/NAME/POLICY" (group/, role/)
// for an inline one.
func grantingPolicy(name string) iamapi.PolicyGrantingServiceAccess {
	if strings.HasPrefix(name, "arn:") {
		return iamapi.PolicyGrantingServiceAccess{PolicyName: name[strings.LastIndexByte(name, '/')+1:], PolicyType: iamapi.PolicyTypeMANAGED, PolicyArn: str(name)}
	}
	kind, rest, _ := strings.Cut(name, "/")
	owner, pol, _ := strings.Cut(rest, "/")
	typ := iamapi.PolicyOwnerEntityType(strings.ToUpper(kind))
	return iamapi.PolicyGrantingServiceAccess{PolicyName: pol, PolicyType: iamapi.PolicyTypeINLINE, EntityType: &typ, EntityName: str(owner)}
}

// tracked reports whether AWS tracks an action of a namespace at action
// level, among the services Gatehouse has: IAM's actions but iam:PassRole,
// and S3's management actions, those on no object (the guide's "Action last
// accessed information" and "PassRole"; S3 data events are not tracked).
func tracked(ns, action string) bool {
	switch ns {
	case "iam":
		return !strings.EqualFold(action, "PassRole")
	case "s3":
		s, _ := authref.Lookup().Service("s3")
		a, ok := s.Action(action)
		if !ok {
			return false
		}
		for _, r := range a.Resources {
			if r.Type.Name == "object" {
				return false
			}
		}
		return true
	}
	return false
}
