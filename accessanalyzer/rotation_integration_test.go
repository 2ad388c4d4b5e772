package accessanalyzer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsaa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse-iam/gatehouse/accessanalyzer"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

// TestAccessKeyNotRotated: with a maximum access key age of 30 days (serve
// --max-access-key-age 30), the unused access analyzer reports each active
// key created longer ago as an IAMUserAccessKeyNotRotated finding of its
// user (AWS Config's access-keys-rotated, which marks the AWS::IAM::User
// noncompliant), a key within the age or inactive is not reported, and the
// credential report's access_key_N_last_rotated names the same keys.
func TestAccessKeyNotRotated(t *testing.T) {
	t.Parallel()
	const maxAge = 30 * 24 * time.Hour
	s := testserver.StartWith(t, testserver.Options{MaxAccessKeyAge: maxAge})
	ctx := context.Background()
	root := s.RootIAM()
	aa := awsaa.NewFromConfig(s.Config(testserver.RootKeyID, testserver.RootSecretKey))
	now := time.Now().UTC()
	keys := map[string][]string{}
	for user, ages := range map[string][]time.Duration{
		"rotated":   {10 * 24 * time.Hour},                     // within the age
		"stale":     {40 * 24 * time.Hour, 1 * 24 * time.Hour}, // key 1 is due, key 2 is new
		"both-old":  {45 * 24 * time.Hour, 31 * 24 * time.Hour},
		"deactived": {50 * 24 * time.Hour},
	} {
		if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(user)}); err != nil {
			t.Fatal(err)
		}
		for _, age := range ages {
			k, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(user)})
			if err != nil {
				t.Fatal(err)
			}
			id := aws.ToString(k.AccessKey.AccessKeyId)
			keys[user] = append(keys[user], id)
			backdate(t, s, store.KindAccessKey, "", id, func(k *store.AccessKey) { k.CreateDate = now.Add(-age).Truncate(time.Second) })
		}
	}
	if _, err := root.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("deactived"), AccessKeyId: aws.String(keys["deactived"][0]),
		Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}

	created, err := aa.CreateAnalyzer(ctx, &awsaa.CreateAnalyzerInput{AnalyzerName: aws.String("unused"), Type: aatypes.TypeAccountUnusedAccess,
		Configuration: &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(365)}}})
	if err != nil {
		t.Fatal(err)
	}
	typ := string(accessanalyzer.FindingTypeAccessKeyNotRotated)
	due := map[string]bool{}
	for _, f := range listAll(t, aa, *created.Arn, 0, nil) {
		if f.typ != typ {
			continue
		}
		if f.status != "ACTIVE" {
			t.Errorf("finding %v", f)
		}
		got, err := aa.GetFindingV2(ctx, &awsaa.GetFindingV2Input{AnalyzerArn: created.Arn, Id: aws.String(f.id)})
		if err != nil {
			t.Fatal(err)
		}
		d, ok := got.FindingDetails[0].(*aatypes.FindingDetailsMemberUnusedIamUserAccessKeyDetails)
		if !ok || got.ResourceType != aatypes.ResourceTypeAwsIamUser {
			t.Fatalf("GetFindingV2 %s: %+v", f.id, got)
		}
		due[f.resource+" "+aws.ToString(d.Value.AccessKeyId)] = true
	}
	want := map[string]bool{
		accountARN + ":user/stale " + keys["stale"][0]:       true,
		accountARN + ":user/both-old " + keys["both-old"][0]: true,
		accountARN + ":user/both-old " + keys["both-old"][1]: true,
	}
	if len(due) != len(want) {
		t.Errorf("%s findings %v, want %v", typ, due, want)
	}
	for k := range want {
		if !due[k] {
			t.Errorf("%s findings %v, want %v", typ, due, want)
		}
	}

	// The credential report: the active keys whose last_rotated is older
	// than the age are the same keys (by user and position: the report
	// lists a user's keys oldest first).
	if _, err := root.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}
	rep, err := root.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(rep.Content)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	fromReport := map[string]bool{}
	for _, row := range rows[1:] {
		for n, k := range []string{"1", "2"} {
			if row[col["access_key_"+k+"_active"]] != "true" {
				continue
			}
			rotated, err := time.Parse(time.RFC3339, row[col["access_key_"+k+"_last_rotated"]])
			if err != nil {
				t.Fatalf("access_key_%s_last_rotated of %s: %v", k, row[col["user"]], err)
			}
			if rotated.Before(now.Add(-maxAge)) {
				fromReport[row[col["arn"]]+" "+keys[row[col["user"]]][n]] = true
			}
		}
	}
	if len(fromReport) != len(want) {
		t.Errorf("keys due in the credential report %v, want %v", fromReport, want)
	}
	for k := range want {
		if !fromReport[k] {
			t.Errorf("keys due in the credential report %v, want %v", fromReport, want)
		}
	}

	// Rotating (deleting the old key) resolves its finding.
	if _, err := root.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("stale"), AccessKeyId: aws.String(keys["stale"][0])}); err != nil {
		t.Fatal(err)
	}
	find(t, listAll(t, aa, *created.Arn, 0, nil), typ, accountARN+":user/stale", "RESOLVED")
}
