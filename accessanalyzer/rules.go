package accessanalyzer

import (
	"context"
	"slices"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

func (s *Service) ruleOps() []operation.Op {
	return []operation.Op{
		op("CreateArchiveRule", func(c *identity.Caller, in *analyzerapi.CreateArchiveRuleRequest) string {
			return analyzerARN(c, in.AnalyzerName)
		}, s.createArchiveRule),
		op("GetArchiveRule", func(c *identity.Caller, in *analyzerapi.GetArchiveRuleRequest) string {
			return analyzerARN(c, in.AnalyzerName)
		}, s.getArchiveRule),
		op("ListArchiveRules", func(c *identity.Caller, in *analyzerapi.ListArchiveRulesRequest) string {
			return analyzerARN(c, in.AnalyzerName)
		}, s.listArchiveRules),
		op("UpdateArchiveRule", func(c *identity.Caller, in *analyzerapi.UpdateArchiveRuleRequest) string {
			return analyzerARN(c, in.AnalyzerName)
		}, s.updateArchiveRule),
		op("DeleteArchiveRule", func(c *identity.Caller, in *analyzerapi.DeleteArchiveRuleRequest) string {
			return analyzerARN(c, in.AnalyzerName)
		}, s.deleteArchiveRule),
		op("ApplyArchiveRule", func(_ *identity.Caller, in *analyzerapi.ApplyArchiveRuleRequest) string { return in.AnalyzerArn }, s.applyArchiveRule),
	}
}

// filterKeys are the finding attributes a filter can name, besides the
// principal.* and condition.* families; ruleKeys says which of them an
// archive rule may use (the "Archive rule" column of the filter keys
// reference).
var filterKeys = map[string]bool{
	"resource": true, "resourceType": true, "resourceOwnerAccount": true, "isPublic": true, "error": true,
	"action": true, "status": false, "id": false, "findingType": false,
}

// unusedFilterKeys are the filter keys of unused access findings, and
// whether an archive rule may use them (the IAM User Guide's filter keys
// for unused access findings,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-filter-keys.html).
var unusedFilterKeys = map[string]bool{
	"findingType": true, "resource": true, "resourceType": true, "resourceOwnerAccount": true, "status": false, "id": false,
}

// storedFilter checks a filter, for an external or (unused) an unused
// access analyzer, and returns it in its stored form.
func storedFilter(f map[string]analyzerapi.Criterion, rule, unused bool) (map[string]criterion, error) {
	out := make(map[string]criterion, len(f))
	keys := filterKeys
	if unused {
		keys = unusedFilterKeys
	}
	for k, c := range f {
		inRule, known := keys[k]
		if !unused && !known && (strings.HasPrefix(k, "principal.") || strings.HasPrefix(k, "condition.")) && len(k) > len("condition.") {
			inRule, known = true, true
		}
		if !known || (rule && !inRule) {
			return nil, invalid("filter", "Invalid filter key: "+k+".")
		}
		if len(c.Eq) == 0 && len(c.Neq) == 0 && len(c.Contains) == 0 && c.Exists == nil {
			return nil, invalid("filter", "The criterion for "+k+" has no condition: give eq, neq, contains or exists.")
		}
		out[k] = criterion{Eq: c.Eq, Neq: c.Neq, Contains: c.Contains, Exists: c.Exists}
	}
	return out, nil
}

// values returns a finding's values of a filter key.
func (f *findingRecord) values(key string) []string {
	switch key {
	case "resource":
		return []string{f.Resource}
	case "resourceType":
		return []string{f.ResourceType}
	case "resourceOwnerAccount":
		return []string{f.Owner}
	case "isPublic":
		if f.IsPublic {
			return []string{"true"}
		}
		return []string{"false"}
	case "status":
		return []string{f.Status}
	case "id":
		return []string{f.ID}
	case "findingType":
		return []string{string(f.typeOf())}
	case "action":
		return f.Action
	case "error":
		return nil
	}
	if k, ok := strings.CutPrefix(key, "principal."); ok {
		if v, ok := f.Principal[k]; ok {
			return []string{v}
		}
		return nil
	}
	if k, ok := strings.CutPrefix(key, "condition."); ok {
		for ck, v := range f.Condition {
			if strings.EqualFold(ck, k) {
				return []string{v}
			}
		}
	}
	return nil
}

// matches reports whether a finding satisfies every criterion of a filter.
func matches(filter map[string]criterion, f *findingRecord) bool {
	for k, c := range filter {
		vs := f.values(k)
		if c.Exists != nil && *c.Exists != (len(vs) > 0) {
			return false
		}
		if len(c.Eq) > 0 && !slices.ContainsFunc(vs, func(v string) bool { return slices.Contains(c.Eq, v) }) {
			return false
		}
		if len(c.Neq) > 0 && slices.ContainsFunc(vs, func(v string) bool { return slices.Contains(c.Neq, v) }) {
			return false
		}
		if len(c.Contains) > 0 && !slices.ContainsFunc(vs, func(v string) bool {
			return slices.ContainsFunc(c.Contains, func(sub string) bool { return strings.Contains(v, sub) })
		}) {
			return false
		}
	}
	return true
}

// archives reports whether an archive rule of the analyzer matches f.
func (a *analyzerRecord) archives(f *findingRecord) bool {
	return slices.ContainsFunc(a.Rules, func(r ruleRecord) bool { return matches(r.Filter, f) })
}

func ruleIndex(rules []ruleRecord, name string) int {
	return slices.IndexFunc(rules, func(r ruleRecord) bool { return r.Name == name })
}

func (r *ruleRecord) api() analyzerapi.ArchiveRuleSummary {
	f := make(map[string]analyzerapi.Criterion, len(r.Filter))
	for k, c := range r.Filter {
		f[k] = analyzerapi.Criterion{Eq: c.Eq, Neq: c.Neq, Contains: c.Contains, Exists: c.Exists}
	}
	return analyzerapi.ArchiveRuleSummary{RuleName: r.Name, Filter: f, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// editRules runs fn on the rules of the caller's analyzer name and saves them.
func (s *Service) editRules(ctx context.Context, c *identity.Caller, name string, fn func(a *analyzerRecord) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		a, err := analyzerByName(ctx, tx, c, name)
		if err != nil {
			return err
		}
		if err := fn(&a); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, kindAnalyzer, c.Account, analyzerKey(a.Region, a.Name), a)
	})
}

func ruleNotFound(name string) error {
	return notFound("Archive rule "+name+" not found.", name, typeArchiveRule)
}

// createArchiveRule adds a rule; it applies to new findings (ApplyArchiveRule
// applies it to existing ones).
func (s *Service) createArchiveRule(ctx context.Context, c *identity.Caller, in *analyzerapi.CreateArchiveRuleRequest) (*emptyOutput, error) {
	return done(s.editRules(ctx, c, in.AnalyzerName, func(a *analyzerRecord) error {
		f, err := storedFilter(in.Filter, true, a.unused())
		if err != nil {
			return err
		}
		if ruleIndex(a.Rules, in.RuleName) >= 0 {
			return conflict("Archive rule "+in.RuleName+" already exists.", in.RuleName, typeArchiveRule)
		}
		now := s.now().UTC()
		a.Rules = append(a.Rules, ruleRecord{Name: in.RuleName, Filter: f, CreatedAt: now, UpdatedAt: now})
		return nil
	}))
}

func (s *Service) updateArchiveRule(ctx context.Context, c *identity.Caller, in *analyzerapi.UpdateArchiveRuleRequest) (*emptyOutput, error) {
	return done(s.editRules(ctx, c, in.AnalyzerName, func(a *analyzerRecord) error {
		f, err := storedFilter(in.Filter, true, a.unused())
		if err != nil {
			return err
		}
		i := ruleIndex(a.Rules, in.RuleName)
		if i < 0 {
			return ruleNotFound(in.RuleName)
		}
		a.Rules[i].Filter, a.Rules[i].UpdatedAt = f, s.now().UTC()
		return nil
	}))
}

func (s *Service) deleteArchiveRule(ctx context.Context, c *identity.Caller, in *analyzerapi.DeleteArchiveRuleRequest) (*emptyOutput, error) {
	return done(s.editRules(ctx, c, in.AnalyzerName, func(a *analyzerRecord) error {
		i := ruleIndex(a.Rules, in.RuleName)
		if i < 0 {
			return ruleNotFound(in.RuleName)
		}
		a.Rules = slices.Delete(a.Rules, i, i+1)
		return nil
	}))
}

func (s *Service) getArchiveRule(ctx context.Context, c *identity.Caller, in *analyzerapi.GetArchiveRuleRequest) (*analyzerapi.GetArchiveRuleResponse, error) {
	var out *analyzerapi.GetArchiveRuleResponse
	err := s.view(ctx, func(tx store.ReadTx) error {
		a, err := analyzerByName(ctx, tx, c, in.AnalyzerName)
		if err != nil {
			return err
		}
		i := ruleIndex(a.Rules, in.RuleName)
		if i < 0 {
			return ruleNotFound(in.RuleName)
		}
		out = &analyzerapi.GetArchiveRuleResponse{ArchiveRule: a.Rules[i].api()}
		return nil
	})
	return out, err
}

func (s *Service) listArchiveRules(ctx context.Context, c *identity.Caller, in *analyzerapi.ListArchiveRulesRequest) (*analyzerapi.ListArchiveRulesResponse, error) {
	var a analyzerRecord
	err := s.view(ctx, func(tx store.ReadTx) (err error) {
		a, err = analyzerByName(ctx, tx, c, in.AnalyzerName)
		return err
	})
	if err != nil {
		return nil, err
	}
	start, limit, err := page(in.NextToken, in.MaxResults, len(a.Rules))
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(a.Rules))
	out := &analyzerapi.ListArchiveRulesResponse{ArchiveRules: []analyzerapi.ArchiveRuleSummary{}, NextToken: nextToken(end, len(a.Rules))}
	for i := start; i < end; i++ {
		out.ArchiveRules = append(out.ArchiveRules, a.Rules[i].api())
	}
	return out, nil
}

// applyArchiveRule archives the active findings the rule matches.
func (s *Service) applyArchiveRule(ctx context.Context, c *identity.Caller, in *analyzerapi.ApplyArchiveRuleRequest) (*emptyOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		a, err := analyzerByARN(ctx, tx, c, in.AnalyzerArn)
		if err != nil {
			return err
		}
		i := ruleIndex(a.Rules, in.RuleName)
		if i < 0 {
			return ruleNotFound(in.RuleName)
		}
		fs, err := s.scan(ctx, tx, &a, c.Account)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		for _, f := range fs {
			if f.Status != string(analyzerapi.FindingStatusACTIVE) || !matches(a.Rules[i].Filter, &f) {
				continue
			}
			f.Status, f.UpdatedAt = string(analyzerapi.FindingStatusARCHIVED), now
			if err := store.PutJSON(ctx, tx, kindFinding, c.Account, findingPrefix(a)+f.key(), f); err != nil {
				return err
			}
		}
		return nil
	}))
}
