package accessanalyzer

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/lastaccess"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
)

// The unused access analyzer (AWS's ACCOUNT_UNUSED_ACCESS; IAM User Guide,
// "IAM Access Analyzer findings for unused access",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html).
// It reports, for the users and roles of its account:
//
//   - UnusedIAMRole: a role with no activity within the unused access age
//     (its RoleLastUsed, or an event of the role in the audit trail); a
//     role never used counts from its creation. Service-linked roles are
//     AWS's and are not analyzed.
//   - UnusedIAMUserAccessKey: an active access key not used within the age
//     (its last use, or its creation if never used).
//   - IAMUserAccessKeyNotRotated (Gatehouse's, not in AWS's model): an
//     active access key created longer ago than the server's maximum access
//     key age (serve --max-access-key-age, 90 days by default), the check
//     of AWS Config's access-keys-rotated rule ("Checks if active IAM access
//     keys are rotated (changed) within the number of days specified in
//     maxAccessKeyAge ... The default value is 90 days",
//     https://docs.aws.amazon.com/config/latest/developerguide/access-keys-rotated.html),
//     whose resource is the user, as the rule marks the AWS::IAM::User
//     noncompliant. Its details are an UnusedIamUserAccessKeyDetails (the
//     key's id and last use), and the key's creation date is the
//     credential report's access_key_N_last_rotated, so the report and the
//     findings name the same keys.
//   - UnusedIAMUserPassword: a console password (login profile) not used
//     within the age (the user's PasswordLastUsed, or the profile's
//     creation).
//   - UnusedPermission: one finding per service an entity's permissions
//     policies allow (lastaccess.Allowed, the rule of last accessed data)
//     that the entity has not used within the age; for the services AWS
//     tracks at action level (lastaccess.Tracked: IAM, S3 management
//     actions) also a used service whose allowed tracked actions were not
//     all used, the finding listing the unused ones. An entity younger than
//     the age has no unused permission yet; an unused role's permissions
//     are reported by its UnusedIAMRole finding alone. Without the audit
//     trail (serve --audit=false) roles are judged by RoleLastUsed alone
//     and permissions are not analyzed.
//
// AWS scans periodically; Gatehouse scans when the analyzer is created and
// whenever its findings are read (ListFindingsV2, GetFindingV2,
// GetFindingsStatistics), reading the trail under scanDeadline, so a
// client sees what a scan at that moment would report. A finding whose
// condition no longer holds (the entity was used, deleted, or its policies
// changed) is RESOLVED by that scan; if the condition comes back the finding
// is ACTIVE again. Archive rules archive new findings that match them.

// scanDeadline bounds the reading of the trail for one scan.
const scanDeadline = 20 * time.Second

// DefaultMaxAccessKeyAge is AWS Config's default maxAccessKeyAge of the
// access-keys-rotated rule: 90 days.
const DefaultMaxAccessKeyAge = 90 * 24 * time.Hour

// FindingTypeAccessKeyNotRotated is the type of the findings of active
// access keys older than the maximum access key age. It is Gatehouse's:
// AWS reports such keys through AWS Config's access-keys-rotated rule, not
// IAM Access Analyzer, whose model has no such type (SDKs read it as an
// unknown enum value).
const FindingTypeAccessKeyNotRotated analyzerapi.FindingType = "IAMUserAccessKeyNotRotated"

// Policies gives the identity policies of users and roles; the
// authorization view (*authview.Directory) is one.
type Policies interface {
	UserPolicies(ctx context.Context, account, userName string) (*policy.Set, error)
	RolePolicies(ctx context.Context, account, roleName string) (*policy.Set, error)
}

// unusedDetail is what an unused access finding reports besides its
// resource.
type unusedDetail struct {
	LastAccessed     *time.Time     `json:"lastAccessed,omitempty"`
	AccessKeyID      string         `json:"accessKeyId,omitempty"`
	ServiceNamespace string         `json:"serviceNamespace,omitempty"`
	Actions          []unusedAction `json:"actions,omitempty"`
}

// unusedAction is an unused action of an UnusedPermission finding.
type unusedAction struct {
	Action       string     `json:"action"`
	LastAccessed *time.Time `json:"lastAccessed,omitempty"`
}

// unusedKey identifies an unused access finding within its analyzer: the
// type, the entity, and the key or service it is about.
func unusedKey(typ, resource string, d *unusedDetail) string {
	b, _ := json.Marshal([]string{typ, resource, d.AccessKeyID, d.ServiceNamespace})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// entity is a user or role the analyzer looks at.
type entity struct {
	arn, name, typ string
	created        time.Time
	role           bool
	// lastUsed is a role's RoleLastUsed.
	lastUsed time.Time
	tags     []store.Tag
}

// unusedState is what the store says of the account's users and roles.
type unusedState struct {
	entities []entity
	// keys are the users' active access keys.
	keys []store.AccessKey
	// passwords maps a user's ARN to its password's last use (or the
	// profile's creation) and whether it was ever used.
	passwords map[string]passwordUse
}

type passwordUse struct {
	since time.Time
	used  bool
}

// readState reads the account's users, roles, active access keys and login
// profiles.
func (s *Service) readState(ctx context.Context, account string) (unusedState, error) {
	st := unusedState{passwords: map[string]passwordUse{}}
	err := s.view(ctx, func(tx store.ReadTx) error {
		users, err := store.ListValues[store.User](ctx, tx, store.ListOptions{Kind: store.KindUser, Account: account})
		if err != nil {
			return err
		}
		for _, u := range users {
			st.entities = append(st.entities, entity{arn: u.ARN, name: u.Name, typ: string(analyzerapi.ResourceTypeAWSIAMUser), created: u.CreateDate, tags: u.Tags})
			lp, err := store.GetJSON[store.LoginProfile](ctx, tx, store.KindLoginProfile, account, store.LoginProfileKey(u.Name))
			switch {
			case err == nil:
				if u.PasswordLastUsed.After(lp.CreateDate) {
					st.passwords[u.ARN] = passwordUse{since: u.PasswordLastUsed, used: true}
				} else {
					st.passwords[u.ARN] = passwordUse{since: lp.CreateDate}
				}
			case !isNotFound(err):
				return err
			}
			refs, err := store.ListValues[store.AccessKeyRef](ctx, tx, store.ListOptions{Kind: store.KindUserAccessKey, Account: account, Prefix: store.UserAccessKeyPrefix(u.Name)})
			if err != nil {
				return err
			}
			for _, r := range refs {
				k, err := store.GetJSON[store.AccessKey](ctx, tx, store.KindAccessKey, "", r.AccessKeyID)
				if isNotFound(err) {
					continue
				}
				if err != nil {
					return err
				}
				if k.Status == store.StatusActive {
					st.keys = append(st.keys, k)
				}
			}
		}
		roles, err := store.ListValues[store.Role](ctx, tx, store.ListOptions{Kind: store.KindRole, Account: account})
		if err != nil {
			return err
		}
		for _, r := range roles {
			if r.ServiceLinked {
				continue
			}
			st.entities = append(st.entities, entity{arn: r.ARN, name: r.Name, typ: typeRole, created: r.CreateDate, role: true, lastUsed: r.RoleLastUsed.Date,
				tags: r.Tags})
		}
		return nil
	})
	return st, err
}

// observeUnused computes the unused access analyzer a of account reports
// now, in every account of its zone of trust but those its exclusions name,
// keyed by finding key; the records carry type, resource, owner and details
// only. disabled is set, and nothing observed, when a is a disabled
// organization analyzer.
func (s *Service) observeUnused(ctx context.Context, account string, a *analyzerRecord) (out map[string]findingRecord, disabled bool, err error) {
	var z zone
	var reason *analyzerapi.ReasonCode
	if err := s.view(ctx, func(tx store.ReadTx) (err error) {
		z, reason, err = zoneOf(ctx, tx, a, account)
		return err
	}); err != nil {
		return nil, false, err
	}
	if reason != nil {
		return nil, true, nil
	}
	out = map[string]findingRecord{}
	for _, acct := range z.accounts {
		if accountExcluded(a.Exclusions, acct) {
			continue
		}
		if err := s.observeAccount(ctx, acct, a, out); err != nil {
			return nil, false, fmt.Errorf("account %s: %w", acct, err)
		}
	}
	return out, false, nil
}

// observeAccount adds to out the unused access of account's users and
// roles that a reports.
func (s *Service) observeAccount(ctx context.Context, account string, a *analyzerRecord, out map[string]findingRecord) error {
	st, err := s.readState(ctx, account)
	if err != nil {
		return err
	}
	st.entities = slices.DeleteFunc(st.entities, func(e entity) bool { return excluded(a.Exclusions, account, e.tags) })
	now := s.now().UTC()
	cutoff := now.AddDate(0, 0, -a.UnusedAccessAge)
	add := func(typ analyzerapi.FindingType, resource, resourceType string, d unusedDetail) {
		f := findingRecord{FindingType: string(typ), Resource: resource, ResourceType: resourceType, Owner: account, Unused: &d}
		out[f.key()] = f
	}
	rotateBy := now.Add(-s.maxKeyAge)
	for _, k := range st.keys {
		userARN := userARNOf(st.entities, k.UserName)
		if userARN == "" {
			continue
		}
		since, used := k.CreateDate, !k.LastUsed.Date.IsZero()
		if k.CreateDate.Before(rotateBy) {
			add(FindingTypeAccessKeyNotRotated, userARN, string(analyzerapi.ResourceTypeAWSIAMUser),
				unusedDetail{AccessKeyID: k.ID, LastAccessed: timeIf(used, k.LastUsed.Date)})
		}
		if used {
			since = k.LastUsed.Date
		}
		if since.Before(cutoff) {
			add(analyzerapi.FindingTypeUnusedIAMUserAccessKey, userARN, string(analyzerapi.ResourceTypeAWSIAMUser),
				unusedDetail{AccessKeyID: k.ID, LastAccessed: timeIf(used, since)})
		}
	}
	for userARN, p := range st.passwords {
		if !slices.ContainsFunc(st.entities, func(e entity) bool { return e.arn == userARN }) {
			continue // excluded
		}
		if p.since.Before(cutoff) {
			add(analyzerapi.FindingTypeUnusedIAMUserPassword, userARN, string(analyzerapi.ResourceTypeAWSIAMUser),
				unusedDetail{LastAccessed: timeIf(p.used, p.since)})
		}
	}
	tctx, cancel := context.WithTimeout(ctx, scanDeadline)
	defer cancel()
	for _, e := range st.entities {
		if !e.created.Before(cutoff) {
			continue // younger than the age: nothing can be unused for that long yet
		}
		if s.trail == nil {
			// Without the audit trail (serve --audit=false) only the
			// store's last-used dates are known: roles are judged by
			// RoleLastUsed and permissions are not analyzed.
			if e.role && (e.lastUsed.IsZero() || e.lastUsed.Before(cutoff)) {
				add(analyzerapi.FindingTypeUnusedIAMRole, e.arn, e.typ, unusedDetail{LastAccessed: timeIf(!e.lastUsed.IsZero(), e.lastUsed)})
			}
			continue
		}
		var set *policy.Set
		if e.role {
			set, err = s.policies.RolePolicies(tctx, account, e.name)
		} else {
			set, err = s.policies.UserPolicies(tctx, account, e.name)
		}
		if isNotFound(err) {
			continue // deleted since the store was read
		}
		if err != nil {
			return fmt.Errorf("policies of %s: %w", e.arn, err)
		}
		allowed := lastaccess.Allowed(set.Identity)
		uses, err := lastaccess.Read(tctx, s.trail, account, e.arn, now.Add(-lastaccess.TrackingPeriod), lastaccess.Complete(allowed, true))
		if err != nil {
			return err
		}
		if e.role {
			last := e.lastUsed
			for _, u := range uses.Services {
				if u.Time.After(last) {
					last = u.Time
				}
			}
			if last.IsZero() || last.Before(cutoff) {
				add(analyzerapi.FindingTypeUnusedIAMRole, e.arn, e.typ, unusedDetail{LastAccessed: timeIf(!last.IsZero(), last)})
				continue
			}
		}
		for ns, names := range allowed {
			svc, used := uses.Services[ns]
			d := unusedDetail{ServiceNamespace: ns, LastAccessed: timeIf(used, svc.Time)}
			for _, n := range names {
				if !lastaccess.Tracked(ns, n) {
					continue
				}
				acc, ok := uses.Actions[ns+":"+n]
				if ok && !acc.Time.Before(cutoff) {
					continue
				}
				d.Actions = append(d.Actions, unusedAction{Action: n, LastAccessed: timeIf(ok, acc.Time)})
			}
			if !used || svc.Time.Before(cutoff) || len(d.Actions) > 0 {
				add(analyzerapi.FindingTypeUnusedPermission, e.arn, e.typ, d)
			}
		}
	}
	return nil
}

func userARNOf(es []entity, name string) string {
	for _, e := range es {
		if !e.role && strings.EqualFold(e.name, name) {
			return e.arn
		}
	}
	return ""
}

// timeIf is &t when ok, else nil.
func timeIf(ok bool, t time.Time) *time.Time {
	if !ok {
		return nil
	}
	t = t.UTC()
	return &t
}

// reconcileUnused brings the analyzer's stored findings in line with what
// observeUnused found: new unused access is a new finding (ARCHIVED when an
// archive rule matches), changed details update their finding, a resolved
// finding whose condition is back is ACTIVE again, and a finding not
// observed is RESOLVED. It returns the analyzer's findings.
func (s *Service) reconcileUnused(ctx context.Context, tx store.Tx, a *analyzerRecord, account string, observed map[string]findingRecord) ([]findingRecord, error) {
	existing, err := storedFindings(ctx, tx, a, account)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var out []findingRecord
	put := func(f findingRecord) error {
		return store.PutJSON(ctx, tx, kindFinding, account, findingPrefix(*a)+f.key(), f)
	}
	for key, o := range observed {
		f, ok := existing[key]
		switch {
		case !ok:
			id, err := s.newID()
			if err != nil {
				return nil, err
			}
			f = o
			f.ID, f.Status, f.CreatedAt, f.AnalyzedAt, f.UpdatedAt = id, string(analyzerapi.FindingStatusACTIVE), now, now, now
			if a.archives(&f) {
				f.Status = string(analyzerapi.FindingStatusARCHIVED)
			}
		case f.Status == string(analyzerapi.FindingStatusRESOLVED) || !sameDetail(f.Unused, o.Unused):
			if f.Status == string(analyzerapi.FindingStatusRESOLVED) {
				f.Status = string(analyzerapi.FindingStatusACTIVE)
			}
			f.Unused, f.AnalyzedAt, f.UpdatedAt = o.Unused, now, now
		default:
			out = append(out, f)
			continue
		}
		if err := put(f); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	for key, f := range existing {
		if _, ok := observed[key]; ok {
			continue
		}
		if f.Status != string(analyzerapi.FindingStatusRESOLVED) {
			f.Status, f.AnalyzedAt, f.UpdatedAt = string(analyzerapi.FindingStatusRESOLVED), now, now
			if err := put(f); err != nil {
				return nil, err
			}
		}
		out = append(out, f)
	}
	a.LastAnalyzedAt = now
	return out, store.PutJSON(ctx, tx, kindAnalyzer, account, analyzerKey(a.Region, a.Name), *a)
}

func sameDetail(x, y *unusedDetail) bool {
	bx, _ := json.Marshal(x)
	by, _ := json.Marshal(y)
	return string(bx) == string(by)
}

// storedFindings reads an analyzer's findings by key, without scanning.
func storedFindings(ctx context.Context, tx store.ReadTx, a *analyzerRecord, account string) (map[string]findingRecord, error) {
	entries, err := store.ListJSON[findingRecord](ctx, tx, store.ListOptions{Kind: kindFinding, Account: account, Prefix: findingPrefix(*a)})
	if err != nil {
		return nil, err
	}
	out := make(map[string]findingRecord, len(entries))
	for _, e := range entries {
		out[strings.TrimPrefix(e.Key, findingPrefix(*a))] = e.Value
	}
	return out, nil
}

// findingDetails is a finding's findingDetails entry for GetFindingV2.
func (f *findingRecord) details() analyzerapi.FindingDetails {
	d := f.Unused
	switch analyzerapi.FindingType(f.FindingType) {
	case analyzerapi.FindingTypeUnusedIAMRole:
		return analyzerapi.FindingDetails{UnusedIamRoleDetails: &analyzerapi.UnusedIamRoleDetails{LastAccessed: d.LastAccessed}}
	case analyzerapi.FindingTypeUnusedIAMUserAccessKey, FindingTypeAccessKeyNotRotated:
		return analyzerapi.FindingDetails{UnusedIamUserAccessKeyDetails: &analyzerapi.UnusedIamUserAccessKeyDetails{AccessKeyId: d.AccessKeyID, LastAccessed: d.LastAccessed}}
	case analyzerapi.FindingTypeUnusedIAMUserPassword:
		return analyzerapi.FindingDetails{UnusedIamUserPasswordDetails: &analyzerapi.UnusedIamUserPasswordDetails{LastAccessed: d.LastAccessed}}
	case analyzerapi.FindingTypeUnusedPermission:
		p := &analyzerapi.UnusedPermissionDetails{ServiceNamespace: d.ServiceNamespace, LastAccessed: d.LastAccessed}
		for _, act := range d.Actions {
			p.Actions = append(p.Actions, analyzerapi.UnusedAction{Action: act.Action, LastAccessed: act.LastAccessed})
		}
		return analyzerapi.FindingDetails{UnusedPermissionDetails: p}
	}
	a := f.api()
	return analyzerapi.FindingDetails{ExternalAccessDetails: &analyzerapi.ExternalAccessDetails{
		Action: a.Action, Condition: a.Condition, IsPublic: a.IsPublic, Principal: a.Principal, Sources: a.Sources,
	}}
}

// typeOf is a finding's type: stored records of external access analyzers
// have none.
func (f *findingRecord) typeOf() analyzerapi.FindingType {
	if f.FindingType == "" {
		return analyzerapi.FindingTypeExternalAccess
	}
	return analyzerapi.FindingType(f.FindingType)
}

// statistics counts an unused access analyzer's findings
// (GetFindingsStatistics): active ones by type, and all by status; the
// accounts with active findings (topAccounts), most first.
func unusedStatistics(fs []findingRecord) *analyzerapi.UnusedAccessFindingsStatistics {
	var active, archived, resolved int32
	byType := map[string]int32{}
	byAccount := map[string]map[string]int32{}
	for _, f := range fs {
		switch f.Status {
		case string(analyzerapi.FindingStatusACTIVE):
			active++
			byType[f.FindingType]++
			if byAccount[f.Owner] == nil {
				byAccount[f.Owner] = map[string]int32{}
			}
			byAccount[f.Owner][f.FindingType]++
		case string(analyzerapi.FindingStatusARCHIVED):
			archived++
		default:
			resolved++
		}
	}
	out := &analyzerapi.UnusedAccessFindingsStatistics{TotalActiveFindings: &active, TotalArchivedFindings: &archived, TotalResolvedFindings: &resolved,
		UnusedAccessTypeStatistics: []analyzerapi.UnusedAccessTypeStatistics{}, TopAccounts: []analyzerapi.FindingAggregationAccountDetails{}}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	slices.Sort(types)
	for _, t := range types {
		n := byType[t]
		out.UnusedAccessTypeStatistics = append(out.UnusedAccessTypeStatistics, analyzerapi.UnusedAccessTypeStatistics{UnusedAccessType: str(t), Total: &n})
	}
	for acct, details := range byAccount {
		var n int32
		for _, c := range details {
			n += c
		}
		out.TopAccounts = append(out.TopAccounts, analyzerapi.FindingAggregationAccountDetails{Account: str(acct), NumberOfActiveFindings: &n, Details: details})
	}
	slices.SortFunc(out.TopAccounts, func(x, y analyzerapi.FindingAggregationAccountDetails) int {
		return cmp.Or(cmp.Compare(*y.NumberOfActiveFindings, *x.NumberOfActiveFindings), cmp.Compare(*x.Account, *y.Account))
	})
	return out
}

// externalStatistics counts an external access analyzer's findings by
// status, and its active ones per resource type (public or cross-account).
func externalStatistics(fs []findingRecord) *analyzerapi.ExternalAccessFindingsStatistics {
	var active, archived, resolved int32
	type counts struct{ public, cross int32 }
	byType := map[analyzerapi.ResourceType]*counts{}
	for _, f := range fs {
		switch f.Status {
		case string(analyzerapi.FindingStatusACTIVE):
			active++
			rt := analyzerapi.ResourceType(f.ResourceType)
			if byType[rt] == nil {
				byType[rt] = &counts{}
			}
			if f.IsPublic {
				byType[rt].public++
			} else {
				byType[rt].cross++
			}
		case string(analyzerapi.FindingStatusARCHIVED):
			archived++
		default:
			resolved++
		}
	}
	out := &analyzerapi.ExternalAccessFindingsStatistics{TotalActiveFindings: &active, TotalArchivedFindings: &archived, TotalResolvedFindings: &resolved,
		ResourceTypeStatistics: map[analyzerapi.ResourceType]analyzerapi.ResourceTypeDetails{}}
	for rt, c := range byType {
		var zero int32
		out.ResourceTypeStatistics[rt] = analyzerapi.ResourceTypeDetails{TotalActivePublic: &c.public, TotalActiveCrossAccount: &c.cross, TotalActiveErrors: &zero}
	}
	return out
}
