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
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

// findingRecord is one finding: an access of one principal, under one
// condition, to one resource. Its key (findingKey) is derived from those, so
// the same access found again is the same finding.
type findingRecord struct {
	ID           string            `json:"id"`
	Resource     string            `json:"resource"`
	ResourceType string            `json:"resourceType"`
	Owner        string            `json:"owner"`
	Principal    map[string]string `json:"principal"`
	Action       []string          `json:"action"`
	Condition    map[string]string `json:"condition,omitempty"`
	IsPublic     bool              `json:"isPublic"`
	Status       string            `json:"status"`
	CreatedAt    time.Time         `json:"createdAt"`
	AnalyzedAt   time.Time         `json:"analyzedAt"`
	UpdatedAt    time.Time         `json:"updatedAt"`
	// FindingType is an unused access finding's type ("" for external
	// access) and Unused its details (unused.go).
	FindingType string        `json:"findingType,omitempty"`
	Unused      *unusedDetail `json:"unused,omitempty"`
	// Sources are how a bucket's access is granted (POLICY, BUCKET_ACL).
	Sources []string `json:"sources,omitempty"`
}

// key is the finding's record key within its analyzer.
func (f *findingRecord) key() string {
	if f.Unused != nil {
		return unusedKey(f.FindingType, f.Resource, f.Unused)
	}
	return findingKey(f.Resource, f.Principal, f.Condition)
}

func findingPrefix(a analyzerRecord) string { return a.Region + "/" + a.Name + "/" }

// findingKey identifies an access within an analyzer.
func findingKey(resource string, principal, condition map[string]string) string {
	b, _ := json.Marshal([]any{resource, principal, condition}) // maps marshal with sorted keys
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

func (s *Service) findingOps() []operation.Op {
	byARN := func(c *identity.Caller, arn string) string { return arn }
	return []operation.Op{
		op("ListFindings", func(c *identity.Caller, in *analyzerapi.ListFindingsRequest) string { return byARN(c, in.AnalyzerArn) }, s.listFindings),
		op("ListFindingsV2", func(c *identity.Caller, in *analyzerapi.ListFindingsV2Request) string {
			return byARN(c, in.AnalyzerArn)
		}, s.listFindingsV2),
		op("GetFinding", func(c *identity.Caller, in *analyzerapi.GetFindingRequest) string { return byARN(c, in.AnalyzerArn) }, s.getFinding),
		op("GetFindingV2", func(c *identity.Caller, in *analyzerapi.GetFindingV2Request) string { return byARN(c, in.AnalyzerArn) }, s.getFindingV2),
		op("UpdateFindings", func(c *identity.Caller, in *analyzerapi.UpdateFindingsRequest) string {
			return byARN(c, in.AnalyzerArn)
		}, s.updateFindings),
		op("GetFindingsStatistics", func(c *identity.Caller, in *analyzerapi.GetFindingsStatisticsRequest) string {
			return byARN(c, in.AnalyzerArn)
		}, s.getFindingsStatistics),
		op("StartResourceScan", func(c *identity.Caller, in *analyzerapi.StartResourceScanRequest) string {
			return byARN(c, in.AnalyzerArn)
		}, s.startResourceScan),
		op("GetAnalyzedResource", func(c *identity.Caller, in *analyzerapi.GetAnalyzedResourceRequest) string {
			return byARN(c, in.AnalyzerArn)
		}, s.getAnalyzedResource),
	}
}

// analyzed is one resource of an account and the external access it gives.
type analyzed struct {
	arn, typ, owner string
	accesses        []access
}

// analyzeZone analyzes the resources of every account of zone z that an
// external access analyzer of region looks at.
func analyzeZone(ctx context.Context, tx store.ReadTx, z zone, region string) ([]analyzed, error) {
	var out []analyzed
	for _, account := range z.accounts {
		rs, err := analyzeAccount(ctx, tx, z, account, region)
		if err != nil {
			return nil, fmt.Errorf("analyzing account %s: %w", account, err)
		}
		out = append(out, rs...)
	}
	return out, nil
}

// analyzeAccount analyzes the resources of account an external access
// analyzer of region looks at, against zone z: the account's IAM roles
// (global) and its S3 buckets in the region.
func analyzeAccount(ctx context.Context, tx store.ReadTx, z zone, account, region string) ([]analyzed, error) {
	roles, err := store.ListValues[store.Role](ctx, tx, store.ListOptions{Kind: store.KindRole, Account: account})
	if err != nil {
		return nil, err
	}
	var out []analyzed
	for _, r := range roles {
		out = append(out, analyzed{arn: r.ARN, typ: typeRole, owner: account, accesses: analyzeRole(z, r.AssumeRolePolicyDocument)})
	}
	names, err := store.ListValues[store.AccountBucket](ctx, tx, store.ListOptions{Kind: store.KindAccountBucket, Account: account})
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return out, nil
	}
	settings, err := accountS3(ctx, tx, account)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		b, err := store.GetJSON[store.Bucket](ctx, tx, store.KindBucket, "", n.Name)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if b.Account != account || b.Region != region {
			continue
		}
		out = append(out, analyzed{arn: bucketARN(b.Name), typ: typeBucket, owner: account,
			accesses: analyzeBucket(z, bucketConfigOf(&b, settings.PublicAccessBlock))})
	}
	return out, nil
}

// accountS3 reads an account's S3 settings (zero when it has none).
func accountS3(ctx context.Context, tx store.ReadTx, account string) (store.AccountS3, error) {
	s, err := store.GetJSON[store.AccountS3](ctx, tx, store.KindAccountS3, account, store.AccountS3Key)
	if isNotFound(err) {
		return store.AccountS3{}, nil
	}
	return s, err
}

// same reports whether a finding reports access acc as it is.
func (f *findingRecord) same(acc access) bool {
	return slices.Equal(f.Action, acc.Actions) && f.IsPublic == acc.Public && slices.Equal(f.Sources, acc.Sources)
}

// scan brings the findings of analyzer a up to date with the resources of
// its zone of trust (analyzeZone): a new access is a new finding (ARCHIVED if an archive rule
// matches it, else ACTIVE), an access that is gone resolves its finding, and
// a resolved access that is back is active again. It writes only what
// changed and returns the analyzer's findings.
func (s *Service) scan(ctx context.Context, tx store.Tx, a *analyzerRecord, account string) ([]findingRecord, error) {
	z, disabled, err := zoneOf(ctx, tx, a, account)
	if err != nil {
		return nil, err
	}
	if a.unused() || disabled != nil {
		// Unused access is observed outside the transaction (findings),
		// and a disabled analyzer updates nothing: here the stored
		// findings are what there is.
		m, err := storedFindings(ctx, tx, a, account)
		if err != nil {
			return nil, err
		}
		out := make([]findingRecord, 0, len(m))
		for _, f := range m {
			out = append(out, f)
		}
		return out, nil
	}
	resources, err := analyzeZone(ctx, tx, z, a.Region)
	if err != nil {
		return nil, err
	}
	entries, err := store.ListJSON[findingRecord](ctx, tx, store.ListOptions{Kind: kindFinding, Account: account, Prefix: findingPrefix(*a)})
	if err != nil {
		return nil, err
	}
	existing := make(map[string]findingRecord, len(entries))
	for _, e := range entries {
		existing[strings.TrimPrefix(e.Key, findingPrefix(*a))] = e.Value
	}
	now := s.now().UTC()
	seen := map[string]bool{}
	var out []findingRecord
	var lastResource string
	put := func(key string, f findingRecord) error {
		lastResource = f.Resource
		return store.PutJSON(ctx, tx, kindFinding, account, findingPrefix(*a)+key, f)
	}
	for _, r := range resources {
		for _, acc := range r.accesses {
			key := findingKey(r.arn, acc.Principal, acc.Condition)
			seen[key] = true
			f, ok := existing[key]
			switch {
			case !ok:
				id, err := s.newID()
				if err != nil {
					return nil, err
				}
				f = findingRecord{ID: id, Resource: r.arn, ResourceType: r.typ, Owner: r.owner, Principal: acc.Principal,
					Action: acc.Actions, Condition: acc.Condition, IsPublic: acc.Public, Sources: acc.Sources,
					Status: string(analyzerapi.FindingStatusACTIVE), CreatedAt: now, AnalyzedAt: now, UpdatedAt: now}
				if a.archives(&f) {
					f.Status = string(analyzerapi.FindingStatusARCHIVED)
				}
			case f.Status == string(analyzerapi.FindingStatusRESOLVED) || !f.same(acc):
				if f.Status == string(analyzerapi.FindingStatusRESOLVED) {
					f.Status = string(analyzerapi.FindingStatusACTIVE)
				}
				f.Action, f.IsPublic, f.Sources, f.AnalyzedAt, f.UpdatedAt = acc.Actions, acc.Public, acc.Sources, now, now
			default:
				out = append(out, f)
				continue
			}
			if err := put(key, f); err != nil {
				return nil, err
			}
			out = append(out, f)
		}
	}
	for key, f := range existing {
		if seen[key] {
			continue
		}
		if f.Status != string(analyzerapi.FindingStatusRESOLVED) {
			f.Status, f.AnalyzedAt, f.UpdatedAt = string(analyzerapi.FindingStatusRESOLVED), now, now
			if err := put(key, f); err != nil {
				return nil, err
			}
		}
		out = append(out, f)
	}
	if lastResource != "" {
		a.LastResource, a.LastAnalyzedAt = lastResource, now
		if err := store.PutJSON(ctx, tx, kindAnalyzer, account, analyzerKey(a.Region, a.Name), *a); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// findings scans the analyzer an ARN names and returns its findings.
func (s *Service) findings(ctx context.Context, c *identity.Caller, analyzerArn string) (analyzerRecord, []findingRecord, error) {
	var a analyzerRecord
	var fs []findingRecord
	if err := s.view(ctx, func(tx store.ReadTx) (err error) {
		a, err = analyzerByARN(ctx, tx, c, analyzerArn)
		return err
	}); err != nil {
		return a, nil, err
	}
	if a.unused() {
		observed, disabled, err := s.observeUnused(ctx, c.Account, &a)
		if err != nil {
			return a, nil, serviceErr(fmt.Errorf("scanning %s: %w", a.ARN, err))
		}
		err = s.update(ctx, func(tx store.Tx) (err error) {
			// Re-read: the analyzer may have changed (or gone) meanwhile.
			if a, err = analyzerByARN(ctx, tx, c, analyzerArn); err != nil {
				return err
			}
			if disabled {
				fs, err = s.scan(ctx, tx, &a, c.Account) // the stored findings
				return err
			}
			fs, err = s.reconcileUnused(ctx, tx, &a, c.Account, observed)
			return err
		})
		return a, fs, err
	}
	err := s.update(ctx, func(tx store.Tx) (err error) {
		if a, err = analyzerByARN(ctx, tx, c, analyzerArn); err != nil {
			return err
		}
		fs, err = s.scan(ctx, tx, &a, c.Account)
		return err
	})
	return a, fs, err
}

// selectFindings filters, sorts and pages findings for ListFindings(V2).
func selectFindings(a *analyzerRecord, fs []findingRecord, filter map[string]analyzerapi.Criterion, sort *analyzerapi.SortCriteria, token *string, maxResults *int32) ([]findingRecord, *string, error) {
	f, err := storedFilter(filter, false, a.unused())
	if err != nil {
		return nil, nil, err
	}
	fs = slices.DeleteFunc(fs, func(x findingRecord) bool { return !matches(f, &x) })
	attr, desc := "createdAt", false
	if sort != nil {
		if sort.AttributeName != nil {
			attr = *sort.AttributeName
		}
		desc = sort.OrderBy != nil && *sort.OrderBy == analyzerapi.OrderByDESC
	}
	key, ok := sortKeys[attr]
	if !ok {
		return nil, nil, invalid("sort.attributeName", "Findings cannot be sorted by "+attr+".")
	}
	slices.SortStableFunc(fs, func(x, y findingRecord) int {
		c := cmp.Or(key(&x, &y), cmp.Compare(x.ID, y.ID))
		if desc {
			return -c
		}
		return c
	})
	start, limit, err := page(token, maxResults, len(fs))
	if err != nil {
		return nil, nil, err
	}
	end := min(start+limit, len(fs))
	return fs[start:end], nextToken(end, len(fs)), nil
}

// sortKeys are the attributes findings can be sorted by.
var sortKeys = map[string]func(x, y *findingRecord) int{
	"createdAt":            func(x, y *findingRecord) int { return x.CreatedAt.Compare(y.CreatedAt) },
	"updatedAt":            func(x, y *findingRecord) int { return x.UpdatedAt.Compare(y.UpdatedAt) },
	"analyzedAt":           func(x, y *findingRecord) int { return x.AnalyzedAt.Compare(y.AnalyzedAt) },
	"resource":             func(x, y *findingRecord) int { return cmp.Compare(x.Resource, y.Resource) },
	"resourceType":         func(x, y *findingRecord) int { return cmp.Compare(x.ResourceType, y.ResourceType) },
	"resourceOwnerAccount": func(x, y *findingRecord) int { return cmp.Compare(x.Owner, y.Owner) },
	"status":               func(x, y *findingRecord) int { return cmp.Compare(x.Status, y.Status) },
	"id":                   func(x, y *findingRecord) int { return cmp.Compare(x.ID, y.ID) },
}

func (f *findingRecord) api() *analyzerapi.Finding {
	cond := f.Condition
	if cond == nil {
		cond = map[string]string{}
	}
	return &analyzerapi.Finding{
		Id: f.ID, Principal: f.Principal, Action: f.Action, Resource: str(f.Resource), IsPublic: &f.IsPublic,
		ResourceType: analyzerapi.ResourceType(f.ResourceType), Condition: cond, CreatedAt: f.CreatedAt, AnalyzedAt: f.AnalyzedAt,
		UpdatedAt: f.UpdatedAt, Status: analyzerapi.FindingStatus(f.Status), ResourceOwnerAccount: f.Owner, Sources: findingSources(f.Sources),
	}
}

// findingSources is a finding's sources as the API gives them.
func findingSources(src []string) []analyzerapi.FindingSource {
	var out []analyzerapi.FindingSource
	for _, t := range src {
		out = append(out, analyzerapi.FindingSource{Type: analyzerapi.FindingSourceType(t)})
	}
	return out
}

func (s *Service) listFindings(ctx context.Context, c *identity.Caller, in *analyzerapi.ListFindingsRequest) (*analyzerapi.ListFindingsResponse, error) {
	a, fs, err := s.findings(ctx, c, in.AnalyzerArn)
	if err != nil {
		return nil, err
	}
	if a.unused() {
		return nil, errV1Unused("ListFindings")
	}
	sel, next, err := selectFindings(&a, fs, in.Filter, in.Sort, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &analyzerapi.ListFindingsResponse{Findings: []analyzerapi.FindingSummary{}, NextToken: next}
	for i := range sel {
		f := sel[i].api()
		out.Findings = append(out.Findings, analyzerapi.FindingSummary{
			Id: f.Id, Principal: f.Principal, Action: f.Action, Resource: f.Resource, IsPublic: f.IsPublic, ResourceType: f.ResourceType,
			Condition: f.Condition, CreatedAt: f.CreatedAt, AnalyzedAt: f.AnalyzedAt, UpdatedAt: f.UpdatedAt, Status: f.Status,
			ResourceOwnerAccount: f.ResourceOwnerAccount, Sources: f.Sources,
		})
	}
	return out, nil
}

func (s *Service) listFindingsV2(ctx context.Context, c *identity.Caller, in *analyzerapi.ListFindingsV2Request) (*analyzerapi.ListFindingsV2Response, error) {
	a, fs, err := s.findings(ctx, c, in.AnalyzerArn)
	if err != nil {
		return nil, err
	}
	sel, next, err := selectFindings(&a, fs, in.Filter, in.Sort, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &analyzerapi.ListFindingsV2Response{Findings: []analyzerapi.FindingSummaryV2{}, NextToken: next}
	for _, f := range sel {
		ft := f.typeOf()
		out.Findings = append(out.Findings, analyzerapi.FindingSummaryV2{
			AnalyzedAt: f.AnalyzedAt, CreatedAt: f.CreatedAt, Id: f.ID, Resource: str(f.Resource), ResourceType: analyzerapi.ResourceType(f.ResourceType),
			ResourceOwnerAccount: f.Owner, Status: analyzerapi.FindingStatus(f.Status), UpdatedAt: f.UpdatedAt, FindingType: &ft,
		})
	}
	return out, nil
}

// findingByID scans the analyzer and returns the finding with id.
func (s *Service) findingByID(ctx context.Context, c *identity.Caller, analyzerArn, id string) (analyzerRecord, findingRecord, error) {
	a, fs, err := s.findings(ctx, c, analyzerArn)
	if err != nil {
		return a, findingRecord{}, err
	}
	for _, f := range fs {
		if f.ID == id {
			return a, f, nil
		}
	}
	return a, findingRecord{}, notFound("Finding "+id+" not found.", id, typeFinding)
}

// errV1Unused refuses a findings operation of the first API on an unused
// access analyzer: "GetFinding is supported only for external access
// analyzers. You must use GetFindingV2 for unused access analyzers" (the
// operations' documentation in the API reference).
func errV1Unused(op string) error {
	return invalid("analyzerArn", op+" is supported only for external access analyzers. You must use "+op+"V2 for unused access analyzers.")
}

func (s *Service) getFinding(ctx context.Context, c *identity.Caller, in *analyzerapi.GetFindingRequest) (*analyzerapi.GetFindingResponse, error) {
	a, f, err := s.findingByID(ctx, c, in.AnalyzerArn, in.Id)
	if a.unused() {
		return nil, errV1Unused("GetFinding")
	}
	if err != nil {
		return nil, err
	}
	return &analyzerapi.GetFindingResponse{Finding: f.api()}, nil
}

// getFindingV2 returns the finding with its one detail: the external
// access, or the unused access.
func (s *Service) getFindingV2(ctx context.Context, c *identity.Caller, in *analyzerapi.GetFindingV2Request) (*analyzerapi.GetFindingV2Response, error) {
	_, f, err := s.findingByID(ctx, c, in.AnalyzerArn, in.Id)
	if err != nil {
		return nil, err
	}
	details := []analyzerapi.FindingDetails{f.details()}
	start, limit, err := page(in.NextToken, in.MaxResults, len(details))
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(details))
	ft := f.typeOf()
	return &analyzerapi.GetFindingV2Response{
		AnalyzedAt: f.AnalyzedAt, CreatedAt: f.CreatedAt, Id: f.ID, NextToken: nextToken(end, len(details)), Resource: str(f.Resource),
		ResourceType: analyzerapi.ResourceType(f.ResourceType), ResourceOwnerAccount: f.Owner, Status: analyzerapi.FindingStatus(f.Status),
		UpdatedAt: f.UpdatedAt, FindingDetails: details[start:end], FindingType: &ft,
	}, nil
}

// updateFindings archives or re-opens findings, named by id or by resource.
// Resolved findings keep their status: the access they reported is gone.
func (s *Service) updateFindings(ctx context.Context, c *identity.Caller, in *analyzerapi.UpdateFindingsRequest) (*emptyOutput, error) {
	if (len(in.Ids) == 0) == (in.ResourceArn == nil) {
		return nil, invalid("ids", "Specify either ids or resourceArn.")
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		a, err := analyzerByARN(ctx, tx, c, in.AnalyzerArn)
		if err != nil {
			return err
		}
		fs, err := s.scan(ctx, tx, &a, c.Account)
		if err != nil {
			return err
		}
		byID := map[string]findingRecord{}
		for _, f := range fs {
			byID[f.ID] = f
		}
		var targets []findingRecord
		if in.ResourceArn != nil {
			for _, f := range fs {
				if f.Resource == *in.ResourceArn {
					targets = append(targets, f)
				}
			}
		}
		for _, id := range in.Ids {
			f, ok := byID[id]
			if !ok {
				return notFound("Finding "+id+" not found.", id, typeFinding)
			}
			targets = append(targets, f)
		}
		now := s.now().UTC()
		for _, f := range targets {
			if f.Status == string(analyzerapi.FindingStatusRESOLVED) || f.Status == string(in.Status) {
				continue
			}
			f.Status, f.UpdatedAt = string(in.Status), now
			if err := store.PutJSON(ctx, tx, kindFinding, c.Account, findingPrefix(a)+f.key(), f); err != nil {
				return err
			}
		}
		return nil
	}))
}

// resourceRef is a resource an analyzer analyzes: its ARN, type, owner
// account and creation date.
type resourceRef struct {
	arn, typ, owner string
	created         time.Time
}

// resourceOf returns the resource an ARN names in an account of zone z: an
// IAM role, or an S3 bucket of the caller's region.
func resourceOf(ctx context.Context, tx store.ReadTx, c *identity.Caller, z zone, resourceArn string) (resourceRef, error) {
	if name, ok := strings.CutPrefix(resourceArn, "arn:aws:s3:::"); ok && name != "" && !strings.Contains(name, "/") {
		b, err := store.GetJSON[store.Bucket](ctx, tx, store.KindBucket, "", name)
		if isNotFound(err) || (err == nil && (!z.trusts(b.Account) || b.Region != c.Region)) {
			return resourceRef{}, notFound("Resource "+resourceArn+" not found.", resourceArn, typeBucket)
		}
		return resourceRef{arn: resourceArn, typ: typeBucket, owner: b.Account, created: b.CreateDate}, err
	}
	account, rest, ok := strings.Cut(strings.TrimPrefix(resourceArn, "arn:aws:iam::"), ":role/")
	if !strings.HasPrefix(resourceArn, "arn:aws:iam::") || !ok || rest == "" || !z.trusts(account) {
		return resourceRef{}, notFound("Resource "+resourceArn+" is not an IAM role or S3 bucket of account "+c.Account+" that the analyzer can analyze.", resourceArn, typeRole)
	}
	name := rest[strings.LastIndex(rest, "/")+1:]
	r, err := store.GetJSON[store.Role](ctx, tx, store.KindRole, account, store.RoleKey(name))
	if isNotFound(err) || (err == nil && r.ARN != resourceArn) {
		return resourceRef{}, notFound("Resource "+resourceArn+" not found.", resourceArn, typeRole)
	}
	return resourceRef{arn: r.ARN, typ: typeRole, owner: account, created: r.CreateDate}, err
}

// startResourceScan analyzes one role or bucket at once. Analysis is synchronous, so
// the findings are current when the call returns.
func (s *Service) startResourceScan(ctx context.Context, c *identity.Caller, in *analyzerapi.StartResourceScanRequest) (*emptyOutput, error) {
	if in.ResourceOwnerAccount == nil || *in.ResourceOwnerAccount == c.Account {
		if err := s.refuseUnused(ctx, c, in.AnalyzerArn, "StartResourceScan"); err != nil {
			return nil, err
		}
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		a, err := analyzerByARN(ctx, tx, c, in.AnalyzerArn)
		if err != nil {
			return err
		}
		z, _, err := zoneOf(ctx, tx, &a, c.Account)
		if err != nil {
			return err
		}
		if in.ResourceOwnerAccount != nil && *in.ResourceOwnerAccount != c.Account && !z.trusts(*in.ResourceOwnerAccount) {
			if !a.org() {
				return invalid("resourceOwnerAccount", "An analyzer with the account as its zone of trust scans resources of its own account only.")
			}
			// wording: not found in AWS docs
			return invalid("resourceOwnerAccount", "Account "+*in.ResourceOwnerAccount+" is not in the analyzer's organization.")
		}
		ref, err := resourceOf(ctx, tx, c, z, in.ResourceArn)
		if err != nil {
			return err
		}
		if in.ResourceOwnerAccount != nil && *in.ResourceOwnerAccount != ref.owner {
			// wording: not found in AWS docs
			return notFound("Resource "+in.ResourceArn+" not found in account "+*in.ResourceOwnerAccount+".", in.ResourceArn, ref.typ)
		}
		_, err = s.scan(ctx, tx, &a, c.Account)
		return err
	}))
}

// getAnalyzedResource returns what the analyzer found about one role or
// bucket.
func (s *Service) getAnalyzedResource(ctx context.Context, c *identity.Caller, in *analyzerapi.GetAnalyzedResourceRequest) (*analyzerapi.GetAnalyzedResourceResponse, error) {
	if err := s.refuseUnused(ctx, c, in.AnalyzerArn, "GetAnalyzedResource"); err != nil {
		return nil, err
	}
	var ref resourceRef
	var fs []findingRecord
	err := s.update(ctx, func(tx store.Tx) error {
		a, err := analyzerByARN(ctx, tx, c, in.AnalyzerArn)
		if err != nil {
			return err
		}
		z, _, err := zoneOf(ctx, tx, &a, c.Account)
		if err != nil {
			return err
		}
		if ref, err = resourceOf(ctx, tx, c, z, in.ResourceArn); err != nil {
			return err
		}
		fs, err = s.scan(ctx, tx, &a, c.Account)
		return err
	})
	if err != nil {
		return nil, err
	}
	res := &analyzerapi.AnalyzedResource{ResourceArn: ref.arn, ResourceType: analyzerapi.ResourceType(ref.typ), CreatedAt: ref.created,
		AnalyzedAt: s.now().UTC(), UpdatedAt: ref.created, ResourceOwnerAccount: ref.owner, Actions: []string{}, SharedVia: []string{}}
	var status *analyzerapi.FindingStatus
	for _, f := range fs {
		if f.Resource != ref.arn || f.Status == string(analyzerapi.FindingStatusRESOLVED) {
			continue
		}
		res.SharedVia = union(res.SharedVia, f.Sources)
		res.IsPublic = res.IsPublic || f.IsPublic
		for _, act := range f.Action {
			if !slices.Contains(res.Actions, act) {
				res.Actions = append(res.Actions, act)
			}
		}
		if f.UpdatedAt.After(res.UpdatedAt) {
			res.UpdatedAt = f.UpdatedAt
		}
		st := analyzerapi.FindingStatus(f.Status)
		if status == nil || st == analyzerapi.FindingStatusACTIVE {
			status = &st
		}
	}
	slices.Sort(res.Actions)
	if res.SharedVia == nil {
		res.SharedVia = []string{}
	}
	res.Status = status
	return &analyzerapi.GetAnalyzedResourceResponse{Resource: res}, nil
}

// refuseUnused is a ValidationException when analyzerArn names an unused
// access analyzer: resource scans are about resource policies, which only
// external access analyzers analyze.
func (s *Service) refuseUnused(ctx context.Context, c *identity.Caller, analyzerArn, op string) error {
	return s.view(ctx, func(tx store.ReadTx) error {
		a, err := analyzerByARN(ctx, tx, c, analyzerArn)
		if err != nil {
			return err
		}
		if a.unused() {
			return invalid("analyzerArn", op+" is supported only for external access analyzers.")
		}
		return nil
	})
}

// getFindingsStatistics scans the analyzer and counts its findings.
func (s *Service) getFindingsStatistics(ctx context.Context, c *identity.Caller, in *analyzerapi.GetFindingsStatisticsRequest) (*analyzerapi.GetFindingsStatisticsResponse, error) {
	a, fs, err := s.findings(ctx, c, in.AnalyzerArn)
	if err != nil {
		return nil, err
	}
	var st analyzerapi.FindingsStatistics
	if a.unused() {
		st.UnusedAccessFindingsStatistics = unusedStatistics(fs)
	} else {
		st.ExternalAccessFindingsStatistics = externalStatistics(fs)
	}
	out := &analyzerapi.GetFindingsStatisticsResponse{FindingsStatistics: []analyzerapi.FindingsStatistics{st}}
	if !a.LastAnalyzedAt.IsZero() {
		t := a.LastAnalyzedAt
		out.LastUpdatedAt = &t
	}
	return out, nil
}
