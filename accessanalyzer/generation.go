package accessanalyzer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy/generate"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/trail"
)

// Policy generation (IAM User Guide, access-analyzer-policy-generation.md)
// reads Gatehouse's own audit trail (Config.Trail), never the CloudTrail
// trails a request names: their ARNs are validated and reported back in the
// job's properties, as AWS reports them, and the access role must be one
// the caller may pass, but the events come from the trail every Gatehouse
// request is recorded in.
//
// A job runs in the background under a deadline (Config.GenerationTimeout):
// StartPolicyGeneration returns its id at once and GetGeneratedPolicy
// answers IN_PROGRESS until it has read the trail, as AWS's jobs do. The
// job's record keeps what the principal used (generate.Usage); each
// GetGeneratedPolicy renders the policy from it at the level of detail it
// asks for.

// kindGeneration: key = region/job id; value generationRecord.
const kindGeneration store.Kind = "access-analyzer-policy-generation"

// Access Analyzer's policy generation quotas (IAM User Guide,
// access-analyzer-quotas.md).
const (
	// maxConcurrentGenerations: "Concurrent policy generations: 1".
	maxConcurrentGenerations = 1
	// maxGenerationsPerDay: "Policy generations per day: 50" (all but four
	// Regions); "Canceled policy generation requests apply to the daily
	// quota".
	maxGenerationsPerDay = 50
	// maxGenerationRange: "Policy generation AWS CloudTrail time range: 90
	// days".
	maxGenerationRange = 90 * 24 * time.Hour
	// generationRetention: ListPolicyGenerations "Lists all of the policy
	// generations requested in the last seven days" (API reference).
	generationRetention = 7 * 24 * time.Hour
	// maxGenerationEvents bounds the events one job reads (AWS's bound is
	// 100,000 CloudTrail log files or 25 GB of them).
	maxGenerationEvents = 1_000_000
	// defaultGenerationTimeout is a job's deadline when Config sets none.
	defaultGenerationTimeout = 5 * time.Minute
)

type generationRecord struct {
	JobID       string                        `json:"jobId"`
	Principal   string                        `json:"principalArn"`
	ClientToken string                        `json:"clientToken,omitempty"`
	Status      string                        `json:"status"`
	StartedOn   time.Time                     `json:"startedOn"`
	CompletedOn time.Time                     `json:"completedOn,omitzero"`
	ErrorCode   string                        `json:"errorCode,omitempty"`
	ErrorMsg    string                        `json:"errorMessage,omitempty"`
	AccessRole  string                        `json:"accessRole"`
	Trails      []analyzerapi.TrailProperties `json:"trails"`
	Start       time.Time                     `json:"startTime"`
	End         time.Time                     `json:"endTime"`
	Usage       *generate.Usage               `json:"usage,omitempty"`
}

func generationKey(region, id string) string { return region + "/" + id }

func (s *Service) generationOps() []operation.Op {
	return []operation.Op{
		operation.New("StartPolicyGeneration", func(_ context.Context, c *identity.Caller, in *analyzerapi.StartPolicyGenerationRequest) (operation.Authz, error) {
			a := operation.Authz{Action: "access-analyzer:StartPolicyGeneration", Resource: "*"}
			// Passing the service role to Access Analyzer needs
			// iam:PassRole on it (IAM User Guide,
			// access-analyzer-policy-generation.md, "Subsequent uses").
			if d := in.CloudTrailDetails; d != nil && d.AccessRole != "" {
				a.Also = []operation.Authz{{Action: "iam:PassRole", Resource: d.AccessRole,
					Context: map[string][]string{"iam:PassedToService": {"access-analyzer.amazonaws.com"}}}}
			}
			return a, nil
		}, s.startPolicyGeneration),
		op("GetGeneratedPolicy", nil, s.getGeneratedPolicy),
		op("ListPolicyGenerations", nil, s.listPolicyGenerations),
		op("CancelPolicyGeneration", nil, s.cancelPolicyGeneration),
	}
}

func (s *Service) startPolicyGeneration(ctx context.Context, c *identity.Caller, in *analyzerapi.StartPolicyGenerationRequest) (*analyzerapi.StartPolicyGenerationResponse, error) {
	principal := in.PolicyGenerationDetails.PrincipalArn
	d := in.CloudTrailDetails
	if d == nil {
		return nil, invalid("cloudTrailDetails", "Gatehouse generates policies from CloudTrail events only: cloudTrailDetails is required.")
	}
	if len(d.Trails) == 0 {
		return nil, invalid("cloudTrailDetails.trails", "Specify at least one trail.")
	}
	now := s.now().UTC()
	end := now
	if d.EndTime != nil {
		end = d.EndTime.UTC()
	}
	start := d.StartTime.UTC()
	if !start.Before(end) {
		return nil, invalid("cloudTrailDetails.startTime", "The startTime must be before the endTime.")
	}
	if start.After(now) {
		return nil, invalid("cloudTrailDetails.startTime", "The startTime cannot be in the future.")
	}
	if end.Sub(start) > maxGenerationRange {
		return nil, invalid("cloudTrailDetails", "The time range between startTime and endTime cannot exceed 90 days.")
	}
	kind, name, ok := principalName(principal, c.Account)
	if !ok {
		return nil, invalid("policyGenerationDetails.principalArn", "The principalArn must be a user or role of account "+c.Account+".")
	}
	trails := make([]analyzerapi.TrailProperties, len(d.Trails))
	for i, t := range d.Trails {
		trails[i] = analyzerapi.TrailProperties(t)
	}
	id, err := s.newID()
	if err != nil {
		return nil, serviceErr(err)
	}
	rec := generationRecord{JobID: id, Principal: principal, Status: string(analyzerapi.JobStatusIN_PROGRESS), StartedOn: now,
		AccessRole: d.AccessRole, Trails: trails, Start: start, End: end}
	if in.ClientToken != nil {
		rec.ClientToken = *in.ClientToken
	}
	existing := ""
	err = s.update(ctx, func(tx store.Tx) error {
		jobs, err := store.ListJSON[generationRecord](ctx, tx, store.ListOptions{Kind: kindGeneration, Account: c.Account, Prefix: c.Region + "/"})
		if err != nil {
			return err
		}
		running, today := 0, 0
		for _, j := range jobs {
			g := j.Value
			if rec.ClientToken != "" && g.ClientToken == rec.ClientToken {
				// "subsequent retries with the same client token return
				// the result from the original successful request" (API
				// reference, clientToken).
				if g.Principal != principal || !g.Start.Equal(start) || (d.EndTime != nil && !g.End.Equal(end)) {
					return conflict("The client token "+rec.ClientToken+" was used with another request.", g.JobID, "AWS::AccessAnalyzer::PolicyGeneration")
				}
				existing = g.JobID
				return nil
			}
			if now.Sub(g.StartedOn) > generationRetention {
				if err := tx.Delete(ctx, kindGeneration, c.Account, j.Key); err != nil {
					return err
				}
				continue
			}
			if s.settle(&g); g.Status == string(analyzerapi.JobStatusIN_PROGRESS) {
				running++
			}
			if now.Sub(g.StartedOn) < 24*time.Hour {
				today++
			}
		}
		if running >= maxConcurrentGenerations {
			return quotaErr("You can run only " + strconv.Itoa(maxConcurrentGenerations) + " policy generation at a time; wait for the one in progress or cancel it.")
		}
		if today >= maxGenerationsPerDay {
			return quotaErr("You can start at most " + strconv.Itoa(maxGenerationsPerDay) + " policy generations per day.")
		}
		if err := principalExists(ctx, tx, c.Account, kind, name, principal); err != nil {
			return err
		}
		return store.CreateJSON(ctx, tx, kindGeneration, c.Account, generationKey(c.Region, id), rec)
	})
	if err != nil {
		return nil, err
	}
	if existing != "" {
		return &analyzerapi.StartPolicyGenerationResponse{JobId: existing}, nil
	}
	s.spawn(func() { s.runGeneration(c.Account, c.Region, rec) })
	return &analyzerapi.StartPolicyGenerationResponse{JobId: id}, nil
}

func quotaErr(msg string) error {
	return resourceErr("ServiceQuotaExceededException", 402, msg, "policy-generation", "AWS::AccessAnalyzer::PolicyGeneration")
}

// principalName splits a user or role ARN of the account into its kind and
// name.
func principalName(principal, account string) (store.EntityKind, string, bool) {
	parts := strings.SplitN(principal, ":", 6)
	if len(parts) != 6 || parts[2] != "iam" || parts[4] != account {
		return "", "", false
	}
	typ, rest, ok := strings.Cut(parts[5], "/")
	if !ok || rest == "" {
		return "", "", false
	}
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	switch typ {
	case "user":
		return store.EntityUser, name, name != ""
	case "role":
		return store.EntityRole, name, name != ""
	}
	return "", "", false
}

// principalExists fails with a ValidationException unless the user or role
// the ARN names exists with that ARN (path included).
func principalExists(ctx context.Context, tx store.ReadTx, account string, kind store.EntityKind, name, principal string) error {
	var got string
	var err error
	if kind == store.EntityUser {
		var u store.User
		u, err = store.GetJSON[store.User](ctx, tx, store.KindUser, account, store.UserKey(name))
		got = u.ARN
	} else {
		var r store.Role
		r, err = store.GetJSON[store.Role](ctx, tx, store.KindRole, account, store.RoleKey(name))
		got = r.ARN
	}
	if isNotFound(err) || (err == nil && got != principal) {
		return invalid("policyGenerationDetails.principalArn", "The principal "+principal+" does not exist.")
	}
	return err
}

// spawn runs a job in the background (Config.Go, or a goroutine).
func (s *Service) spawn(f func()) {
	if s.goFn != nil {
		s.goFn(f)
		return
	}
	go f()
}

// runGeneration reads the principal's events and completes the job, unless
// it was canceled meanwhile.
func (s *Service) runGeneration(account, region string, rec generationRecord) {
	ctx, cancel := context.WithTimeout(context.Background(), s.genTimeout)
	defer cancel()
	usage, code, msg := s.readUsage(ctx, account, rec)
	err := s.st.Update(ctx, func(tx store.Tx) error {
		key := generationKey(region, rec.JobID)
		g, err := store.GetJSON[generationRecord](ctx, tx, kindGeneration, account, key)
		if err != nil {
			return err
		}
		if g.Status != string(analyzerapi.JobStatusIN_PROGRESS) {
			return nil // canceled
		}
		g.CompletedOn = s.now().UTC()
		if code != "" {
			g.Status, g.ErrorCode, g.ErrorMsg = string(analyzerapi.JobStatusFAILED), code, msg
		} else {
			g.Status, g.Usage = string(analyzerapi.JobStatusSUCCEEDED), usage
		}
		return store.PutJSON(ctx, tx, kindGeneration, account, key, g)
	})
	if err != nil && s.log != nil {
		s.log.Error("policy generation: completing the job", "job", rec.JobID, "err", err)
	}
}

// readUsage reads the principal's events in the job's range from the trail
// and summarizes them; on failure it returns a JobError code and message.
func (s *Service) readUsage(ctx context.Context, account string, rec generationRecord) (*generate.Usage, string, string) {
	if s.trail == nil {
		return nil, string(analyzerapi.JobErrorCodeRESOURCE_NOT_FOUND_ERROR),
			"Gatehouse runs without an audit trail (serve --audit=false): there are no events to generate a policy from."
	}
	q := trail.Query{Account: account, Principal: rec.Principal, Start: rec.Start, End: rec.End, IncludeData: true, Limit: 1000}
	var events []generate.Event
	for {
		p, err := s.trail.Lookup(ctx, q)
		if err != nil {
			if s.log != nil {
				s.log.Error("policy generation: reading the trail", "job", rec.JobID, "err", err)
			}
			msg := "The audit trail could not be read."
			if errors.Is(err, context.DeadlineExceeded) {
				msg = "The policy generation did not complete in time; reduce the time range."
			}
			return nil, string(analyzerapi.JobErrorCodeSERVICE_ERROR), msg
		}
		for _, e := range p.Entries {
			ev, err := generate.ParseRecord(e.JSON)
			if err != nil {
				if s.log != nil {
					s.log.Warn("policy generation: an unreadable trail record", "event", e.EventID, "err", err)
				}
				continue
			}
			ev.Principal = e.Principal
			events = append(events, ev)
		}
		if len(events) > maxGenerationEvents {
			return nil, string(analyzerapi.JobErrorCodeSERVICE_QUOTA_EXCEEDED_ERROR),
				fmt.Sprintf("The principal has more than %d events in the time range; reduce it.", maxGenerationEvents)
		}
		if p.Next == nil {
			break
		}
		q.After = p.Next
	}
	return generate.Summarize(events, generate.Filter{Principal: rec.Principal, Start: rec.Start, End: rec.End}), "", ""
}

// generationByID reads the caller's job, one of the last seven days.
func (s *Service) generationByID(ctx context.Context, tx store.ReadTx, c *identity.Caller, id string) (generationRecord, error) {
	g, err := store.GetJSON[generationRecord](ctx, tx, kindGeneration, c.Account, generationKey(c.Region, id))
	if isNotFound(err) || (err == nil && s.now().Sub(g.StartedOn) > generationRetention) {
		// GetGeneratedPolicy and CancelPolicyGeneration declare no
		// ResourceNotFoundException: an unknown job is invalid input.
		return g, invalid("jobId", "No policy generation with jobId "+id+" exists.")
	}
	s.settle(&g)
	return g, err
}

// settle reports a job still IN_PROGRESS past its deadline as FAILED: its
// server stopped before finishing it (a running job always ends by its
// deadline), and it must not hold the one-at-a-time quota forever.
func (s *Service) settle(g *generationRecord) {
	if g.Status == string(analyzerapi.JobStatusIN_PROGRESS) && s.now().Sub(g.StartedOn) > s.genTimeout+time.Minute {
		g.Status, g.CompletedOn = string(analyzerapi.JobStatusFAILED), g.StartedOn.Add(s.genTimeout)
		g.ErrorCode, g.ErrorMsg = string(analyzerapi.JobErrorCodeSERVICE_ERROR), "The policy generation stopped before it finished (its server stopped); start it again."
	}
}

func (g *generationRecord) details() analyzerapi.JobDetails {
	d := analyzerapi.JobDetails{JobId: g.JobID, Status: analyzerapi.JobStatus(g.Status), StartedOn: g.StartedOn}
	if !g.CompletedOn.IsZero() {
		t := g.CompletedOn
		d.CompletedOn = &t
	}
	if g.ErrorCode != "" {
		d.JobError = &analyzerapi.JobError{Code: analyzerapi.JobErrorCode(g.ErrorCode), Message: g.ErrorMsg}
	}
	return d
}

func (s *Service) getGeneratedPolicy(ctx context.Context, c *identity.Caller, in *analyzerapi.GetGeneratedPolicyRequest) (*analyzerapi.GetGeneratedPolicyResponse, error) {
	var g generationRecord
	err := s.view(ctx, func(tx store.ReadTx) (err error) {
		g, err = s.generationByID(ctx, tx, c, in.JobId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &analyzerapi.GetGeneratedPolicyResponse{JobDetails: g.details(), GeneratedPolicyResult: analyzerapi.GeneratedPolicyResult{
		Properties: analyzerapi.GeneratedPolicyProperties{PrincipalArn: g.Principal,
			CloudTrailProperties: &analyzerapi.CloudTrailProperties{TrailProperties: g.Trails, StartTime: g.Start, EndTime: g.End}},
	}}
	if g.Usage == nil {
		return out, nil
	}
	complete := g.Usage.Complete()
	out.GeneratedPolicyResult.Properties.IsComplete = &complete
	docs, err := g.Usage.Policies(generate.Options{
		ResourcePlaceholders: in.IncludeResourcePlaceholders != nil && *in.IncludeResourcePlaceholders,
		ServiceLevelTemplate: in.IncludeServiceLevelTemplate != nil && *in.IncludeServiceLevelTemplate,
		Account:              c.Account,
	})
	if err != nil {
		return nil, serviceErr(err)
	}
	for _, doc := range docs {
		out.GeneratedPolicyResult.GeneratedPolicies = append(out.GeneratedPolicyResult.GeneratedPolicies, analyzerapi.GeneratedPolicy{Policy: doc})
	}
	return out, nil
}

func (s *Service) listPolicyGenerations(ctx context.Context, c *identity.Caller, in *analyzerapi.ListPolicyGenerationsRequest) (*analyzerapi.ListPolicyGenerationsResponse, error) {
	var all []generationRecord
	err := s.view(ctx, func(tx store.ReadTx) (err error) {
		all, err = store.ListValues[generationRecord](ctx, tx, store.ListOptions{Kind: kindGeneration, Account: c.Account, Prefix: c.Region + "/"})
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	var kept []generationRecord
	for _, g := range all {
		if now.Sub(g.StartedOn) > generationRetention || (in.PrincipalArn != nil && *in.PrincipalArn != g.Principal) {
			continue
		}
		s.settle(&g)
		kept = append(kept, g)
	}
	// Newest first, then by id for a stable order across pages.
	sort.Slice(kept, func(i, j int) bool {
		if !kept[i].StartedOn.Equal(kept[j].StartedOn) {
			return kept[i].StartedOn.After(kept[j].StartedOn)
		}
		return kept[i].JobID < kept[j].JobID
	})
	start, limit, err := page(in.NextToken, in.MaxResults, len(kept))
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(kept))
	out := &analyzerapi.ListPolicyGenerationsResponse{PolicyGenerations: []analyzerapi.PolicyGeneration{}, NextToken: nextToken(end, len(kept))}
	for _, g := range kept[start:end] {
		d := g.details()
		out.PolicyGenerations = append(out.PolicyGenerations, analyzerapi.PolicyGeneration{JobId: g.JobID, PrincipalArn: g.Principal,
			Status: d.Status, StartedOn: d.StartedOn, CompletedOn: d.CompletedOn})
	}
	return out, nil
}

// cancelPolicyGeneration cancels a job in progress. Canceling a canceled
// job succeeds again; a completed one cannot be canceled.
func (s *Service) cancelPolicyGeneration(ctx context.Context, c *identity.Caller, in *analyzerapi.CancelPolicyGenerationRequest) (*analyzerapi.CancelPolicyGenerationResponse, error) {
	err := s.update(ctx, func(tx store.Tx) error {
		g, err := s.generationByID(ctx, tx, c, in.JobId)
		if err != nil {
			return err
		}
		switch analyzerapi.JobStatus(g.Status) {
		case analyzerapi.JobStatusCANCELED:
			return nil
		case analyzerapi.JobStatusIN_PROGRESS:
		default:
			return invalid("jobId", "The policy generation "+in.JobId+" is "+g.Status+": only one in progress can be canceled.")
		}
		g.Status, g.CompletedOn = string(analyzerapi.JobStatusCANCELED), s.now().UTC()
		return store.PutJSON(ctx, tx, kindGeneration, c.Account, generationKey(c.Region, in.JobId), g)
	})
	if err != nil {
		return nil, err
	}
	return &analyzerapi.CancelPolicyGenerationResponse{}, nil
}
