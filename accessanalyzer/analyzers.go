package accessanalyzer

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Store kinds of the Access Analyzer records, in the owning account.
const (
	// kindAnalyzer: key = region/name; value analyzerRecord.
	kindAnalyzer store.Kind = "access-analyzer"
	// kindFinding: key = region/analyzer name/finding key (see findingKey);
	// value findingRecord.
	kindFinding store.Kind = "access-analyzer-finding"
)

type analyzerRecord struct {
	Name      string            `json:"name"`
	ARN       string            `json:"arn"`
	Region    string            `json:"region"`
	Type      string            `json:"type"`
	CreatedAt time.Time         `json:"createdAt"`
	Tags      map[string]string `json:"tags,omitempty"`
	Rules     []ruleRecord      `json:"rules,omitempty"`
	// LastResource and LastAnalyzedAt are the last resource whose analysis
	// changed a finding, and when.
	LastResource   string    `json:"lastResource,omitempty"`
	LastAnalyzedAt time.Time `json:"lastAnalyzedAt,omitzero"`
	// UnusedAccessAge is an unused access analyzer's age in days.
	UnusedAccessAge int `json:"unusedAccessAge,omitempty"`
	// Exclusions are an unused access analyzer's analysis rule
	// exclusions (exclusions.go).
	Exclusions []exclusion `json:"exclusions,omitempty"`
}

// unused reports whether a is an unused access analyzer.
func (a *analyzerRecord) unused() bool {
	return a.Type == string(analyzerapi.TypeACCOUNT_UNUSED_ACCESS) || a.Type == string(analyzerapi.TypeORGANIZATION_UNUSED_ACCESS)
}

// ruleRecord is an archive rule.
type ruleRecord struct {
	Name      string               `json:"name"`
	Filter    map[string]criterion `json:"filter"`
	CreatedAt time.Time            `json:"createdAt"`
	UpdatedAt time.Time            `json:"updatedAt"`
	Tags      map[string]string    `json:"tags,omitempty"`
}

// criterion is a filter criterion as stored.
type criterion struct {
	Eq       []string `json:"eq,omitempty"`
	Neq      []string `json:"neq,omitempty"`
	Contains []string `json:"contains,omitempty"`
	Exists   *bool    `json:"exists,omitempty"`
}

func analyzerKey(region, name string) string { return region + "/" + name }

// analyzerARN returns the ARN of the caller's analyzer name in its region.
func analyzerARN(c *identity.Caller, name string) string {
	return "arn:aws:access-analyzer:" + c.Region + ":" + c.Account + ":analyzer/" + name
}

func (s *Service) analyzerOps() []operation.Op {
	return []operation.Op{
		op("CreateAnalyzer", func(c *identity.Caller, in *analyzerapi.CreateAnalyzerRequest) string {
			return analyzerARN(c, in.AnalyzerName)
		}, s.createAnalyzer),
		op("GetAnalyzer", func(c *identity.Caller, in *analyzerapi.GetAnalyzerRequest) string {
			return analyzerARN(c, in.AnalyzerName)
		}, s.getAnalyzer),
		op("ListAnalyzers", nil, s.listAnalyzers),
		op("UpdateAnalyzer", func(c *identity.Caller, in *analyzerapi.UpdateAnalyzerRequest) string {
			return analyzerARN(c, in.AnalyzerName)
		}, s.updateAnalyzer),
		op("DeleteAnalyzer", func(c *identity.Caller, in *analyzerapi.DeleteAnalyzerRequest) string {
			return analyzerARN(c, in.AnalyzerName)
		}, s.deleteAnalyzer),
	}
}

func (s *Service) createAnalyzer(ctx context.Context, c *identity.Caller, in *analyzerapi.CreateAnalyzerRequest) (*analyzerapi.CreateAnalyzerResponse, error) {
	age, excl, err := analyzerConfig(c.Account, in.Type, in.Configuration)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	rec := analyzerRecord{Name: in.AnalyzerName, ARN: analyzerARN(c, in.AnalyzerName), Region: c.Region, Type: string(in.Type), CreatedAt: now, Tags: in.Tags,
		UnusedAccessAge: age, Exclusions: excl}
	for _, r := range in.ArchiveRules {
		f, err := storedFilter(r.Filter, true, rec.unused())
		if err != nil {
			return nil, err
		}
		if ruleIndex(rec.Rules, r.RuleName) >= 0 {
			return nil, conflict("Archive rule "+r.RuleName+" is given twice.", r.RuleName, typeArchiveRule)
		}
		rec.Rules = append(rec.Rules, ruleRecord{Name: r.RuleName, Filter: f, CreatedAt: now, UpdatedAt: now})
	}
	err = s.update(ctx, func(tx store.Tx) error {
		if rec.org() {
			if err := checkOrgCreator(ctx, tx, c.Account); err != nil {
				return err
			}
		}
		existing, err := store.ListValues[analyzerRecord](ctx, tx, store.ListOptions{Kind: kindAnalyzer, Account: c.Account, Prefix: c.Region + "/"})
		if err != nil {
			return err
		}
		for _, a := range existing {
			if a.Name == in.AnalyzerName {
				return conflict("Analyzer "+in.AnalyzerName+" already exists.", in.AnalyzerName, typeAnalyzer)
			}
			if a.Type == string(in.Type) {
				return resourceErr("ServiceQuotaExceededException", 402,
					"You can create only one analyzer of type "+a.Type+" for your account in each Region; "+a.Name+" exists.", in.AnalyzerName, typeAnalyzer)
			}
		}
		return store.CreateJSON(ctx, tx, kindAnalyzer, c.Account, analyzerKey(c.Region, in.AnalyzerName), rec)
	})
	if err != nil {
		return nil, err
	}
	if rec.unused() {
		// The first scan runs when the analyzer is created, as AWS's does;
		// later ones when findings are read (unused.go).
		if _, _, err := s.findings(ctx, c, rec.ARN); err != nil {
			s.log.Warn("first scan of an unused access analyzer", "analyzer", rec.ARN, "err", err)
		}
	}
	return &analyzerapi.CreateAnalyzerResponse{Arn: str(rec.ARN)}, nil
}

// Unused access ages (the model's UnusedAccessConfiguration: "a value
// between 1 and 365 days"; 90 when not given, as the console and the API
// reference's default).
const (
	defaultUnusedAccessAge = 90
	maxUnusedAccessAge     = 365
)

// analyzerConfig checks an analyzer's type and configuration (of an
// analyzer of account) and returns its unused access age and analysis rule
// exclusions (none for an external access analyzer).
func analyzerConfig(account string, typ analyzerapi.Type, cfg *analyzerapi.AnalyzerConfiguration) (int, []exclusion, error) {
	switch typ {
	case analyzerapi.TypeACCOUNT, analyzerapi.TypeORGANIZATION:
		if cfg != nil {
			return 0, nil, invalid("configuration", "A configuration applies to unused and internal access analyzers only.")
		}
		return 0, nil, nil
	case analyzerapi.TypeACCOUNT_UNUSED_ACCESS, analyzerapi.TypeORGANIZATION_UNUSED_ACCESS:
		if cfg != nil && cfg.InternalAccess != nil {
			return 0, nil, invalid("configuration", "An unused access analyzer takes an unusedAccess configuration only.")
		}
		return unusedConfig(account, typ == analyzerapi.TypeORGANIZATION_UNUSED_ACCESS, cfg)
	}
	// wording: not found in AWS docs
	return 0, nil, invalid("type", "Gatehouse supports analyzers of type ACCOUNT, ORGANIZATION, ACCOUNT_UNUSED_ACCESS and ORGANIZATION_UNUSED_ACCESS; internal access analyzers are not supported.")
}

// unusedConfig is the unused access age and the exclusions of a
// configuration, checked, for an unused access analyzer of account (org:
// of its organization).
func unusedConfig(account string, org bool, cfg *analyzerapi.AnalyzerConfiguration) (int, []exclusion, error) {
	if cfg == nil || cfg.UnusedAccess == nil {
		return defaultUnusedAccessAge, nil, nil
	}
	var excl []exclusion
	if r := cfg.UnusedAccess.AnalysisRule; r != nil {
		var err error
		if excl, err = checkExclusions(account, org, r.Exclusions); err != nil {
			return 0, nil, err
		}
	}
	if cfg.UnusedAccess.UnusedAccessAge == nil {
		return defaultUnusedAccessAge, excl, nil
	}
	age := int(*cfg.UnusedAccess.UnusedAccessAge)
	if age < 1 || age > maxUnusedAccessAge {
		return 0, nil, invalid("configuration.unusedAccess.unusedAccessAge",
			"The unused access age must be between 1 and 365 days; "+strconv.Itoa(age)+" was given.")
	}
	return age, excl, nil
}

// configuration is an analyzer's configuration as the API returns it.
func (a *analyzerRecord) configuration() *analyzerapi.AnalyzerConfiguration {
	if !a.unused() {
		return nil
	}
	age := int32(a.UnusedAccessAge)
	out := &analyzerapi.AnalyzerConfiguration{UnusedAccess: &analyzerapi.UnusedAccessConfiguration{UnusedAccessAge: &age}}
	if len(a.Exclusions) > 0 {
		rule := &analyzerapi.AnalysisRule{}
		for _, e := range a.Exclusions {
			rule.Exclusions = append(rule.Exclusions, analyzerapi.AnalysisRuleCriteria{AccountIds: e.AccountIDs, ResourceTags: e.ResourceTags})
		}
		out.UnusedAccess.AnalysisRule = rule
	}
	return out
}

// updateAnalyzer changes an unused access analyzer's age; the next scan
// uses it. External access analyzers have nothing to change ("This action
// is not supported for external access analyzers", UpdateAnalyzer).
func (s *Service) updateAnalyzer(ctx context.Context, c *identity.Caller, in *analyzerapi.UpdateAnalyzerRequest) (*analyzerapi.UpdateAnalyzerResponse, error) {
	var a analyzerRecord
	err := s.update(ctx, func(tx store.Tx) (err error) {
		if a, err = analyzerByName(ctx, tx, c, in.AnalyzerName); err != nil {
			return err
		}
		if !a.unused() {
			return invalid("configuration", "UpdateAnalyzer is not supported for external access analyzers.")
		}
		if in.Configuration == nil || in.Configuration.InternalAccess != nil {
			return invalid("configuration", "An unused access analyzer takes an unusedAccess configuration.")
		}
		if a.UnusedAccessAge, a.Exclusions, err = unusedConfig(c.Account, a.org(), in.Configuration); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, kindAnalyzer, c.Account, analyzerKey(a.Region, a.Name), a)
	})
	if err != nil {
		return nil, err
	}
	return &analyzerapi.UpdateAnalyzerResponse{Configuration: a.configuration()}, nil
}

// analyzerByName reads the caller's analyzer name in its region.
func analyzerByName(ctx context.Context, tx store.ReadTx, c *identity.Caller, name string) (analyzerRecord, error) {
	a, err := store.GetJSON[analyzerRecord](ctx, tx, kindAnalyzer, c.Account, analyzerKey(c.Region, name))
	if isNotFound(err) {
		return a, notFound("Analyzer "+name+" not found.", name, typeAnalyzer)
	}
	return a, err
}

// analyzerByARN reads the analyzer an ARN names, which must be the caller's,
// in the caller's region.
func analyzerByARN(ctx context.Context, tx store.ReadTx, c *identity.Caller, arn string) (analyzerRecord, error) {
	prefix := "arn:aws:access-analyzer:" + c.Region + ":" + c.Account + ":analyzer/"
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok || name == "" || strings.Contains(name, "/") {
		return analyzerRecord{}, notFound("Analyzer "+arn+" not found.", arn, typeAnalyzer)
	}
	a, err := analyzerByName(ctx, tx, c, name)
	var ae *awserr.Error
	if errors.As(err, &ae) && ae.Code == "ResourceNotFoundException" {
		return a, notFound("Analyzer "+arn+" not found.", arn, typeAnalyzer)
	}
	return a, err
}

// summary is the analyzer as the API returns it; disabled is the reason an
// organization analyzer is DISABLED (nil: ACTIVE).
func (a *analyzerRecord) summary(disabled *analyzerapi.ReasonCode) analyzerapi.AnalyzerSummary {
	out := analyzerapi.AnalyzerSummary{Arn: a.ARN, Name: a.Name, Type: analyzerapi.Type(a.Type), CreatedAt: a.CreatedAt,
		Status: analyzerapi.AnalyzerStatusACTIVE, Tags: a.Tags, Configuration: a.configuration()}
	if disabled != nil {
		out.Status, out.StatusReason = analyzerapi.AnalyzerStatusDISABLED, &analyzerapi.StatusReason{Code: *disabled}
	}
	if out.Tags == nil {
		out.Tags = map[string]string{}
	}
	if a.LastResource != "" {
		out.LastResourceAnalyzed = str(a.LastResource)
		t := a.LastAnalyzedAt
		out.LastResourceAnalyzedAt = &t
	}
	return out
}

func (s *Service) getAnalyzer(ctx context.Context, c *identity.Caller, in *analyzerapi.GetAnalyzerRequest) (*analyzerapi.GetAnalyzerResponse, error) {
	var out analyzerapi.AnalyzerSummary
	err := s.view(ctx, func(tx store.ReadTx) error {
		a, err := analyzerByName(ctx, tx, c, in.AnalyzerName)
		if err != nil {
			return err
		}
		_, disabled, err := zoneOf(ctx, tx, &a, c.Account)
		out = a.summary(disabled)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &analyzerapi.GetAnalyzerResponse{Analyzer: out}, nil
}

func (s *Service) listAnalyzers(ctx context.Context, c *identity.Caller, in *analyzerapi.ListAnalyzersRequest) (*analyzerapi.ListAnalyzersResponse, error) {
	var all []analyzerRecord
	var standing *analyzerapi.ReasonCode // of the account's organization analyzers
	err := s.view(ctx, func(tx store.ReadTx) (err error) {
		all, err = store.ListValues[analyzerRecord](ctx, tx, store.ListOptions{Kind: kindAnalyzer, Account: c.Account, Prefix: c.Region + "/"})
		if err != nil {
			return err
		}
		for i := range all {
			if all[i].org() {
				_, standing, err = zoneOf(ctx, tx, &all[i], c.Account)
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var kept []analyzerRecord
	for _, a := range all {
		if in.Type == nil || string(*in.Type) == a.Type {
			kept = append(kept, a)
		}
	}
	start, limit, err := page(in.NextToken, in.MaxResults, len(kept))
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(kept))
	out := &analyzerapi.ListAnalyzersResponse{Analyzers: []analyzerapi.AnalyzerSummary{}, NextToken: nextToken(end, len(kept))}
	for i := range kept[start:end] {
		a := kept[start+i]
		var disabled *analyzerapi.ReasonCode
		if a.org() {
			disabled = standing
		}
		out.Analyzers = append(out.Analyzers, a.summary(disabled))
	}
	return out, nil
}

// deleteAnalyzer deletes the analyzer with its findings and their
// recommendations, and its access previews.
func (s *Service) deleteAnalyzer(ctx context.Context, c *identity.Caller, in *analyzerapi.DeleteAnalyzerRequest) (*emptyOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		a, err := analyzerByName(ctx, tx, c, in.AnalyzerName)
		if err != nil {
			return err
		}
		for _, kind := range []store.Kind{kindFinding, kindRecommendation, kindPreview} {
			recs, err := tx.List(ctx, store.ListOptions{Kind: kind, Account: c.Account, Prefix: findingPrefix(a)})
			if err != nil {
				return err
			}
			for _, r := range recs {
				if err := tx.Delete(ctx, kind, c.Account, r.Key); err != nil {
					return err
				}
			}
		}
		return tx.Delete(ctx, kindAnalyzer, c.Account, analyzerKey(a.Region, a.Name))
	}))
}
