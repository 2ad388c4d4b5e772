package iam_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

func TestOIDCProvidersLifecycle(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	const thumb = "990F4193972F2BECF12DDEDA5237F9C952F20D9E"

	// The ARN names the URL without its scheme, with its port and path, the
	// host in lower case and no trailing slash.
	out, err := root.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://IdP.Example.com:8443/tenant/"), ClientIDList: []string{"app-1", "app-1"},
		ThumbprintList: []string{thumb}, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:iam::123456789012:oidc-provider/idp.example.com:8443/tenant"
	if aws.ToString(out.OpenIDConnectProviderArn) != arn || len(out.Tags) != 1 {
		t.Fatalf("created %q %v", aws.ToString(out.OpenIDConnectProviderArn), out.Tags)
	}
	// "Provider with url https://token.actions.githubusercontent.com already
	// exists." (AWS's words, e.g. aws-actions/configure-aws-credentials#357).
	_, err = root.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://idp.example.com:8443/tenant"), ThumbprintList: []string{thumb}})
	wantCodeMessage(t, err, "EntityAlreadyExists", "Provider with url https://idp.example.com:8443/tenant already exists.")
	for _, bad := range []string{"http://idp.example.com", "idp.example.com", "https://idp.example.com/?x=1", "https://idp.example.com/#f", "https://u@idp.example.com"} {
		_, err = root.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String(bad)})
		wantCode(t, err, "InvalidInput")
	}
	_, err = root.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://other.example.com"), ThumbprintList: []string{strings.Repeat("g", 40)}})
	wantCode(t, err, "InvalidInput")
	six := []string{}
	for i := range 6 {
		six = append(six, fmt.Sprintf("%040d", i))
	}
	_, err = root.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://other.example.com"), ThumbprintList: six})
	wantCodeMessage(t, err, "LimitExceeded", "Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: 5")
	// ThumbprintList is optional.
	if _, err := root.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://other.example.com")}); err != nil {
		t.Fatal(err)
	}

	get := func() *awsiam.GetOpenIDConnectProviderOutput {
		t.Helper()
		g, err := root.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g := get()
	if aws.ToString(g.Url) != "idp.example.com:8443/tenant" || !slices.Equal(g.ClientIDList, []string{"app-1"}) ||
		!slices.Equal(g.ThumbprintList, []string{thumb}) || g.CreateDate == nil || len(g.Tags) != 1 {
		t.Errorf("provider %+v", g)
	}

	// Client ids: adding twice and removing an absent one are no errors.
	for _, id := range []string{"app-2", "app-2"} {
		if _, err := root.AddClientIDToOpenIDConnectProvider(ctx, &awsiam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"app-1", "none"} {
		if _, err := root.RemoveClientIDFromOpenIDConnectProvider(ctx, &awsiam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	// The new thumbprint list replaces the old one.
	newThumb := strings.Repeat("ab", 20)
	if _, err := root.UpdateOpenIDConnectProviderThumbprint(ctx, &awsiam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: []string{newThumb}}); err != nil {
		t.Fatal(err)
	}
	if g := get(); !slices.Equal(g.ClientIDList, []string{"app-2"}) || !slices.Equal(g.ThumbprintList, []string{newThumb}) {
		t.Errorf("after updates: clients %v thumbprints %v", g.ClientIDList, g.ThumbprintList)
	}

	// Tags.
	if _, err := root.TagOpenIDConnectProvider(ctx, &awsiam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn),
		Tags: []types.Tag{{Key: aws.String("TEAM"), Value: aws.String("api")}, {Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.UntagOpenIDConnectProvider(ctx, &awsiam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := root.ListOpenIDConnectProviderTags(ctx, &awsiam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "TEAM" || aws.ToString(tags.Tags[0].Value) != "api" {
		t.Errorf("tags %+v", tags.Tags)
	}

	list, err := root.ListOpenIDConnectProviders(ctx, &awsiam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, e := range list.OpenIDConnectProviderList {
		arns = append(arns, aws.ToString(e.Arn))
	}
	if !slices.Equal(arns, []string{arn, "arn:aws:iam::123456789012:oidc-provider/other.example.com"}) {
		t.Errorf("listed %v", arns)
	}
	sum, err := root.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.SummaryMap["Providers"] != 2 {
		t.Errorf("Providers = %d, want 2", sum.SummaryMap["Providers"])
	}

	// A user needs the permission, on the provider's ARN.
	user := srv.NewUserWithKey(t, "dev")
	_, err = user.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	wantCode(t, err, "AccessDenied")
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("oidc"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetOpenIDConnectProvider","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/TEAM":"api"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := user.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}); err != nil {
		t.Errorf("tag-conditioned get: %v", err)
	}

	// Delete; then the provider is gone.
	if _, err := root.DeleteOpenIDConnectProvider(ctx, &awsiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	// "NoSuchEntity: OpenIDConnect Provider not found for arn ..." (as
	// Terraform reports it from AWS).
	_, err = root.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	wantCodeMessage(t, err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+arn)
	_, err = root.DeleteOpenIDConnectProvider(ctx, &awsiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	wantCode(t, err, "NoSuchEntity")
	_, err = root.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String("arn:aws:iam::123456789012:role/x")})
	wantCode(t, err, "InvalidInput")
	_, err = root.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String("arn:aws:iam::210987654321:oidc-provider/other.example.com")})
	wantCode(t, err, "NoSuchEntity")
}
