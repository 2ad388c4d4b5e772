package accessanalyzer

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Access previews ("Previewing access with IAM Access Analyzer APIs",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-preview-access-apis.html):
// the findings a proposed configuration of a role or a bucket would give,
// computed by the analysis that computes the analyzer's findings
// (analyzeRole, analyzeBucket) and compared with them.

// kindPreview: key = region/analyzer name/preview id; value previewRecord.
const kindPreview store.Kind = "access-analyzer-preview"

const typePreview = "AWS::AccessAnalyzer::AccessPreview"

// Retention: "The GetAccessPreview and ListAccessPreviewFindings operations
// will retrieve access previews and findings created within about 24 hours.
// ... ListAccessPreviews ... will retrieve information on access preview
// created within about one hour" (the user guide page above).
const (
	previewRetention = 24 * time.Hour
	previewListed    = time.Hour
	// maxACLGrants: "You can propose up to 100 ACL grants per bucket".
	maxACLGrants = 100
)

// previewRecord is an access preview with its findings.
type previewRecord struct {
	ID          string    `json:"id"`
	AnalyzerARN string    `json:"analyzerArn"`
	CreatedAt   time.Time `json:"createdAt"`
	Status      string    `json:"status"`
	Reason      string    `json:"reason,omitempty"`
	ClientToken string    `json:"clientToken,omitempty"`
	// Configurations are the proposed configurations as given.
	Configurations map[string]analyzerapi.Configuration `json:"configurations"`
	Findings       []previewFinding                     `json:"findings,omitempty"`
}

// previewFinding is one finding of a preview: a finding as the analysis
// would record it, its preview status and change type, and the existing
// finding it is compared with.
type previewFinding struct {
	findingRecord
	ChangeType     string `json:"changeType"`
	ExistingID     string `json:"existingId,omitempty"`
	ExistingStatus string `json:"existingStatus,omitempty"`
}

func previewKey(a analyzerRecord, id string) string { return findingPrefix(a) + id }

func (s *Service) previewOps() []operation.Op {
	return []operation.Op{
		op("CreateAccessPreview", func(_ *identity.Caller, in *analyzerapi.CreateAccessPreviewRequest) string { return in.AnalyzerArn }, s.createAccessPreview),
		op("GetAccessPreview", func(_ *identity.Caller, in *analyzerapi.GetAccessPreviewRequest) string { return in.AnalyzerArn }, s.getAccessPreview),
		op("ListAccessPreviews", func(_ *identity.Caller, in *analyzerapi.ListAccessPreviewsRequest) string { return in.AnalyzerArn }, s.listAccessPreviews),
		op("ListAccessPreviewFindings", func(_ *identity.Caller, in *analyzerapi.ListAccessPreviewFindingsRequest) string {
			return in.AnalyzerArn
		}, s.listAccessPreviewFindings),
	}
}

// proposal is one resource's proposed configuration, checked.
type proposal struct {
	arn, typ string
	role     *analyzerapi.IamRoleConfiguration
	bucket   *analyzerapi.S3BucketConfiguration
}

// checkConfigurations checks the configurations of a preview: each names one
// configuration, of a type Gatehouse holds (an IAM role or an S3 bucket), for
// a resource ARN of that type in the caller's account.
func checkConfigurations(c *identity.Caller, cfgs map[string]analyzerapi.Configuration) ([]proposal, error) {
	if len(cfgs) == 0 {
		// wording: not found in AWS docs
		return nil, invalid("configurations", "Specify at least one resource configuration.")
	}
	out := make([]proposal, 0, len(cfgs))
	for resArn, cfg := range cfgs {
		set := 0
		v := reflect.ValueOf(cfg)
		for i := range v.NumField() {
			if !v.Field(i).IsNil() {
				set++
			}
		}
		if set != 1 {
			// wording: not found in AWS docs
			return nil, invalid("configurations", "The configuration of "+resArn+" must name exactly one resource type.")
		}
		switch {
		case cfg.IamRole != nil:
			rest, ok := strings.CutPrefix(resArn, "arn:aws:iam::"+c.Account+":role/")
			if !ok || rest == "" || strings.HasSuffix(rest, "/") {
				// wording: not found in AWS docs
				return nil, invalid("configurations", "Invalid resource ARN "+resArn+" for an iamRole configuration: expected a role of account "+c.Account+".")
			}
			if cfg.IamRole.TrustPolicy != nil && *cfg.IamRole.TrustPolicy == "" {
				// "The proposed trust policy cannot be an empty string."
				return nil, invalid("configurations", "The proposed trust policy cannot be an empty string.")
			}
			out = append(out, proposal{arn: resArn, typ: typeRole, role: cfg.IamRole})
		case cfg.S3Bucket != nil:
			name, ok := strings.CutPrefix(resArn, "arn:aws:s3:::")
			if !ok || name == "" || strings.ContainsAny(name, "/*?") {
				// wording: not found in AWS docs
				return nil, invalid("configurations", "Invalid resource ARN "+resArn+" for an s3Bucket configuration: expected arn:aws:s3:::bucket-name.")
			}
			if err := checkBucketProposal(resArn, cfg.S3Bucket); err != nil {
				return nil, err
			}
			out = append(out, proposal{arn: resArn, typ: typeBucket, bucket: cfg.S3Bucket})
		default:
			// wording: not found in AWS docs
			return nil, invalid("configurations", "Gatehouse previews access to IAM roles (iamRole) and S3 buckets (s3Bucket) only; "+
				resArn+" names another resource type.")
		}
	}
	slices.SortFunc(out, func(a, b proposal) int { return strings.Compare(a.arn, b.arn) })
	return out, nil
}

// checkBucketProposal checks a proposed bucket configuration's grants and
// access points.
func checkBucketProposal(resArn string, b *analyzerapi.S3BucketConfiguration) error {
	if len(b.AccessPoints) > 0 {
		// wording: not found in AWS docs
		return invalid("configurations", "Gatehouse has no S3 access points: the configuration of "+resArn+" cannot propose accessPoints.")
	}
	if len(b.BucketAclGrants) > maxACLGrants {
		// wording: not found in AWS docs
		return invalid("configurations", "You can propose up to "+strconv.Itoa(maxACLGrants)+" ACL grants per bucket.")
	}
	for _, g := range b.BucketAclGrants {
		id, uri := g.Grantee.Id, g.Grantee.Uri
		switch {
		case (id == nil) == (uri == nil):
			// wording: not found in AWS docs
			return invalid("configurations", "An ACL grantee has exactly one of id and uri.")
		case id != nil && !acl.ValidCanonicalID(*id):
			// wording: not found in AWS docs
			return invalid("configurations", "Invalid canonical user ID "+*id+" in an ACL grant.")
		case uri != nil && *uri != acl.AllUsers && *uri != acl.AuthenticatedUsers && *uri != acl.LogDelivery:
			// wording: not found in AWS docs
			return invalid("configurations", "Invalid group URI "+*uri+" in an ACL grant.")
		}
	}
	return nil
}

// grantsOf converts proposed ACL grants.
func grantsOf(in []analyzerapi.S3BucketAclGrantConfiguration) []acl.Grant {
	out := make([]acl.Grant, 0, len(in))
	for _, g := range in {
		grantee := acl.Grantee{}
		if g.Grantee.Id != nil {
			grantee = acl.User(*g.Grantee.Id)
		} else if g.Grantee.Uri != nil {
			grantee = acl.GroupOf(*g.Grantee.Uri)
		}
		out = append(out, acl.Grant{Grantee: grantee, Permission: acl.Permission(g.Permission)})
	}
	return out
}

// errInvalidConfiguration marks a proposal the analysis cannot read: the
// preview FAILS with INVALID_CONFIGURATION.
type errInvalidConfiguration struct{}

func (errInvalidConfiguration) Error() string { return "invalid configuration" }

// proposedAccess returns the accesses a proposed configuration of a
// resource of account would give principals outside zone z:
// what is not proposed is taken from the existing resource, or the defaults
// of a new one (a bucket without policy, with its owner's grant only and
// Block Public Access off; a new role must have a trust policy).
func proposedAccess(ctx context.Context, tx store.ReadTx, z zone, account string, p proposal) ([]access, error) {
	if p.role != nil {
		doc := p.role.TrustPolicy
		if doc == nil {
			name := p.arn[strings.LastIndex(p.arn, "/")+1:]
			r, err := store.GetJSON[store.Role](ctx, tx, store.KindRole, account, store.RoleKey(name))
			if isNotFound(err) || (err == nil && r.ARN != p.arn) {
				// "If the configuration is for a new IAM role, you must
				// specify the trust policy."
				return nil, invalid("configurations", "If the configuration is for a new IAM role, you must specify the trust policy.")
			}
			if err != nil {
				return nil, err
			}
			doc = &r.AssumeRolePolicyDocument
		}
		// A trust policy IAM would not store (its write-time rules, as
		// analyzeRole reads it) is not a configuration the role can have.
		if _, err := policy.Parse(*doc, policy.KindTrust); err != nil {
			return nil, errInvalidConfiguration{}
		}
		return analyzeRole(z, *doc), nil
	}
	name := strings.TrimPrefix(p.arn, "arn:aws:s3:::")
	settings, err := accountS3(ctx, tx, account)
	if err != nil {
		return nil, err
	}
	cfg := bucketConfig{Name: name, ACLsEnabled: true, AccountBPA: settings.PublicAccessBlock}
	b, err := store.GetJSON[store.Bucket](ctx, tx, store.KindBucket, "", name)
	switch {
	case err == nil && b.Account != account:
		// wording: not found in AWS docs
		return nil, invalid("configurations", "The bucket "+name+" belongs to another account: an access preview is for a bucket you own or a new one.")
	case err == nil:
		cfg = bucketConfigOf(&b, settings.PublicAccessBlock)
	case !isNotFound(err):
		return nil, err
	}
	bp := p.bucket
	if bp.BucketPolicy != nil {
		cfg.Policy = *bp.BucketPolicy
	}
	if bp.BucketAclGrants != nil {
		cfg.Grants = grantsOf(bp.BucketAclGrants)
	}
	if bp.BucketPublicAccessBlock != nil {
		cfg.BucketBPA = &store.PublicAccessBlock{IgnorePublicAcls: bp.BucketPublicAccessBlock.IgnorePublicAcls,
			RestrictPublicBuckets: bp.BucketPublicAccessBlock.RestrictPublicBuckets}
	}
	if cfg.Policy != "" {
		if _, err := policy.ParseGrammar(cfg.Policy, policy.KindResource); err != nil {
			return nil, errInvalidConfiguration{}
		}
	}
	return analyzeBucket(z, cfg), nil
}

// compare turns the accesses a proposal gives into preview findings against
// the analyzer's findings on the resource: an access without a finding is
// NEW (ARCHIVED when an archive rule matches it, else ACTIVE); one with an
// active or archived finding is UNCHANGED; one whose finding is RESOLVED is
// CHANGED to ACTIVE; a finding whose access is gone is CHANGED to RESOLVED.
func (s *Service) compare(a *analyzerRecord, account string, p proposal, accs []access, existing []findingRecord, now time.Time) ([]previewFinding, error) {
	var out []previewFinding
	seen := map[string]bool{}
	for _, acc := range accs {
		f := findingRecord{Resource: p.arn, ResourceType: p.typ, Owner: account, Principal: acc.Principal, Action: acc.Actions,
			Condition: acc.Condition, IsPublic: acc.Public, Sources: acc.Sources, CreatedAt: now, AnalyzedAt: now, UpdatedAt: now}
		key := f.key()
		seen[key] = true
		pf := previewFinding{findingRecord: f, ChangeType: string(analyzerapi.FindingChangeTypeNEW)}
		i := slices.IndexFunc(existing, func(e findingRecord) bool { return e.key() == key })
		switch {
		case i < 0:
			pf.Status = string(analyzerapi.FindingStatusACTIVE)
			if a.archives(&f) {
				pf.Status = string(analyzerapi.FindingStatusARCHIVED)
			}
		case existing[i].Status == string(analyzerapi.FindingStatusRESOLVED):
			pf.ChangeType, pf.Status = string(analyzerapi.FindingChangeTypeCHANGED), string(analyzerapi.FindingStatusACTIVE)
			pf.ExistingID, pf.ExistingStatus = existing[i].ID, existing[i].Status
		default:
			pf.ChangeType, pf.Status = string(analyzerapi.FindingChangeTypeUNCHANGED), existing[i].Status
			pf.ExistingID, pf.ExistingStatus = existing[i].ID, existing[i].Status
		}
		out = append(out, pf)
	}
	for _, e := range existing {
		if seen[e.key()] || e.Status == string(analyzerapi.FindingStatusRESOLVED) {
			continue
		}
		f := e
		f.CreatedAt, f.AnalyzedAt, f.UpdatedAt = now, now, now
		out = append(out, previewFinding{findingRecord: f, ChangeType: string(analyzerapi.FindingChangeTypeCHANGED),
			ExistingID: e.ID, ExistingStatus: e.Status})
		out[len(out)-1].Status = string(analyzerapi.FindingStatusRESOLVED)
	}
	for i := range out {
		id, err := s.newID()
		if err != nil {
			return nil, err
		}
		out[i].ID = id
	}
	return out, nil
}

// createAccessPreview computes the preview at once (its status is COMPLETED
// or FAILED when it returns) and keeps it for 24 hours. A client token
// already used for the analyzer returns that preview when the configurations
// are the same, and is a ConflictException otherwise.
func (s *Service) createAccessPreview(ctx context.Context, c *identity.Caller, in *analyzerapi.CreateAccessPreviewRequest) (*analyzerapi.CreateAccessPreviewResponse, error) {
	props, err := checkConfigurations(c, in.Configurations)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var id string
	err = s.update(ctx, func(tx store.Tx) error {
		a, err := analyzerByARN(ctx, tx, c, in.AnalyzerArn)
		if err != nil {
			return err
		}
		if a.unused() {
			// wording: not found in AWS docs
			return invalid("analyzerArn", "Access previews are supported only for external access analyzers.")
		}
		previews, err := store.ListJSON[previewRecord](ctx, tx, store.ListOptions{Kind: kindPreview, Account: c.Account, Prefix: findingPrefix(a)})
		if err != nil {
			return err
		}
		for _, p := range previews {
			if now.Sub(p.Value.CreatedAt) > previewRetention {
				if err := tx.Delete(ctx, kindPreview, c.Account, p.Key); err != nil {
					return err
				}
				continue
			}
			if in.ClientToken != nil && p.Value.ClientToken == *in.ClientToken {
				if !reflect.DeepEqual(p.Value.Configurations, in.Configurations) {
					// wording: not found in AWS docs
					return conflict("The client token "+*in.ClientToken+" was used with other configurations.", p.Value.ID, typePreview)
				}
				id = p.Value.ID
				return nil
			}
		}
		fs, err := s.scan(ctx, tx, &a, c.Account)
		if err != nil {
			return err
		}
		if id, err = s.newID(); err != nil {
			return err
		}
		rec := previewRecord{ID: id, AnalyzerARN: a.ARN, CreatedAt: now, Status: string(analyzerapi.AccessPreviewStatusCOMPLETED),
			Configurations: in.Configurations}
		if in.ClientToken != nil {
			rec.ClientToken = *in.ClientToken
		}
		z, disabled, err := zoneOf(ctx, tx, &a, c.Account)
		if err != nil {
			return err
		}
		if disabled != nil {
			z = accountZone(c.Account)
		}
		for _, p := range props {
			accs, err := proposedAccess(ctx, tx, z, c.Account, p)
			if errors.As(err, new(errInvalidConfiguration)) {
				rec.Status, rec.Reason, rec.Findings = string(analyzerapi.AccessPreviewStatusFAILED),
					string(analyzerapi.AccessPreviewStatusReasonCodeINVALID_CONFIGURATION), nil
				break
			}
			if err != nil {
				return err
			}
			existing := slices.DeleteFunc(slices.Clone(fs), func(f findingRecord) bool { return f.Resource != p.arn })
			pfs, err := s.compare(&a, c.Account, p, accs, existing, now)
			if err != nil {
				return err
			}
			rec.Findings = append(rec.Findings, pfs...)
		}
		return store.CreateJSON(ctx, tx, kindPreview, c.Account, previewKey(a, id), rec)
	})
	if err != nil {
		return nil, err
	}
	return &analyzerapi.CreateAccessPreviewResponse{Id: id}, nil
}

// previewByID reads a preview of the analyzer an ARN names; previews older
// than 24 hours are gone.
func (s *Service) previewByID(ctx context.Context, c *identity.Caller, analyzerArn, id string) (previewRecord, error) {
	var p previewRecord
	err := s.view(ctx, func(tx store.ReadTx) error {
		a, err := analyzerByARN(ctx, tx, c, analyzerArn)
		if err != nil {
			return err
		}
		p, err = store.GetJSON[previewRecord](ctx, tx, kindPreview, c.Account, previewKey(a, id))
		if isNotFound(err) || (err == nil && s.now().Sub(p.CreatedAt) > previewRetention) {
			return notFound("Access preview "+id+" not found.", id, typePreview)
		}
		return err
	})
	return p, err
}

func (p *previewRecord) reason() *analyzerapi.AccessPreviewStatusReason {
	if p.Reason == "" {
		return nil
	}
	return &analyzerapi.AccessPreviewStatusReason{Code: analyzerapi.AccessPreviewStatusReasonCode(p.Reason)}
}

func (s *Service) getAccessPreview(ctx context.Context, c *identity.Caller, in *analyzerapi.GetAccessPreviewRequest) (*analyzerapi.GetAccessPreviewResponse, error) {
	p, err := s.previewByID(ctx, c, in.AnalyzerArn, in.AccessPreviewId)
	if err != nil {
		return nil, err
	}
	return &analyzerapi.GetAccessPreviewResponse{AccessPreview: analyzerapi.AccessPreview{Id: p.ID, AnalyzerArn: p.AnalyzerARN,
		Configurations: p.Configurations, CreatedAt: p.CreatedAt, Status: analyzerapi.AccessPreviewStatus(p.Status), StatusReason: p.reason()}}, nil
}

// listAccessPreviews lists the analyzer's previews of the last hour, oldest
// first.
func (s *Service) listAccessPreviews(ctx context.Context, c *identity.Caller, in *analyzerapi.ListAccessPreviewsRequest) (*analyzerapi.ListAccessPreviewsResponse, error) {
	var all []previewRecord
	err := s.view(ctx, func(tx store.ReadTx) error {
		a, err := analyzerByARN(ctx, tx, c, in.AnalyzerArn)
		if err != nil {
			return err
		}
		all, err = store.ListValues[previewRecord](ctx, tx, store.ListOptions{Kind: kindPreview, Account: c.Account, Prefix: findingPrefix(a)})
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	all = slices.DeleteFunc(all, func(p previewRecord) bool { return now.Sub(p.CreatedAt) > previewListed })
	slices.SortStableFunc(all, func(x, y previewRecord) int {
		if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	start, limit, err := page(in.NextToken, in.MaxResults, len(all))
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(all))
	out := &analyzerapi.ListAccessPreviewsResponse{AccessPreviews: []analyzerapi.AccessPreviewSummary{}, NextToken: nextToken(end, len(all))}
	for _, p := range all[start:end] {
		out.AccessPreviews = append(out.AccessPreviews, analyzerapi.AccessPreviewSummary{Id: p.ID, AnalyzerArn: p.AnalyzerARN, CreatedAt: p.CreatedAt,
			Status: analyzerapi.AccessPreviewStatus(p.Status), StatusReason: p.reason()})
	}
	return out, nil
}

// listAccessPreviewFindings lists a completed preview's findings, filtered
// like an analyzer's. A preview that did not complete has none: a
// ConflictException.
func (s *Service) listAccessPreviewFindings(ctx context.Context, c *identity.Caller, in *analyzerapi.ListAccessPreviewFindingsRequest) (*analyzerapi.ListAccessPreviewFindingsResponse, error) {
	p, err := s.previewByID(ctx, c, in.AnalyzerArn, in.AccessPreviewId)
	if err != nil {
		return nil, err
	}
	if p.Status != string(analyzerapi.AccessPreviewStatusCOMPLETED) {
		// wording: not found in AWS docs
		return nil, conflict("Access preview "+p.ID+" is "+p.Status+": its findings cannot be listed.", p.ID, typePreview)
	}
	f, err := storedFilter(in.Filter, false, false)
	if err != nil {
		return nil, err
	}
	kept := slices.DeleteFunc(slices.Clone(p.Findings), func(x previewFinding) bool { return !matches(f, &x.findingRecord) })
	start, limit, err := page(in.NextToken, in.MaxResults, len(kept))
	if err != nil {
		return nil, err
	}
	end := min(start+limit, len(kept))
	out := &analyzerapi.ListAccessPreviewFindingsResponse{Findings: []analyzerapi.AccessPreviewFinding{}, NextToken: nextToken(end, len(kept))}
	for _, pf := range kept[start:end] {
		out.Findings = append(out.Findings, pf.api())
	}
	return out, nil
}

func (pf *previewFinding) api() analyzerapi.AccessPreviewFinding {
	f := pf.findingRecord.api()
	out := analyzerapi.AccessPreviewFinding{Id: pf.ID, Principal: f.Principal, Action: f.Action, Condition: f.Condition, Resource: f.Resource,
		IsPublic: f.IsPublic, ResourceType: f.ResourceType, CreatedAt: f.CreatedAt, ChangeType: analyzerapi.FindingChangeType(pf.ChangeType),
		Status: f.Status, ResourceOwnerAccount: f.ResourceOwnerAccount, Sources: f.Sources}
	if pf.ExistingID != "" {
		out.ExistingFindingId = str(pf.ExistingID)
		st := analyzerapi.FindingStatus(pf.ExistingStatus)
		out.ExistingFindingStatus = &st
	}
	return out
}
