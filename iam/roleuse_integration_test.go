package iam_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

// TestRecordRoleUse: the latest use wins whatever the order of the batches;
// uses of unknown roles, or of another role with the same name, are skipped.
func TestRecordRoleUse(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	out, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("R"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	ref := iam.RoleUse{Account: testserver.AccountID, Name: "r", ID: *out.Role.RoleId} // names fold
	t1 := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	t0 := t1.Add(-time.Hour)
	get := func() *awsiam.GetRoleOutput {
		t.Helper()
		o, err := root.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("R")})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	batches := []map[iam.RoleUse]store.RoleLastUsed{
		{ref: {Date: t1, Region: "us-west-2"}, {Account: testserver.AccountID, Name: "Nope", ID: "AROAXXXXXXXXXXXXXXXXX"}: {Date: t1}},
		{ref: {Date: t0, Region: "eu-west-1"}}, // older: ignored
		{{Account: testserver.AccountID, Name: "R", ID: "AROAOTHERROLE00000000"}: {Date: t1.Add(time.Hour), Region: "x"}}, // another role
		nil,
	}
	for _, b := range batches {
		if err := srv.IAM.RecordRoleUse(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	lu := get().Role.RoleLastUsed
	if lu == nil || lu.LastUsedDate == nil || !lu.LastUsedDate.Equal(t1) || aws.ToString(lu.Region) != "us-west-2" {
		t.Fatalf("RoleLastUsed %+v", lu)
	}
}
