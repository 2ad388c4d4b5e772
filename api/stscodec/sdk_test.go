package stscodec_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/api/stscodec"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/query"
)

func TestSDKAssumeRole(t *testing.T) {
	svc := stscodec.Service()
	var got *stsapi.AssumeRoleRequest
	var fail error
	exp := time.Date(2024, 5, 6, 8, 8, 9, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := query.ParseRequest(r, 0)
		var op query.Operation
		if err == nil {
			op, err = svc.Resolve(req)
		}
		var in any
		if err == nil {
			in, err = svc.Decode(op, req)
		}
		if err == nil && fail != nil {
			err = fail
		}
		if err != nil {
			_ = svc.WriteError(w, "rid", err)
			return
		}
		got = in.(*stsapi.AssumeRoleRequest)
		_ = svc.WriteResponse(w, op, "rid", &stsapi.AssumeRoleResponse{
			Credentials: &stsapi.Credentials{AccessKeyId: "ASIAEXAMPLE", SecretAccessKey: "s", SessionToken: "tok", Expiration: exp},
			AssumedRoleUser: &stsapi.AssumedRoleUser{
				AssumedRoleId: "AROAEXAMPLE:" + got.RoleSessionName,
				Arn:           "arn:aws:sts::123456789012:assumed-role/r/" + got.RoleSessionName,
			},
			PackedPolicySize: aws.Int32(6),
			SourceIdentity:   got.SourceIdentity,
		})
	}))
	defer srv.Close()
	c := sts.New(sts.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1, HTTPClient: srv.Client(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	out, err := c.AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn:           aws.String("arn:aws:iam::123456789012:role/r"),
		RoleSessionName:   aws.String("sess-1"),
		DurationSeconds:   aws.Int32(900),
		PolicyArns:        []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}},
		Tags:              []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("x")}},
		TransitiveTagKeys: []string{"team"},
		SourceIdentity:    aws.String("alice"),
		ProvidedContexts:  []ststypes.ProvidedContext{{ProviderArn: aws.String("arn:aws:iam::aws:contextProvider/IdentityCenter"), ContextAssertion: aws.String("abcdefghijklmnopqrstuvwxyz")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.RoleArn != "arn:aws:iam::123456789012:role/r" || *got.DurationSeconds != 900 || len(got.PolicyArns) != 1 ||
		*got.PolicyArns[0].Arn != "arn:aws:iam::aws:policy/ReadOnlyAccess" || got.Tags[0].Key != "team" ||
		got.TransitiveTagKeys[0] != "team" || len(got.ProvidedContexts) != 1 || got.ExternalId != nil {
		t.Fatalf("decoded %#v", got)
	}
	if !out.Credentials.Expiration.Equal(exp) || aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/r/sess-1" ||
		aws.ToInt32(out.PackedPolicySize) != 6 || aws.ToString(out.SourceIdentity) != "alice" {
		t.Fatalf("SDK parsed %#v", out)
	}

	fail = awserr.ExpiredTokenException("The security token included in the request is expired")
	_, err = c.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), RoleSessionName: aws.String("s2")})
	var ete *ststypes.ExpiredTokenException
	if !errors.As(err, &ete) || ete.ErrorMessage() != "The security token included in the request is expired" {
		t.Fatalf("got %v", err)
	}
}

func TestOperationTable(t *testing.T) {
	if n := len(stsapi.OperationNames()); n != 11 {
		t.Fatalf("%d operations, want 11", n)
	}
}
