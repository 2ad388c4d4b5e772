package iam_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
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
