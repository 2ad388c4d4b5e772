package accessanalyzer

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/store"
)

// An unused access analyzer's analysis rule (the model's AnalysisRule):
// "Entities that meet the rule criteria will not generate findings." Each
// exclusion (AnalysisRuleCriteria) names accounts and resource tags:
//
//   - accountIds: "Account IDs can only be applied to the analysis rule
//     criteria for organization-level analyzers", "cannot include the
//     organization analyzer owner account", at most 2,000;
//   - resourceTags: a list of key-value maps; an entity matches one when it
//     has every pair of it, and "if the specified tag value is 0
//     characters, the rule is applied to all principals with the specified
//     tag key". Keys are 1 to 128 characters, not prefixed with aws:;
//     values 0 to 256.
//
// An entity is excluded when it matches an exclusion; an exclusion with
// both members matches the entities of its accounts that carry its tags,
// one with a single member what that member names.

// exclusion is one stored exclusion criterion.
type exclusion struct {
	AccountIDs   []string            `json:"accountIds,omitempty"`
	ResourceTags []map[string]string `json:"resourceTags,omitempty"`
}

// Limits of AnalysisRuleCriteria (the model's documentation).
const (
	maxExclusionAccounts = 2000
	maxExclusionKeyLen   = 128
	maxExclusionValueLen = 256
)

// checkExclusions checks the exclusions of an unused access analyzer of
// account (org: an organization analyzer) and returns them as stored.
func checkExclusions(account string, org bool, in []analyzerapi.AnalysisRuleCriteria) ([]exclusion, error) {
	const field = "configuration.unusedAccess.analysisRule.exclusions"
	var out []exclusion
	for _, c := range in {
		if len(c.AccountIds) == 0 && len(c.ResourceTags) == 0 {
			// wording: not found in AWS docs
			return nil, invalid(field, "An exclusion names accountIds, resourceTags or both.")
		}
		if len(c.AccountIds) > 0 && !org {
			// wording: not found in AWS docs
			return nil, invalid(field, "Account IDs can only be applied to the analysis rule criteria for organization-level analyzers.")
		}
		if len(c.AccountIds) > maxExclusionAccounts {
			// wording: not found in AWS docs
			return nil, invalid(field, "The list of account IDs cannot include more than 2,000 account IDs; "+strconv.Itoa(len(c.AccountIds))+" were given.")
		}
		for _, id := range c.AccountIds {
			if !arn.IsAccountID(id) {
				// wording: not found in AWS docs
				return nil, invalid(field, "Invalid account ID "+id+".")
			}
			if id == account {
				// wording: not found in AWS docs
				return nil, invalid(field, "The accounts cannot include the organization analyzer owner account "+id+".")
			}
		}
		for _, tags := range c.ResourceTags {
			if len(tags) == 0 {
				// wording: not found in AWS docs
				return nil, invalid(field, "A resourceTags entry names at least one tag.")
			}
			for k, v := range tags {
				if n := utf8.RuneCountInString(k); n < 1 || n > maxExclusionKeyLen || strings.HasPrefix(strings.ToLower(k), "aws:") {
					// wording: not found in AWS docs
					return nil, invalid(field, "Invalid tag key "+strconv.Quote(k)+": 1 to 128 characters, not prefixed with aws:.")
				}
				if utf8.RuneCountInString(v) > maxExclusionValueLen {
					// wording: not found in AWS docs
					return nil, invalid(field, "The value of tag "+strconv.Quote(k)+" is longer than 256 characters.")
				}
			}
		}
		out = append(out, exclusion{AccountIDs: slices.Clone(c.AccountIds), ResourceTags: slices.Clone(c.ResourceTags)})
	}
	return out, nil
}

// excluded reports whether an entity of account with tags is excluded by
// one of the exclusions.
func excluded(excl []exclusion, account string, tags []store.Tag) bool {
	for _, e := range excl {
		if len(e.AccountIDs) > 0 && !slices.Contains(e.AccountIDs, account) {
			continue
		}
		if len(e.ResourceTags) == 0 || slices.ContainsFunc(e.ResourceTags, func(want map[string]string) bool { return hasTags(tags, want) }) {
			return true
		}
	}
	return false
}

// accountExcluded reports whether an exclusion names account with no tag:
// every entity of the account is excluded.
func accountExcluded(excl []exclusion, account string) bool {
	return slices.ContainsFunc(excl, func(e exclusion) bool { return len(e.ResourceTags) == 0 && slices.Contains(e.AccountIDs, account) })
}

// hasTags reports whether tags carry every pair of want; an empty wanted
// value matches any value of the key.
func hasTags(tags []store.Tag, want map[string]string) bool {
	for k, v := range want {
		if !slices.ContainsFunc(tags, func(t store.Tag) bool { return t.Key == k && (v == "" || t.Value == v) }) {
			return false
		}
	}
	return true
}
