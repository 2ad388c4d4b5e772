package iam_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

func TestCredentialReport(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()

	_, err := root.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	wantCode(t, err, "ReportNotPresent")

	srv.NewUserWithKey(t, "bob")
	if _, err := root.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("Bob-Passw0rd!")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("carol"), Path: aws.String("/ops/")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(90)}); err != nil {
		t.Fatal(err)
	}

	gen, err := root.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{})
	if err != nil || gen.State != types.ReportStateTypeStarted {
		t.Fatalf("first generation %+v %v", gen, err)
	}
	gen, err = root.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{})
	if err != nil || gen.State != types.ReportStateTypeComplete {
		t.Fatalf("second generation %+v %v", gen, err)
	}
	rep, err := root.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ReportFormat != types.ReportFormatTypeTextCsv || rep.GeneratedTime == nil || time.Since(*rep.GeneratedTime) > time.Minute {
		t.Errorf("report %s generated %v", rep.ReportFormat, rep.GeneratedTime)
	}
	rows, err := csv.NewReader(bytes.NewReader(rep.Content)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, rep.Content)
	}
	header := "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
		"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
		"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
		"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
	if len(rows) != 4 || strings.Join(rows[0], ",") != header {
		t.Fatalf("report:\n%s", rep.Content)
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	get := func(row []string, name string) string { return row[col[name]] }
	isTime := func(v string) bool {
		_, err := time.Parse("2006-01-02T15:04:05-07:00", v)
		return err == nil && strings.HasSuffix(v, "+00:00")
	}

	rootRow, bobRow, carolRow := rows[1], rows[2], rows[3]
	if get(rootRow, "user") != "<root_account>" || get(rootRow, "arn") != "arn:aws:iam::"+testserver.AccountID+":root" ||
		get(rootRow, "password_enabled") != "not_supported" || get(rootRow, "password_next_rotation") != "not_supported" ||
		get(rootRow, "access_key_1_active") != "true" || !isTime(get(rootRow, "access_key_1_last_rotated")) ||
		get(rootRow, "access_key_2_active") != "false" || get(rootRow, "mfa_active") != "false" {
		t.Errorf("root row %v", rootRow)
	}
	changed := get(bobRow, "password_last_changed")
	next := get(bobRow, "password_next_rotation")
	if get(bobRow, "user") != "bob" || get(bobRow, "arn") != "arn:aws:iam::"+testserver.AccountID+":user/bob" ||
		!isTime(get(bobRow, "user_creation_time")) || get(bobRow, "password_enabled") != "true" ||
		get(bobRow, "password_last_used") != "no_information" || !isTime(changed) || !isTime(next) ||
		get(bobRow, "access_key_1_active") != "true" || get(bobRow, "access_key_2_active") != "false" ||
		get(bobRow, "access_key_2_last_rotated") != "N/A" {
		t.Errorf("bob's row %v", bobRow)
	}
	c, _ := time.Parse(time.RFC3339, changed)
	n, _ := time.Parse(time.RFC3339, next)
	if !n.Equal(c.AddDate(0, 0, 90)) {
		t.Errorf("next rotation %s, last changed %s", next, changed)
	}
	if get(carolRow, "user") != "carol" || get(carolRow, "arn") != "arn:aws:iam::"+testserver.AccountID+":user/ops/carol" ||
		get(carolRow, "password_enabled") != "false" || get(carolRow, "password_last_used") != "N/A" ||
		get(carolRow, "password_last_changed") != "N/A" || get(carolRow, "access_key_1_active") != "false" ||
		get(carolRow, "access_key_1_last_rotated") != "N/A" {
		t.Errorf("carol's row %v", carolRow)
	}
	for _, row := range rows[1:] {
		if get(row, "cert_1_active") != "false" || get(row, "cert_1_last_rotated") != "N/A" ||
			get(row, "cert_2_active") != "false" || get(row, "cert_2_last_rotated") != "N/A" {
			t.Errorf("certificate columns %v", row)
		}
	}

	// Both actions need a permission; the resource is "*".
	dave := srv.NewUserWithKey(t, "dave")
	_, err = dave.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{})
	wantCode(t, err, "AccessDenied")
	_, err = dave.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	wantCode(t, err, "AccessDenied")
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("dave"), PolicyName: aws.String("report"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GetCredentialReport"],"Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := dave.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}

	// A report four hours old has expired, and the next generation starts anew.
	err = srv.Store.Update(ctx, func(tx store.Tx) error {
		r, err := tx.Get(ctx, "credential-report", testserver.AccountID, "latest")
		if err != nil {
			return err
		}
		var v map[string]any
		if err := json.Unmarshal(r.Data, &v); err != nil {
			return err
		}
		v["generatedTime"] = time.Now().Add(-4 * time.Hour).UTC().Format(time.RFC3339)
		r.Data, err = json.Marshal(v)
		if err != nil {
			return err
		}
		return tx.Put(ctx, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = root.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	wantCode(t, err, "ReportExpired")
	gen, err = root.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{})
	if err != nil || gen.State != types.ReportStateTypeStarted {
		t.Fatalf("generation after expiry %+v %v", gen, err)
	}
	rep, err = root.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	if err != nil || !bytes.Contains(rep.Content, []byte("\ndave,")) {
		t.Fatalf("new report %v\n%s", err, rep.Content)
	}
}
