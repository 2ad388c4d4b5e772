package iam_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

// ctxEntry is one ContextEntries member.
func ctxEntry(name string, typ types.ContextKeyTypeEnum, vals ...string) types.ContextEntry {
	return types.ContextEntry{ContextKeyName: aws.String(name), ContextKeyType: typ, ContextKeyValues: vals}
}

// oneResult runs a simulation expected to give a single EvaluationResult.
func oneResult(t *testing.T) func(*awsiam.SimulatePrincipalPolicyOutput, error) types.EvaluationResult {
	return func(out *awsiam.SimulatePrincipalPolicyOutput, err error) types.EvaluationResult {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if len(out.EvaluationResults) != 1 {
			t.Fatalf("%d evaluation results", len(out.EvaluationResults))
		}
		return out.EvaluationResults[0]
	}
}

func customResult(t *testing.T, out *awsiam.SimulateCustomPolicyOutput, err error) types.EvaluationResult {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EvaluationResults) != 1 {
		t.Fatalf("%d evaluation results", len(out.EvaluationResults))
	}
	return out.EvaluationResults[0]
}

func TestSimulatePrincipalPolicyManagedAndInline(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	seedStore(t, srv, func(ctx context.Context, tx store.Tx) error {
		return attachSeed(ctx, tx, store.EntityUser, "dev", store.AWSAccount, "AmazonS3FullAccess", "arn:aws:iam::aws:policy/AmazonS3FullAccess")
	})
	devARN := "arn:aws:iam::" + testserver.AccountID + ":user/dev"

	// The AWS managed AmazonS3FullAccess allows s3:GetObject on an object.
	r := oneResult(t)(root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(devARN), ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::bucket/key"},
	}))
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed {
		t.Fatalf("decision %s", r.EvalDecision)
	}
	if len(r.MatchedStatements) == 0 || *r.MatchedStatements[0].SourcePolicyId != "AmazonS3FullAccess" || r.MatchedStatements[0].SourcePolicyType != types.PolicySourceTypeAwsManaged {
		t.Errorf("matched %+v", r.MatchedStatements)
	}
	// The top-level EvalResourceName is the ARN template of the resource type;
	// the resource itself is in ResourceSpecificResults (EvaluationResult and
	// ResourceSpecificResult, IAM API reference, model 2010-05-08).
	if *r.EvalResourceName != "arn:${Partition}:s3:::${BucketName}/${ObjectName}" {
		t.Errorf("EvalResourceName %s", *r.EvalResourceName)
	}
	if len(r.ResourceSpecificResults) != 1 || *r.ResourceSpecificResults[0].EvalResourceName != "arn:aws:s3:::bucket/key" ||
		r.ResourceSpecificResults[0].EvalResourceDecision != types.PolicyEvaluationDecisionTypeAllowed {
		t.Errorf("resource results %+v", r.ResourceSpecificResults)
	}
	// Same account with a resource ARN: EvalDecisionDetails present but empty.
	if len(r.EvalDecisionDetails) != 0 || r.PermissionsBoundaryDecisionDetail != nil {
		t.Errorf("details %v boundary %+v", r.EvalDecisionDetails, r.PermissionsBoundaryDecisionDetail)
	}
	if r.OrganizationsDecisionDetail == nil || !r.OrganizationsDecisionDetail.AllowedByOrganizations {
		t.Errorf("organizations detail %+v", r.OrganizationsDecisionDetail)
	}

	// An inline policy with an explicit deny wins; only the deny is reported,
	// with its position in the document.
	const deny = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"NoDelete\",\n      \"Effect\": \"Deny\",\n      \"Action\": \"s3:DeleteObject\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("NoDelete"), PolicyDocument: aws.String(deny)}); err != nil {
		t.Fatal(err)
	}
	out, err := root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(devARN), ActionNames: []string{"s3:DeleteObject", "s3:PutObject", "ec2:RunInstances"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EvaluationResults) != 3 {
		t.Fatalf("%d results", len(out.EvaluationResults))
	}
	del, put, run := out.EvaluationResults[0], out.EvaluationResults[1], out.EvaluationResults[2]
	if del.EvalDecision != types.PolicyEvaluationDecisionTypeExplicitDeny || put.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed ||
		run.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny {
		t.Fatalf("decisions %s %s %s", del.EvalDecision, put.EvalDecision, run.EvalDecision)
	}
	if len(del.MatchedStatements) != 1 {
		t.Fatalf("deny matched %+v", del.MatchedStatements)
	}
	m := del.MatchedStatements[0]
	if *m.SourcePolicyId != "NoDelete" || m.SourcePolicyType != types.PolicySourceTypeUser {
		t.Errorf("deny statement from %s (%s)", *m.SourcePolicyId, m.SourcePolicyType)
	}
	// The statement spans its braces: line 4 column 5 to line 9 column 6.
	if m.StartPosition.Line != 4 || m.StartPosition.Column != 5 || m.EndPosition.Line != 9 || m.EndPosition.Column != 6 {
		t.Errorf("positions %d:%d-%d:%d", m.StartPosition.Line, m.StartPosition.Column, m.EndPosition.Line, m.EndPosition.Column)
	}
	// Resource "*" (ResourceArns omitted): no per-resource results, no
	// EvalDecisionDetails; an implicit deny matches no statement.
	if run.ResourceSpecificResults != nil || run.EvalDecisionDetails != nil || len(run.MatchedStatements) != 0 || *run.EvalResourceName != "*" {
		t.Errorf("implicit deny result %+v", run)
	}

	// Pagination over EvaluationResults: MaxItems 1 across three actions.
	var actions []string
	p := awsiam.NewSimulatePrincipalPolicyPaginator(root, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(devARN), ActionNames: []string{"s3:DeleteObject", "s3:PutObject", "ec2:RunInstances"}, MaxItems: aws.Int32(1),
	})
	pages := 0
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range pg.EvaluationResults {
			actions = append(actions, *r.EvalActionName)
		}
	}
	if pages != 3 || !slices.Equal(actions, []string{"s3:DeleteObject", "s3:PutObject", "ec2:RunInstances"}) {
		t.Errorf("%d pages: %v", pages, actions)
	}

	// PolicyInputList adds policies; PolicyExclusionList removes attached ones.
	r = oneResult(t)(root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(devARN), ActionNames: []string{"s3:DeleteObject"},
		PolicyExclusionList: []types.PolicyIdentifier{&types.PolicyIdentifierMemberPolicyType{Value: types.PolicyIdentifierPolicyTypeInline}},
	}))
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed {
		t.Errorf("without inline policies: %s", r.EvalDecision)
	}
	r = oneResult(t)(root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(devARN), ActionNames: []string{"ec2:RunInstances"},
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}`},
	}))
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || *r.MatchedStatements[0].SourcePolicyId != "PolicyInputList.1" {
		t.Errorf("with an input policy: %s %+v", r.EvalDecision, r.MatchedStatements)
	}

	// Errors.
	_, err = root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + testserver.AccountID + ":user/nobody"), ActionNames: []string{"s3:GetObject"}})
	wantCode(t, err, "NoSuchEntity")
	_, err = root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(devARN), ActionNames: []string{"s3:GetObject"}, PolicyInputList: []string{`{"Statement":[}`}})
	wantCode(t, err, "InvalidInput")
	_, err = root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(devARN), ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"bucket"}})
	wantCode(t, err, "InvalidInput")

	// Authorization: the resource is the simulated user.
	bob := srv.NewUserWithKey(t, "bob")
	_, err = bob.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(devARN), ActionNames: []string{"s3:GetObject"}})
	wantCode(t, err, "AccessDenied")
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("Sim"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:SimulatePrincipalPolicy","Resource":"` + devARN + `"}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(devARN), ActionNames: []string{"s3:GetObject"}}); err != nil {
		t.Errorf("allowed simulation: %v", err)
	}
	_, err = bob.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + testserver.AccountID + ":user/bob"), ActionNames: []string{"s3:GetObject"}})
	wantCode(t, err, "AccessDenied")
}

func TestSimulatePrincipalPolicyVariablesBoundaryAndGroups(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	const acct = testserver.AccountID
	// A permissions boundary that allows reading IAM only.
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("morgan"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	own := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},` +
		`{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::team/uploads/${aws:username}/*"}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("morgan"), PolicyName: aws.String("Own"), PolicyDocument: aws.String(own)}); err != nil {
		t.Fatal(err)
	}
	morgan := "arn:aws:iam::" + acct + ":user/morgan"
	r := oneResult(t)(root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(morgan), ActionNames: []string{"iam:CreateGroup"}, ResourceArns: []string{"arn:aws:iam::" + acct + ":group/team-b"},
	}))
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || r.PermissionsBoundaryDecisionDetail == nil || r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Errorf("boundary withholds CreateGroup: %s %+v", r.EvalDecision, r.PermissionsBoundaryDecisionDetail)
	}
	r = oneResult(t)(root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(morgan), ActionNames: []string{"iam:ListUsers"}}))
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || !r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Errorf("boundary allows ListUsers: %s %+v", r.EvalDecision, r.PermissionsBoundaryDecisionDetail)
	}
	// An input boundary replaces the user's own.
	r = oneResult(t)(root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(morgan), ActionNames: []string{"iam:CreateGroup"},
		PermissionsBoundaryPolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`},
	}))
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed {
		t.Errorf("with an input boundary: %s", r.EvalDecision)
	}

	// ${aws:username} needs its context entry: the simulator fills nothing
	// in ("If you don't provide a value for a context key, the simulation
	// still runs", IAM User Guide, access_policies_testing-policies.md).
	del := func(user string, entries ...types.ContextEntry) types.EvaluationResult {
		return oneResult(t)(root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
			PolicySourceArn: aws.String(morgan), ActionNames: []string{"s3:DeleteObject"},
			ResourceArns: []string{"arn:aws:s3:::team/uploads/" + user + "/draft.csv"}, ContextEntries: entries,
			PermissionsBoundaryPolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`},
		}))
	}
	r = del("morgan")
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || !slices.Equal(r.MissingContextValues, []string{"aws:username"}) ||
		!slices.Equal(r.ResourceSpecificResults[0].MissingContextValues, []string{"aws:username"}) {
		t.Errorf("without aws:username: %s missing %v", r.EvalDecision, r.MissingContextValues)
	}
	r = del("morgan", ctxEntry("aws:username", types.ContextKeyTypeEnumString, "morgan"))
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || len(r.MissingContextValues) != 0 || len(r.MatchedStatements) != 1 {
		t.Errorf("with aws:username: %s missing %v matched %d", r.EvalDecision, r.MissingContextValues, len(r.MatchedStatements))
	}
	if r = del("peer", ctxEntry("aws:username", types.ContextKeyTypeEnumString, "morgan")); r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny {
		t.Errorf("someone else's upload: %s", r.EvalDecision)
	}

	// A group's own policies, and a role's.
	seedStore(t, srv, func(ctx context.Context, tx store.Tx) error {
		if err := store.PutJSON(ctx, tx, store.KindGroup, acct, store.GroupKey("Ops"), store.Group{ID: "AGPAEXAMPLEGROUP0002", Name: "Ops", Path: "/", ARN: "arn:aws:iam::" + acct + ":group/Ops"}); err != nil {
			return err
		}
		if err := store.PutJSON(ctx, tx, store.KindInlinePolicy, acct, store.InlinePolicyKey(store.EntityGroup, "Ops", "Run"),
			store.InlinePolicy{OwnerKind: store.EntityGroup, OwnerName: "Ops", PolicyName: "Run", Document: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}}`}); err != nil {
			return err
		}
		if err := store.PutJSON(ctx, tx, store.KindRole, acct, store.RoleKey("Dba"), store.Role{ID: "AROAEXAMPLEROLE00002", Name: "Dba", Path: "/", ARN: "arn:aws:iam::" + acct + ":role/Dba", MaxSessionDuration: 3600,
			AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`}); err != nil {
			return err
		}
		return attachSeed(ctx, tx, store.EntityRole, "Dba", store.AWSAccount, "AmazonRDSFullAccess", "arn:aws:iam::aws:policy/AmazonRDSFullAccess")
	})
	r = oneResult(t)(root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + acct + ":group/Ops"), ActionNames: []string{"ec2:RunInstances"}}))
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || *r.MatchedStatements[0].SourcePolicyId != "Run" || r.MatchedStatements[0].SourcePolicyType != types.PolicySourceTypeGroup {
		t.Errorf("group: %s %+v", r.EvalDecision, r.MatchedStatements)
	}
	for action, want := range map[string]types.PolicyEvaluationDecisionType{"rds:CreateDBInstance": "allowed", "ec2:RunInstances": "implicitDeny"} {
		r = oneResult(t)(root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + acct + ":role/Dba"), ActionNames: []string{action}, ResourceArns: []string{"*"}}))
		if r.EvalDecision != want {
			t.Errorf("role %s: %s, want %s", action, r.EvalDecision, want)
		}
	}

	// GetContextKeysForPrincipalPolicy: the user's policies and its boundary.
	keys, err := root.GetContextKeysForPrincipalPolicy(ctx, &awsiam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(morgan),
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys.ContextKeyNames, []string{"aws:username", "aws:SourceIp"}) {
		t.Errorf("context keys %v", keys.ContextKeyNames)
	}
	_, err = root.GetContextKeysForPrincipalPolicy(ctx, &awsiam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + acct + ":role/none")})
	wantCode(t, err, "NoSuchEntity")
}

func TestSimulateCustomPolicy(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	custom := func(policies []string, action, resource string, entries ...types.ContextEntry) (types.EvaluationResult, error) {
		out, err := root.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: policies, ActionNames: []string{action}, ResourceArns: []string{resource}, ContextEntries: entries})
		if err != nil {
			return types.EvaluationResult{}, err
		}
		return customResult(t, out, nil), nil
	}
	decision := func(policies []string, action, resource string, entries ...types.ContextEntry) types.PolicyEvaluationDecisionType {
		t.Helper()
		r, err := custom(policies, action, resource, entries...)
		if err != nil {
			t.Fatal(err)
		}
		return r.EvalDecision
	}

	// Business hours with aws:CurrentTime (seed-13's window).
	hours := []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{` +
		`"DateGreaterThan":{"aws:CurrentTime":"2025-06-02T09:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2025-06-02T17:00:00Z"}}}}`}
	obj := "arn:aws:s3:::timesheets/2025-06-02.csv"
	for at, want := range map[string]types.PolicyEvaluationDecisionType{"2025-06-02T10:30:00Z": "allowed", "2025-06-02T20:00:00Z": "implicitDeny", "2025-06-02T08:59:59Z": "implicitDeny"} {
		if got := decision(hours, "s3:GetObject", obj, ctxEntry("aws:CurrentTime", types.ContextKeyTypeEnumDate, at)); got != want {
			t.Errorf("at %s: %s, want %s", at, got, want)
		}
	}
	// Without the key the condition fails and the key is reported missing.
	r, err := custom(hours, "s3:GetObject", obj)
	if err != nil || r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || !slices.Equal(r.MissingContextValues, []string{"aws:CurrentTime"}) {
		t.Errorf("without aws:CurrentTime: %s %v %v", r.EvalDecision, r.MissingContextValues, err)
	}

	// A source network condition.
	office := []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}}`}
	if got := decision(office, "s3:GetObject", obj, ctxEntry("aws:SourceIp", types.ContextKeyTypeEnumIp, "203.0.113.77")); got != "allowed" {
		t.Errorf("from the office: %s", got)
	}
	if got := decision(office, "s3:GetObject", obj, ctxEntry("aws:SourceIp", types.ContextKeyTypeEnumIp, "198.51.100.7")); got != "implicitDeny" {
		t.Errorf("from elsewhere: %s", got)
	}
	_, err = custom(office, "s3:GetObject", obj, ctxEntry("aws:SourceIp", types.ContextKeyTypeEnumIp, "not-an-ip"))
	wantCode(t, err, "InvalidInput")

	// iam:PassRole to one service (seed-07).
	pass := []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}}`}
	role := "arn:aws:iam::" + testserver.AccountID + ":role/app"
	if got := decision(pass, "iam:PassRole", role, ctxEntry("iam:PassedToService", types.ContextKeyTypeEnumString, "ec2.amazonaws.com")); got != "allowed" {
		t.Errorf("pass to EC2: %s", got)
	}
	if got := decision(pass, "iam:PassRole", role, ctxEntry("iam:PassedToService", types.ContextKeyTypeEnumString, "lambda.amazonaws.com")); got != "implicitDeny" {
		t.Errorf("pass to Lambda: %s", got)
	}

	// Numeric and list types.
	num := []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThanEquals":{"s3:max-keys":"10"},"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}}}`}
	if got := decision(num, "s3:ListBucket", "arn:aws:s3:::b", ctxEntry("s3:max-keys", types.ContextKeyTypeEnumNumeric, "5"), ctxEntry("aws:TagKeys", types.ContextKeyTypeEnumStringList, "a", "b")); got != "allowed" {
		t.Errorf("numeric and list: %s", got)
	}
	if got := decision(num, "s3:ListBucket", "arn:aws:s3:::b", ctxEntry("s3:max-keys", types.ContextKeyTypeEnumNumeric, "50"), ctxEntry("aws:TagKeys", types.ContextKeyTypeEnumStringList, "a")); got != "implicitDeny" {
		t.Errorf("numeric over the limit: %s", got)
	}
	_, err = custom(num, "s3:ListBucket", "arn:aws:s3:::b", ctxEntry("s3:max-keys", types.ContextKeyTypeEnumNumeric, "five"))
	wantCode(t, err, "InvalidInput")

	// An explicit deny among the inputs names PolicyInputList.2.
	both := []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}}`}
	r, err = custom(both, "s3:DeleteObject", obj)
	if err != nil || r.EvalDecision != types.PolicyEvaluationDecisionTypeExplicitDeny || len(r.MatchedStatements) != 1 || *r.MatchedStatements[0].SourcePolicyId != "PolicyInputList.2" {
		t.Errorf("explicit deny: %s %+v %v", r.EvalDecision, r.MatchedStatements, err)
	}

	// A cross-account resource policy: the caller and the resource policy
	// both grant; EvalDecisionDetails reports each policy type.
	caller := "arn:aws:iam::" + testserver.AccountID + ":user/alice"
	resPol := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"` + caller + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}}`
	out, err := root.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`},
		ActionNames:     []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::shared/x"},
		ResourcePolicy: aws.String(resPol), ResourceOwner: aws.String("arn:aws:iam::210987654321:root"), CallerArn: aws.String(caller),
	})
	r = customResult(t, out, err)
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || r.EvalDecisionDetails["IAM Policy"] != "allowed" || r.EvalDecisionDetails["Resource Policy"] != "allowed" {
		t.Errorf("cross-account: %s %v", r.EvalDecision, r.EvalDecisionDetails)
	}
	_, err = root.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: both, ActionNames: []string{"s3:GetObject"}, ResourcePolicy: aws.String(resPol)})
	wantCode(t, err, "InvalidInput")
	_, err = root.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Version":"2012-10-17"}`}, ActionNames: []string{"s3:GetObject"}})
	wantCode(t, err, "InvalidInput")

	// GetContextKeysForCustomPolicy: condition keys and policy variables,
	// each once, in document order.
	keys, err := root.GetContextKeysForCustomPolicy(ctx, &awsiam.GetContextKeysForCustomPolicyInput{PolicyInputList: append(append([]string{}, hours...), office[0],
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"StringEquals":{"aws:SourceIp":"1.2.3.4","s3:prefix":"${aws:userid}"}}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"aws:CurrentTime", "aws:SourceIp", "aws:username", "s3:prefix", "aws:userid"}; !slices.Equal(keys.ContextKeyNames, want) {
		t.Errorf("context keys %v, want %v", keys.ContextKeyNames, want)
	}
}
