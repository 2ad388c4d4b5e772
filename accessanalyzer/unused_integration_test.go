package accessanalyzer_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsaa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

// backdate rewrites a stored record of the test server, so "not used for N
// days" is true of entities created a moment ago.
func backdate[T any](t *testing.T, s *testserver.Server, kind store.Kind, account, key string, fn func(*T)) {
	t.Helper()
	ctx := context.Background()
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		v, err := store.GetJSON[T](ctx, tx, kind, account, key)
		if err != nil {
			return err
		}
		fn(&v)
		return store.PutJSON(ctx, tx, kind, account, key, v)
	})
	if err != nil {
		t.Fatalf("backdating %s %s: %v", kind, key, err)
	}
}

// unusedFinding is a finding as the test compares it.
type unusedFinding struct {
	id, typ, resource, status string
}

// listAll pages ListFindingsV2 with maxResults and returns every finding.
func listAll(t *testing.T, c *awsaa.Client, analyzer string, maxResults int32, filter map[string]aatypes.Criterion) []unusedFinding {
	t.Helper()
	var out []unusedFinding
	in := &awsaa.ListFindingsV2Input{AnalyzerArn: aws.String(analyzer), Filter: filter}
	if maxResults > 0 {
		in.MaxResults = aws.Int32(maxResults)
	}
	for {
		page, err := c.ListFindingsV2(context.Background(), in)
		if err != nil {
			t.Fatalf("ListFindingsV2: %v", err)
		}
		if maxResults > 0 && len(page.Findings) > int(maxResults) {
			t.Fatalf("page of %d findings for maxResults %d", len(page.Findings), maxResults)
		}
		for _, f := range page.Findings {
			// The owner is the account of the user or role (an
			// organization analyzer's findings span accounts).
			if parts := strings.Split(aws.ToString(f.Resource), ":"); len(parts) < 5 || *f.ResourceOwnerAccount != parts[4] || f.CreatedAt == nil || f.UpdatedAt == nil || f.AnalyzedAt == nil {
				t.Errorf("finding summary %+v", f)
			}
			out = append(out, unusedFinding{id: *f.Id, typ: string(f.FindingType), resource: aws.ToString(f.Resource), status: string(f.Status)})
		}
		if page.NextToken == nil {
			return out
		}
		in.NextToken = page.NextToken
	}
}

// find returns the one finding of a type and resource (and status, when
// given), failing otherwise.
func find(t *testing.T, fs []unusedFinding, typ, resource, status string) unusedFinding {
	t.Helper()
	var got []unusedFinding
	for _, f := range fs {
		if f.typ == typ && f.resource == resource && (status == "" || f.status == status) {
			got = append(got, f)
		}
	}
	if len(got) != 1 {
		t.Fatalf("findings %s of %s (status %q): %v; all: %v", typ, resource, status, got, fs)
	}
	return got[0]
}

func none(t *testing.T, fs []unusedFinding, typ, resource, status string) {
	t.Helper()
	for _, f := range fs {
		if f.typ == typ && f.resource == resource && f.status == status {
			t.Fatalf("unexpected %s finding %v", status, f)
		}
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

const (
	accountARN = "arn:aws:iam::" + testserver.AccountID
	userPolicy = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:GetUser","iam:ListUsers"],"Resource":"*"},
		{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	rolePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetRole","iam:ListRoles"],"Resource":"*"}]}`
)

// TestUnusedAccessAnalyzer drives the unused access analyzer end to end
// (IAM User Guide, "Findings for unused access":
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html;
// API reference, CreateAnalyzer, ListFindingsV2, GetFindingV2,
// UpdateFindings, GetFindingsStatistics). The age is one day and the
// entities are backdated ten days in the store; their use is real requests.
func TestUnusedAccessAnalyzer(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	root := s.RootIAM()
	aa := awsaa.NewFromConfig(s.Config(testserver.RootKeyID, testserver.RootSecretKey))
	old := time.Now().UTC().Add(-10 * 24 * time.Hour).Truncate(time.Second)

	// alice: a user with a password, a key and two IAM actions plus
	// sts:AssumeRole; idle: a role nobody assumes.
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}))
	must(root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"), PolicyDocument: aws.String(userPolicy)}))
	must(root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("extra"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*"}}`)}))
	must(root.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Correct-Horse-9-Battery")}))
	key, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	keyID, secret := *key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey
	for _, name := range []string{"idle", "assumed"} {
		must(root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust(accountARN + ":root"))}))
		must(root.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(rolePolicy)}))
		backdate(t, s, store.KindRole, testserver.AccountID, store.RoleKey(name), func(r *store.Role) { r.CreateDate = old })
	}
	backdate(t, s, store.KindUser, testserver.AccountID, store.UserKey("alice"), func(u *store.User) { u.CreateDate = old })
	backdate(t, s, store.KindLoginProfile, testserver.AccountID, store.LoginProfileKey("alice"), func(p *store.LoginProfile) { p.CreateDate = old })
	backdate(t, s, store.KindAccessKey, "", keyID, func(k *store.AccessKey) { k.CreateDate = old })
	alice, idle, assumed := accountARN+":user/alice", accountARN+":role/idle", accountARN+":role/assumed"

	// Errors of CreateAnalyzer: the age is 1 to 365 days (the model's
	// UnusedAccessConfiguration).
	for _, age := range []int32{0, 366} {
		_, err := aa.CreateAnalyzer(ctx, &awsaa.CreateAnalyzerInput{AnalyzerName: aws.String("bad"), Type: aatypes.TypeAccountUnusedAccess,
			Configuration: &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(age)}}})
		if apiCode(err) != "ValidationException" {
			t.Errorf("CreateAnalyzer with age %d: %v, want ValidationException", age, err)
		}
	}
	// An archive rule given at creation archives new findings it matches:
	// roles under /archived/.
	created, err := aa.CreateAnalyzer(ctx, &awsaa.CreateAnalyzerInput{AnalyzerName: aws.String("unused"), Type: aatypes.TypeAccountUnusedAccess,
		Configuration: &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(1)}},
		ArchiveRules: []aatypes.InlineArchiveRule{{RuleName: aws.String("archived-roles"), Filter: map[string]aatypes.Criterion{
			"findingType": {Eq: []string{"UnusedIAMRole"}}, "resource": {Contains: []string{":role/archived/"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := *created.Arn
	if _, err := aa.CreateAnalyzer(ctx, &awsaa.CreateAnalyzerInput{AnalyzerName: aws.String("second"), Type: aatypes.TypeAccountUnusedAccess}); apiCode(err) != "ServiceQuotaExceededException" {
		t.Errorf("second unused access analyzer: %v", err)
	}
	got, err := aa.GetAnalyzer(ctx, &awsaa.GetAnalyzerInput{AnalyzerName: aws.String("unused")})
	if err != nil {
		t.Fatal(err)
	}
	if cfg, ok := got.Analyzer.Configuration.(*aatypes.AnalyzerConfigurationMemberUnusedAccess); !ok || aws.ToInt32(cfg.Value.UnusedAccessAge) != 1 || got.Analyzer.Type != aatypes.TypeAccountUnusedAccess {
		t.Errorf("GetAnalyzer: %+v", got.Analyzer)
	}

	// Every finding type appears.
	fs := listAll(t, aa, arn, 0, nil)
	keyFinding := find(t, fs, "UnusedIAMUserAccessKey", alice, "ACTIVE")
	pwFinding := find(t, fs, "UnusedIAMUserPassword", alice, "ACTIVE")
	find(t, fs, "UnusedIAMRole", idle, "ACTIVE")
	find(t, fs, "UnusedIAMRole", assumed, "ACTIVE")
	// alice never used IAM, STS or DynamoDB: one finding per service.
	var perms []unusedFinding
	for _, f := range fs {
		if f.typ == "UnusedPermission" && f.resource == alice {
			perms = append(perms, f)
		}
	}
	if len(perms) != 3 {
		t.Fatalf("alice's UnusedPermission findings: %v", perms)
	}
	// An unused role's permissions are its UnusedIAMRole finding's.
	none(t, fs, "UnusedPermission", idle, "ACTIVE")

	detail := func(id string) aatypes.FindingDetails {
		t.Helper()
		out, err := aa.GetFindingV2(ctx, &awsaa.GetFindingV2Input{AnalyzerArn: aws.String(arn), Id: aws.String(id)})
		if err != nil {
			t.Fatalf("GetFindingV2 %s: %v", id, err)
		}
		if len(out.FindingDetails) != 1 {
			t.Fatalf("GetFindingV2 %s: details %v", id, out.FindingDetails)
		}
		return out.FindingDetails[0]
	}
	if d, ok := detail(keyFinding.id).(*aatypes.FindingDetailsMemberUnusedIamUserAccessKeyDetails); !ok || *d.Value.AccessKeyId != keyID || d.Value.LastAccessed != nil {
		t.Errorf("access key finding details: %#v", detail(keyFinding.id))
	}
	if d, ok := detail(pwFinding.id).(*aatypes.FindingDetailsMemberUnusedIamUserPasswordDetails); !ok || d.Value.LastAccessed != nil {
		t.Errorf("password finding details: %#v", detail(pwFinding.id))
	}
	iamPerm := func(status string) *aatypes.UnusedPermissionDetails {
		t.Helper()
		for _, f := range listAll(t, aa, arn, 0, map[string]aatypes.Criterion{"findingType": {Eq: []string{"UnusedPermission"}}, "resource": {Eq: []string{alice}}}) {
			if f.status != status {
				continue
			}
			if d, ok := detail(f.id).(*aatypes.FindingDetailsMemberUnusedPermissionDetails); ok && *d.Value.ServiceNamespace == "iam" {
				return &d.Value
			}
		}
		return nil
	}
	d := iamPerm("ACTIVE")
	if d == nil || d.LastAccessed != nil || len(d.Actions) != 2 || *d.Actions[0].Action != "GetUser" || *d.Actions[1].Action != "ListUsers" {
		t.Fatalf("iam UnusedPermission before use: %+v", d)
	}

	// alice signs in with her key: the key finding resolves, and the IAM
	// finding keeps the tracked action she did not use.
	aliceIAM := s.IAMClient(keyID, secret)
	must(aliceIAM.GetUser(ctx, &awsiam.GetUserInput{}))
	// She assumes "assumed" and uses one of its two actions.
	creds, err := awssts.NewFromConfig(s.Config(keyID, secret)).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(assumed), RoleSessionName: aws.String("session")})
	if err != nil {
		t.Fatal(err)
	}
	sess := awsiam.NewFromConfig(s.SessionConfig(*creds.Credentials.AccessKeyId, *creds.Credentials.SecretAccessKey, *creds.Credentials.SessionToken))
	must(sess.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("assumed")}))
	if err := s.HTTP.FlushKeyUse(ctx); err != nil {
		t.Fatal(err)
	}
	// Her console password was used too (Gatehouse has no console: the
	// record says so).
	backdate(t, s, store.KindUser, testserver.AccountID, store.UserKey("alice"), func(u *store.User) { u.PasswordLastUsed = time.Now().UTC() })

	fs = listAll(t, aa, arn, 0, nil)
	find(t, fs, "UnusedIAMUserAccessKey", alice, "RESOLVED")
	find(t, fs, "UnusedIAMUserPassword", alice, "RESOLVED")
	find(t, fs, "UnusedIAMRole", assumed, "RESOLVED")
	find(t, fs, "UnusedIAMRole", idle, "ACTIVE")
	d = iamPerm("ACTIVE")
	if d == nil || d.LastAccessed == nil || len(d.Actions) != 1 || *d.Actions[0].Action != "ListUsers" || d.Actions[0].LastAccessed != nil {
		t.Fatalf("iam UnusedPermission after GetUser: %+v", d)
	}
	// sts was used (AssumeRole): its finding is resolved.
	stsResolved := false
	for _, f := range fs {
		if f.typ == "UnusedPermission" && f.resource == alice && f.status == "RESOLVED" {
			if pd, ok := detail(f.id).(*aatypes.FindingDetailsMemberUnusedPermissionDetails); ok && *pd.Value.ServiceNamespace == "sts" {
				stsResolved = true
			}
		}
	}
	if !stsResolved {
		t.Errorf("alice's sts UnusedPermission is not RESOLVED: %v", fs)
	}
	// The used role now has an unused action: iam:ListRoles.
	for _, f := range fs {
		if f.typ == "UnusedPermission" && f.resource == assumed && f.status == "ACTIVE" {
			pd := detail(f.id).(*aatypes.FindingDetailsMemberUnusedPermissionDetails).Value
			if *pd.ServiceNamespace != "iam" || len(pd.Actions) != 1 || *pd.Actions[0].Action != "ListRoles" || pd.LastAccessed == nil {
				t.Errorf("assumed role's UnusedPermission: %+v", pd)
			}
		}
	}
	find(t, fs, "UnusedPermission", assumed, "ACTIVE")

	// Recommendations (GenerateFindingRecommendation, then
	// GetFindingRecommendation): alice's policy "p" without the unused
	// iam:ListUsers replaces it; "extra", all unused, is detached.
	recommend := func(id string) []aatypes.UnusedPermissionsRecommendedStep {
		t.Helper()
		if _, err := aa.GenerateFindingRecommendation(ctx, &awsaa.GenerateFindingRecommendationInput{AnalyzerArn: aws.String(arn), Id: aws.String(id)}); err != nil {
			t.Fatalf("GenerateFindingRecommendation: %v", err)
		}
		var steps []aatypes.UnusedPermissionsRecommendedStep
		in := &awsaa.GetFindingRecommendationInput{AnalyzerArn: aws.String(arn), Id: aws.String(id), MaxResults: aws.Int32(1)}
		for {
			out, err := aa.GetFindingRecommendation(ctx, in)
			if err != nil {
				t.Fatalf("GetFindingRecommendation: %v", err)
			}
			if out.Status != aatypes.StatusSucceeded || out.RecommendationType != aatypes.RecommendationTypeUnusedPermissionRecommendation || *out.ResourceArn != alice {
				t.Fatalf("GetFindingRecommendation: %+v", out)
			}
			for _, st := range out.RecommendedSteps {
				steps = append(steps, st.(*aatypes.RecommendedStepMemberUnusedPermissionsRecommendedStep).Value)
			}
			if out.NextToken == nil {
				return steps
			}
			in.NextToken = out.NextToken
		}
	}
	recommended := map[string]bool{}
	var recommendedID string
	for _, f := range listAll(t, aa, arn, 0, map[string]aatypes.Criterion{"findingType": {Eq: []string{"UnusedPermission"}}, "resource": {Eq: []string{alice}}, "status": {Eq: []string{"ACTIVE"}}}) {
		pd := detail(f.id).(*aatypes.FindingDetailsMemberUnusedPermissionDetails).Value
		steps := recommend(f.id)
		recommended[*pd.ServiceNamespace] = true
		recommendedID = f.id
		switch *pd.ServiceNamespace {
		case "iam":
			if len(steps) != 1 || steps[0].RecommendedAction != aatypes.RecommendedRemediationActionCreatePolicy || *steps[0].ExistingPolicyId != "p" ||
				!strings.Contains(*steps[0].RecommendedPolicy, `"iam:GetUser"`) || strings.Contains(*steps[0].RecommendedPolicy, "ListUsers") ||
				!strings.Contains(*steps[0].RecommendedPolicy, "sts:AssumeRole") {
				t.Errorf("iam recommendation: %+v", steps)
			}
		case "dynamodb":
			if len(steps) != 1 || steps[0].RecommendedAction != aatypes.RecommendedRemediationActionDetachPolicy || *steps[0].ExistingPolicyId != "extra" || steps[0].RecommendedPolicy != nil {
				t.Errorf("dynamodb recommendation: %+v", steps)
			}
		default:
			t.Errorf("unexpected active UnusedPermission of alice: %s", *pd.ServiceNamespace)
		}
	}
	if !recommended["iam"] || !recommended["dynamodb"] {
		t.Errorf("recommendations made for %v, want iam and dynamodb", recommended)
	}
	idleID := find(t, fs, "UnusedIAMRole", idle, "ACTIVE").id
	if _, err := aa.GenerateFindingRecommendation(ctx, &awsaa.GenerateFindingRecommendationInput{AnalyzerArn: aws.String(arn), Id: aws.String(idleID)}); apiCode(err) != "ValidationException" {
		t.Errorf("GenerateFindingRecommendation for an unused role: %v", err)
	}
	if _, err := aa.GetFindingRecommendation(ctx, &awsaa.GetFindingRecommendationInput{AnalyzerArn: aws.String(arn), Id: aws.String(idleID)}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("GetFindingRecommendation never generated: %v", err)
	}

	// The archive rule archives a new matching finding; others stay
	// active.
	must(root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("old"), Path: aws.String("/archived/"), AssumeRolePolicyDocument: aws.String(trust(accountARN + ":root"))}))
	backdate(t, s, store.KindRole, testserver.AccountID, store.RoleKey("old"), func(r *store.Role) { r.CreateDate = old })
	fs = listAll(t, aa, arn, 0, nil)
	find(t, fs, "UnusedIAMRole", accountARN+":role/archived/old", "ARCHIVED")

	// UpdateFindings archives and re-opens by id.
	idleFinding := find(t, fs, "UnusedIAMRole", idle, "ACTIVE")
	for _, st := range []aatypes.FindingStatusUpdate{aatypes.FindingStatusUpdateArchived, aatypes.FindingStatusUpdateActive} {
		if _, err := aa.UpdateFindings(ctx, &awsaa.UpdateFindingsInput{AnalyzerArn: aws.String(arn), Ids: []string{idleFinding.id}, Status: st}); err != nil {
			t.Fatal(err)
		}
		find(t, listAll(t, aa, arn, 0, nil), "UnusedIAMRole", idle, string(st))
	}
	if _, err := aa.UpdateFindings(ctx, &awsaa.UpdateFindingsInput{AnalyzerArn: aws.String(arn), Ids: []string{"no-such-finding"}, Status: aatypes.FindingStatusUpdateArchived}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("UpdateFindings of an unknown id: %v", err)
	}

	// Paging: pages of two hold the same findings as one listing, sorted.
	all := listAll(t, aa, arn, 0, nil)
	paged := listAll(t, aa, arn, 2, nil)
	ids := func(fs []unusedFinding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.id)
		}
		sort.Strings(out)
		return out
	}
	if !slices.Equal(ids(all), ids(paged)) || len(all) < 5 {
		t.Errorf("paged %v, all %v", paged, all)
	}
	// Sorted by resource, descending.
	sorted, err := aa.ListFindingsV2(ctx, &awsaa.ListFindingsV2Input{AnalyzerArn: aws.String(arn),
		Sort: &aatypes.SortCriteria{AttributeName: aws.String("resource"), OrderBy: aatypes.OrderByDesc}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sorted.Findings) != len(all) || !slices.IsSortedFunc(sorted.Findings, func(x, y aatypes.FindingSummaryV2) int { return strings.Compare(*y.Resource, *x.Resource) }) ||
		*sorted.Findings[0].Resource != alice || *sorted.Findings[len(sorted.Findings)-1].Resource != accountARN+":role/archived/old" {
		t.Errorf("findings sorted by resource, descending: %v", sorted.Findings)
	}
	if _, err := aa.ListFindingsV2(ctx, &awsaa.ListFindingsV2Input{AnalyzerArn: aws.String(arn), Sort: &aatypes.SortCriteria{AttributeName: aws.String("color")}}); apiCode(err) != "ValidationException" {
		t.Errorf("sort by an unknown attribute: %v", err)
	}
	if _, err := aa.ListFindingsV2(ctx, &awsaa.ListFindingsV2Input{AnalyzerArn: aws.String(arn), NextToken: aws.String("garbage!")}); apiCode(err) != "ValidationException" {
		t.Errorf("bad nextToken: %v", err)
	}
	// Filters on the unused access keys; external access keys are refused.
	active := listAll(t, aa, arn, 0, map[string]aatypes.Criterion{"status": {Eq: []string{"ACTIVE"}}, "findingType": {Eq: []string{"UnusedIAMRole"}}})
	if len(active) != 1 || active[0].resource != idle {
		t.Errorf("active unused roles: %v", active)
	}
	if _, err := aa.ListFindingsV2(ctx, &awsaa.ListFindingsV2Input{AnalyzerArn: aws.String(arn), Filter: map[string]aatypes.Criterion{"isPublic": {Eq: []string{"true"}}}}); apiCode(err) != "ValidationException" {
		t.Errorf("isPublic filter on an unused access analyzer: %v", err)
	}
	if _, err := aa.CreateArchiveRule(ctx, &awsaa.CreateArchiveRuleInput{AnalyzerName: aws.String("unused"), RuleName: aws.String("r"),
		Filter: map[string]aatypes.Criterion{"status": {Eq: []string{"ACTIVE"}}}}); apiCode(err) != "ValidationException" {
		t.Errorf("archive rule on status: %v", err)
	}
	// ApplyArchiveRule archives the existing findings a new rule matches.
	if _, err := aa.CreateArchiveRule(ctx, &awsaa.CreateArchiveRuleInput{AnalyzerName: aws.String("unused"), RuleName: aws.String("idle"),
		Filter: map[string]aatypes.Criterion{"resource": {Eq: []string{idle}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := aa.ApplyArchiveRule(ctx, &awsaa.ApplyArchiveRuleInput{AnalyzerArn: aws.String(arn), RuleName: aws.String("idle")}); err != nil {
		t.Fatal(err)
	}
	find(t, listAll(t, aa, arn, 0, nil), "UnusedIAMRole", idle, "ARCHIVED")

	// GetFindingsStatistics counts by status and, for active ones, type.
	stats, err := aa.GetFindingsStatistics(ctx, &awsaa.GetFindingsStatisticsInput{AnalyzerArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	u, ok := stats.FindingsStatistics[0].(*aatypes.FindingsStatisticsMemberUnusedAccessFindingsStatistics)
	if !ok || aws.ToInt32(u.Value.TotalArchivedFindings) != 2 || aws.ToInt32(u.Value.TotalResolvedFindings) < 4 || aws.ToInt32(u.Value.TotalActiveFindings) < 2 {
		t.Errorf("statistics: %#v", stats.FindingsStatistics)
	}

	// The first API is for external access analyzers only.
	if _, err := aa.ListFindings(ctx, &awsaa.ListFindingsInput{AnalyzerArn: aws.String(arn)}); apiCode(err) != "ValidationException" {
		t.Errorf("ListFindings on an unused access analyzer: %v", err)
	}
	if _, err := aa.GetFindingV2(ctx, &awsaa.GetFindingV2Input{AnalyzerArn: aws.String(arn), Id: aws.String("nope")}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("GetFindingV2 of an unknown id: %v", err)
	}

	// UpdateAnalyzer changes the age: at 30 days nothing ten days old is
	// unused any more.
	up, err := aa.UpdateAnalyzer(ctx, &awsaa.UpdateAnalyzerInput{AnalyzerName: aws.String("unused"),
		Configuration: &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(30)}}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg, ok := up.Configuration.(*aatypes.AnalyzerConfigurationMemberUnusedAccess); !ok || aws.ToInt32(cfg.Value.UnusedAccessAge) != 30 {
		t.Errorf("UpdateAnalyzer: %#v", up.Configuration)
	}
	for _, f := range listAll(t, aa, arn, 0, nil) {
		if f.status == "ACTIVE" {
			t.Errorf("finding still active at 30 days: %v", f)
		}
	}
	// DeleteAnalyzer takes the findings and their recommendations along.
	if _, err := aa.DeleteAnalyzer(ctx, &awsaa.DeleteAnalyzerInput{AnalyzerName: aws.String("unused")}); err != nil {
		t.Fatal(err)
	}
	if _, err := aa.CreateAnalyzer(ctx, &awsaa.CreateAnalyzerInput{AnalyzerName: aws.String("unused"), Type: aatypes.TypeAccountUnusedAccess}); err != nil {
		t.Fatal(err)
	}
	if _, err := aa.GetFindingRecommendation(ctx, &awsaa.GetFindingRecommendationInput{AnalyzerArn: aws.String(arn), Id: aws.String(recommendedID)}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("recommendation of a deleted analyzer: %v", err)
	}
	if _, err := aa.CreateAnalyzer(ctx, &awsaa.CreateAnalyzerInput{AnalyzerName: aws.String("external"), Type: aatypes.TypeAccount}); err != nil {
		t.Fatal(err)
	}
	if _, err := aa.UpdateAnalyzer(ctx, &awsaa.UpdateAnalyzerInput{AnalyzerName: aws.String("external"),
		Configuration: &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(30)}}}); apiCode(err) != "ValidationException" {
		t.Errorf("UpdateAnalyzer of an external access analyzer: %v", err)
	}
}

// TestUnusedAccessAuthorization: the findings operations are authorized
// as access-analyzer:ListFindingsV2 and access-analyzer:GetFindingV2 on the
// analyzer (Service Authorization Reference, IAM Access Analyzer).
func TestUnusedAccessAuthorization(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	root := s.RootIAM()
	aa := awsaa.NewFromConfig(s.Config(testserver.RootKeyID, testserver.RootSecretKey))
	created, err := aa.CreateAnalyzer(ctx, &awsaa.CreateAnalyzerInput{AnalyzerName: aws.String("unused"), Type: aatypes.TypeAccountUnusedAccess})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	key, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	bob := awsaa.NewFromConfig(s.Config(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey))
	_, err = bob.ListFindingsV2(ctx, &awsaa.ListFindingsV2Input{AnalyzerArn: created.Arn})
	if apiCode(err) != "AccessDeniedException" || !strings.Contains(err.Error(), "access-analyzer:ListFindingsV2") {
		t.Fatalf("ListFindingsV2 without permission: %v", err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"access-analyzer:ListFindingsV2","Resource":"` + *created.Arn + `"}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.ListFindingsV2(ctx, &awsaa.ListFindingsV2Input{AnalyzerArn: created.Arn}); err != nil {
		t.Fatalf("ListFindingsV2 with permission: %v", err)
	}
	if _, err := bob.GetFindingsStatistics(ctx, &awsaa.GetFindingsStatisticsInput{AnalyzerArn: created.Arn}); apiCode(err) != "AccessDeniedException" {
		t.Fatalf("GetFindingsStatistics without permission: %v", err)
	}
}
