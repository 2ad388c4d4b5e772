package iam_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestSimulationPagesManyResources: with many resources a page holds fewer
// actions than MaxItems, with IsTruncated and a Marker to continue, which the
// API reference allows ("IAM might return fewer results, even when there are
// more results available", MaxItems,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html);
// the SDK's paginator gets every action once, in order. A marker of another
// request is InvalidInput.
func TestSimulationPagesManyResources(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	var actions, resources []string
	for i := range 25 {
		actions = append(actions, "s3:Action"+strconv.Itoa(i))
	}
	for i := range 1500 {
		resources = append(resources, "arn:aws:s3:::bucket/object-"+strconv.Itoa(i))
	}
	in := &awsiam.SimulateCustomPolicyInput{
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
		ActionNames:     actions, ResourceArns: resources,
	}
	p := awsiam.NewSimulateCustomPolicyPaginator(root, in)
	var got []string
	var markers []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.EvaluationResults) == 0 || len(out.EvaluationResults) >= 100 {
			t.Fatalf("a page of %d results", len(out.EvaluationResults))
		}
		for _, r := range out.EvaluationResults {
			got = append(got, *r.EvalActionName)
			if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || len(r.ResourceSpecificResults) != len(resources) {
				t.Fatalf("%s: %s with %d resource results", *r.EvalActionName, r.EvalDecision, len(r.ResourceSpecificResults))
			}
		}
		if out.IsTruncated {
			markers = append(markers, aws.ToString(out.Marker))
		}
	}
	if !slices.Equal(got, actions) || len(markers) == 0 {
		t.Fatalf("%d markers, actions %v", len(markers), got)
	}
	// The marker presented with other resources.
	other := *in
	other.ResourceArns = resources[1:]
	other.Marker = aws.String(markers[0])
	_, err := root.SimulateCustomPolicy(ctx, &other)
	wantCodeMessage(t, err, "InvalidInput", "Invalid Marker.")
}

// TestSimulationInputLimits: the simulator's inputs are held to the API
// model's constraints (ActionNameType 3-128 characters, ResourceNameType up
// to 2048, MaxItems 1-1000, Marker up to 320 characters,
// OrderedOrganizationPolicyInputList up to 7 levels) with AWS's 400
// ValidationError, in IAM's form: no value quoted, a list of scalars named
// once with every constraint of its members (server/validation_test.go has
// the sources). The model bounds neither the number of ActionNames nor of
// ResourceArns; the server's 2 MB body limit does, and pages bound the work.
func TestSimulationInputLimits(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	pol := []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}
	levels := make([]types.OrderedOrganizationPolicyType, 8)
	for i := range levels {
		levels[i].ServiceControlPolicyInputList = pol
	}
	for _, c := range []struct {
		in  awsiam.SimulateCustomPolicyInput
		msg string
	}{
		{awsiam.SimulateCustomPolicyInput{ActionNames: []string{"s3"}},
			"1 validation error detected: Value at 'actionNames' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 3]"},
		{awsiam.SimulateCustomPolicyInput{ActionNames: []string{"s3:" + strings.Repeat("a", 126)}},
			"1 validation error detected: Value at 'actionNames' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 3]"},
		{awsiam.SimulateCustomPolicyInput{ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::" + strings.Repeat("b", 2036)}},
			"1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 2048, Member must have length greater than or equal to 1]"},
		{awsiam.SimulateCustomPolicyInput{ActionNames: []string{"s3:GetObject"}, MaxItems: aws.Int32(0)},
			"1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{awsiam.SimulateCustomPolicyInput{ActionNames: []string{"s3:GetObject"}, MaxItems: aws.Int32(1001)},
			"1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{awsiam.SimulateCustomPolicyInput{ActionNames: []string{"s3:GetObject"}, Marker: aws.String(strings.Repeat("m", 321))},
			"1 validation error detected: Value at 'marker' failed to satisfy constraint: Member must have length less than or equal to 320"},
		{awsiam.SimulateCustomPolicyInput{ActionNames: []string{"s3:GetObject"}, OrderedOrganizationPolicyInputList: levels},
			"1 validation error detected: Value at 'orderedOrganizationPolicyInputList' failed to satisfy constraint: Member must have length less than or equal to 7"},
	} {
		in := c.in
		in.PolicyInputList = pol
		_, err := root.SimulateCustomPolicy(ctx, &in)
		wantCodeMessage(t, err, "ValidationError", c.msg)
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
			t.Errorf("%v: not a 400", err)
		}
	}
	// The bounds themselves are accepted.
	levels = levels[:7]
	if _, err := root.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: pol, ActionNames: []string{"s3:" + strings.Repeat("a", 125)},
		ResourceArns: []string{"arn:aws:s3:::" + strings.Repeat("b", 2035)}, MaxItems: aws.Int32(1000), OrderedOrganizationPolicyInputList: levels}); err != nil {
		t.Fatal(err)
	}
}
