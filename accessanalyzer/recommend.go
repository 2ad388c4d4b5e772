package accessanalyzer

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/authref"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Recommendations for unused permissions findings (IAM User Guide,
// "Remediate unused access findings":
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings-remediate.html):
// for each identity policy of the entity that allows the unused service or
// actions, either DETACH_POLICY (nothing else is left in it) or
// CREATE_POLICY with the policy rewritten without them, to replace the
// existing one. Statements that allow by NotAction or "*" cannot be narrowed
// to a list and are left as they are. Gatehouse computes the recommendation
// within GenerateFindingRecommendation and stores it, so the first
// GetFindingRecommendation finds it SUCCEEDED.

// kindRecommendation: key = region/analyzer name/finding id; value
// recommendationRecord.
const kindRecommendation store.Kind = "access-analyzer-recommendation"

type recommendationRecord struct {
	Resource    string           `json:"resource"`
	StartedAt   time.Time        `json:"startedAt"`
	CompletedAt time.Time        `json:"completedAt"`
	Steps       []recommendation `json:"steps"`
}

// recommendation is one step: detach a policy, or replace it.
type recommendation struct {
	Action   string `json:"action"`
	PolicyID string `json:"policyId"`
	Policy   string `json:"policy,omitempty"`
}

func (s *Service) recommendationOps() []operation.Op {
	return []operation.Op{
		op("GenerateFindingRecommendation", func(_ *identity.Caller, in *analyzerapi.GenerateFindingRecommendationRequest) string {
			return in.AnalyzerArn
		}, s.generateFindingRecommendation),
		op("GetFindingRecommendation", func(_ *identity.Caller, in *analyzerapi.GetFindingRecommendationRequest) string {
			return in.AnalyzerArn
		}, s.getFindingRecommendation),
	}
}

func (s *Service) generateFindingRecommendation(ctx context.Context, c *identity.Caller, in *analyzerapi.GenerateFindingRecommendationRequest) (*emptyOutput, error) {
	started := s.now().UTC()
	a, f, err := s.findingByID(ctx, c, in.AnalyzerArn, in.Id)
	if err != nil {
		return nil, err
	}
	if f.typeOf() != analyzerapi.FindingTypeUnusedPermission {
		return nil, invalid("id", "Recommendations are supported for UnusedPermission findings only; finding "+in.Id+" is "+string(f.typeOf())+".")
	}
	steps, err := s.recommend(ctx, c.Account, &f)
	if err != nil {
		return nil, serviceErr(err)
	}
	rec := recommendationRecord{Resource: f.Resource, StartedAt: started, CompletedAt: s.now().UTC(), Steps: steps}
	return done(s.update(ctx, func(tx store.Tx) error {
		return store.PutJSON(ctx, tx, kindRecommendation, c.Account, findingPrefix(a)+f.ID, rec)
	}))
}

func (s *Service) getFindingRecommendation(ctx context.Context, c *identity.Caller, in *analyzerapi.GetFindingRecommendationRequest) (*analyzerapi.GetFindingRecommendationResponse, error) {
	var rec recommendationRecord
	err := s.view(ctx, func(tx store.ReadTx) error {
		a, err := analyzerByARN(ctx, tx, c, in.AnalyzerArn)
		if err != nil {
			return err
		}
		rec, err = store.GetJSON[recommendationRecord](ctx, tx, kindRecommendation, c.Account, findingPrefix(a)+in.Id)
		if isNotFound(err) {
			return notFound("No recommendation was generated for finding "+in.Id+".", in.Id, typeFinding)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	start, limit, err := page(in.NextToken, in.MaxResults, len(rec.Steps))
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(rec.Steps))
	completed := rec.CompletedAt
	out := &analyzerapi.GetFindingRecommendationResponse{StartedAt: rec.StartedAt, CompletedAt: &completed, ResourceArn: rec.Resource,
		RecommendationType: analyzerapi.RecommendationTypeUnusedPermissionRecommendation, Status: analyzerapi.StatusSUCCEEDED,
		RecommendedSteps: []analyzerapi.RecommendedStep{}, NextToken: nextToken(end, len(rec.Steps))}
	for _, st := range rec.Steps[start:end] {
		step := &analyzerapi.UnusedPermissionsRecommendedStep{RecommendedAction: analyzerapi.RecommendedRemediationAction(st.Action), ExistingPolicyId: str(st.PolicyID)}
		if st.Policy != "" {
			step.RecommendedPolicy = str(st.Policy)
		}
		out.RecommendedSteps = append(out.RecommendedSteps, analyzerapi.RecommendedStep{UnusedPermissionsRecommendedStep: step})
	}
	return out, nil
}

// recommend computes the steps for an UnusedPermission finding.
func (s *Service) recommend(ctx context.Context, account string, f *findingRecord) ([]recommendation, error) {
	kind, name, ok := entityOf(f.Resource)
	if !ok {
		return nil, fmt.Errorf("finding resource %s is no user or role", f.Resource)
	}
	var set *policy.Set
	var err error
	if kind == "role" {
		set, err = s.policies.RolePolicies(ctx, account, name)
	} else {
		set, err = s.policies.UserPolicies(ctx, account, name)
	}
	if err != nil {
		return nil, fmt.Errorf("policies of %s: %w", f.Resource, err)
	}
	unused := func(action string) bool {
		svc, act, _ := strings.Cut(action, ":")
		if !strings.EqualFold(svc, f.Unused.ServiceNamespace) {
			return false
		}
		if len(f.Unused.Actions) == 0 {
			return true // the whole service is unused
		}
		return slices.ContainsFunc(f.Unused.Actions, func(u unusedAction) bool { return strings.EqualFold(u.Action, act) })
	}
	var steps []recommendation
	for _, p := range set.Identity {
		doc, changed, empty, err := without(p.Doc.Source, f.Unused.ServiceNamespace, unused)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", p.Name, err)
		}
		if !changed {
			continue
		}
		id := policyID(p.Name)
		if empty {
			steps = append(steps, recommendation{Action: string(analyzerapi.RecommendedRemediationActionDETACH_POLICY), PolicyID: id})
			continue
		}
		steps = append(steps, recommendation{Action: string(analyzerapi.RecommendedRemediationActionCREATE_POLICY), PolicyID: id, Policy: doc})
	}
	return steps, nil
}

// entityOf splits a user or role ARN into "user"/"role" and its name.
func entityOf(arn string) (kind, name string, ok bool) {
	i := strings.Index(arn, ":user/")
	kind = "user"
	if i < 0 {
		i, kind = strings.Index(arn, ":role/"), "role"
	}
	if i < 0 {
		return "", "", false
	}
	rest := arn[i+len(":")+len(kind)+1:]
	return kind, rest[strings.LastIndex(rest, "/")+1:], true
}

// policyID is how a recommendation names an existing policy: a managed
// policy's ARN, an inline policy's name (the directory names inline
// policies "user/NAME/POLICY").
func policyID(name string) string {
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	return name[strings.LastIndex(name, "/")+1:]
}

// without rewrites a policy document without the Allow statements' actions
// unused reports, expanding patterns of namespace ns into the actions of
// the Service Authorization Reference they match. It reports whether the
// document changed and whether no statement is left.
func without(source, ns string, unused func(action string) bool) (doc string, changed, empty bool, err error) {
	var d map[string]any
	if err := json.Unmarshal([]byte(source), &d); err != nil {
		return "", false, false, fmt.Errorf("reading the document: %w", err)
	}
	var stmts []any
	switch st := d["Statement"].(type) {
	case []any:
		stmts = st
	case map[string]any:
		stmts = []any{st}
	}
	ref := authref.Lookup()
	var kept []any
	for _, raw := range stmts {
		st, ok := raw.(map[string]any)
		if !ok || st["Effect"] != "Allow" || st["Action"] == nil {
			kept = append(kept, raw)
			continue
		}
		var actions []string
		switch a := st["Action"].(type) {
		case string:
			actions = []string{a}
		case []any:
			for _, x := range a {
				if s, ok := x.(string); ok {
					actions = append(actions, s)
				}
			}
		}
		var out []string
		touched := false
		for _, pat := range actions {
			svc, _, _ := strings.Cut(pat, ":")
			if !strings.EqualFold(svc, ns) {
				out = append(out, pat) // "*" and other services stay
				continue
			}
			var left []string
			for _, a := range ref.MatchActions(pat) {
				if !unused(a.Service + ":" + a.Name) {
					left = append(left, ns+":"+a.Name)
				}
			}
			if len(left) == len(ref.MatchActions(pat)) {
				out = append(out, pat)
				continue
			}
			touched = true
			out = append(out, left...)
		}
		if !touched {
			kept = append(kept, raw)
			continue
		}
		changed = true
		if len(out) == 0 {
			continue
		}
		slices.Sort(out)
		out = slices.Compact(out)
		if len(out) == 1 {
			st["Action"] = out[0]
		} else {
			st["Action"] = out
		}
		kept = append(kept, st)
	}
	if !changed {
		return source, false, false, nil
	}
	if len(kept) == 0 {
		return "", true, true, nil
	}
	d["Statement"] = kept
	b, err := json.Marshal(d)
	if err != nil {
		return "", false, false, fmt.Errorf("writing the document: %w", err)
	}
	return string(b), true, false, nil
}
