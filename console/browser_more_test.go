package console_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/chromedp/chromedp"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/saml/samltest"
)

// TestBrowserVersionsAndProviders drives, in headless Chromium, the
// policy versions (compare any two: the line diff and what the change adds
// and removes; set the default; delete a version) and the identity
// providers (an OpenID Connect provider with its audiences, thumbprints
// and tags; a SAML provider from an uploaded metadata file, its metadata
// replaced; IAM's error in the page; deletion).
func TestBrowserVersionsAndProviders(t *testing.T) {
	path := chromiumPath()
	if path == "" {
		t.Skip("no chromium binary found (apt-get install chromium): browser test skipped")
	}
	srv := testserver.Start(t)
	makeUser(t, srv, "admin", password, false, "AdministratorAccess")
	root := srv.RootIAM()
	ctx := context.Background()
	docs := []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::reports/*"},` +
			`{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::reports/*"}]}`,
	}
	p, err := root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("Reports"), PolicyDocument: aws.String(docs[0])})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(p.Policy.Arn)
	for _, d := range docs[1:] {
		if _, err := root.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(d), SetAsDefault: true}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	metadata := func(name, entity string) string {
		t.Helper()
		idp, err := samltest.New(entity, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(idp.Metadata()), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	first, second := metadata("idp.xml", "https://idp.example.com/saml"), metadata("idp-rotated.xml", "https://idp.example.com/saml")

	_, run, text := startChromium(t, path)
	sh := newShooter(t)
	times := map[string]timing{}
	run("sign in", chromedp.Navigate(srv.URL+"/ui/signin"), chromedp.WaitVisible(chromedp.CSS("#signin-form")),
		chromedp.SendKeys(chromedp.CSS("#account"), testserver.AccountID), chromedp.SendKeys(chromedp.CSS("#username"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), password), chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#recommendations")))

	// Versions: the policy page offers the newest non-default version
	// against the default; the comparison shows both the line diff and
	// the actions added and removed.
	run("policy versions", chromedp.Navigate(srv.URL+"/ui/policy?arn="+arn), chromedp.WaitVisible(chromedp.CSS("#policy-versions")),
		measure(t, "policy", times), sh.shot("policy-versions"))
	run("compare v2 v3", chromedp.Click(chromedp.CSS("#compare-versions")), chromedp.WaitVisible(chromedp.CSS("#version-diff")),
		measure(t, "compare", times), sh.shot("policy-compare"))
	if s := text("#version-changes"); !strings.Contains(s, "+ s3:DeleteObject") || !strings.Contains(s, "− s3:PutObject") ||
		!strings.Contains(s, "− iam:ListUsers") || strings.Contains(s, "s3:GetObject") {
		t.Errorf("v2 → v3 changes = %q", s)
	}
	if s := text("#version-diff tr.add"); !strings.Contains(s, "s3:DeleteObject") {
		t.Errorf("first added line = %q", s)
	}
	if s := text("#version-diff tr.del"); !strings.Contains(s, "s3:PutObject") {
		t.Errorf("first removed line = %q", s)
	}
	if s := text("#version-diff"); !strings.Contains(s, `"s3:GetObject"`) {
		t.Errorf("the diff lacks the kept lines: %q", s)
	}
	run("compare v1 v2", selectValue("#from", "v1"), selectValue("#to", "v2"), chromedp.Click(chromedp.CSS("#compare-go")),
		waitText("h1", "Compare versions"), waitText("#version-changes", "+ s3:PutObject"))
	if s := text("#version-changes"); !strings.Contains(s, "+ iam:ListUsers") || strings.Contains(s, "−") {
		t.Errorf("v1 → v2 changes = %q", s)
	}
	// Set v1 as the default, then delete v2.
	run("set default", chromedp.Navigate(srv.URL+"/ui/policy?arn="+arn), chromedp.WaitVisible(chromedp.CSS("#default-v1")),
		chromedp.Click(chromedp.CSS("#default-v1")), waitText(".flash", "Default version set."))
	run("delete version", chromedp.Click(chromedp.CSS("#delete-v2")), waitText(".flash", "Version v2 deleted."))
	if s := text("#policy-versions"); strings.Contains(s, "v2") || !strings.Contains(s, "v1 (default)") || !strings.Contains(s, "v3") {
		t.Errorf("versions after deleting v2 = %q", s)
	}
	vs, err := root.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil || len(vs.Versions) != 2 {
		t.Errorf("versions = %+v, %v", vs, err)
	}

	// An OpenID Connect provider: created with an audience and a
	// thumbprint, then another audience, a tag, a wrong thumbprint (IAM's
	// error in the page) and new thumbprints.
	run("providers", chromedp.Navigate(srv.URL+"/ui/providers"), chromedp.WaitVisible(chromedp.CSS("#providers-table")),
		measure(t, "providers", times))
	run("create OIDC", chromedp.Click(chromedp.CSS("#create-oidc summary")),
		chromedp.SendKeys(chromedp.CSS("#oidc-url"), "https://token.actions.githubusercontent.com"),
		chromedp.SendKeys(chromedp.CSS("#oidc-clients"), "sts.amazonaws.com"),
		chromedp.SendKeys(chromedp.CSS("#oidc-thumbprints"), "6938fd4d98bab03faadb97b34396831e3780aea1"),
		chromedp.Click(chromedp.CSS("#create-oidc-submit")), chromedp.WaitVisible(chromedp.CSS("#client-ids")), measure(t, "provider", times))
	run("audience and tag", chromedp.SendKeys(chromedp.CSS("#clientid"), "api://deploy"), chromedp.Click(chromedp.CSS("#add-client")),
		waitText(".flash", "Client id added."), chromedp.SendKeys(chromedp.CSS("#tagkey"), "team"), chromedp.SendKeys(chromedp.CSS("#tagvalue"), "platform"),
		chromedp.Click(chromedp.CSS("#add-tag")), waitText(".flash", "Tags saved."))
	run("wrong thumbprint", setValue("#thumbprints", "not-a-thumbprint"), chromedp.Click(chromedp.CSS("#save-thumbprints")),
		chromedp.WaitVisible(chromedp.CSS("#api-error")))
	if s := text("#api-error"); !strings.Contains(s, "ValidationError") && !strings.Contains(s, "InvalidInput") {
		t.Errorf("a wrong thumbprint reads %q", s)
	}
	run("thumbprints", setValue("#thumbprints", "6938fd4d98bab03faadb97b34396831e3780aea1\n1c58a3a8518e8759bf075b76b750d4f2df264fcd"),
		chromedp.Click(chromedp.CSS("#save-thumbprints")), waitText(".flash", "Thumbprints saved."), sh.shot("provider-oidc"))
	o, err := root.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(text("#provider-arn"))})
	if err != nil || len(o.ClientIDList) != 2 || len(o.ThumbprintList) != 2 || len(o.Tags) != 1 {
		t.Errorf("the OIDC provider = %+v, %v", o, err)
	}

	// A SAML provider from an uploaded metadata file; then the metadata
	// replaced by another upload.
	run("create SAML", chromedp.Navigate(srv.URL+"/ui/providers"), chromedp.WaitVisible(chromedp.CSS("#providers-table")),
		chromedp.Click(chromedp.CSS("#create-saml summary")), chromedp.SendKeys(chromedp.CSS("#saml-name"), "corp-idp"),
		chromedp.SetUploadFiles(chromedp.CSS("#saml-file"), []string{first}), chromedp.Click(chromedp.CSS("#create-saml-submit")),
		chromedp.WaitVisible(chromedp.CSS("#replace-file")), waitText(".flash", "Provider corp-idp created."), sh.shot("provider-saml"))
	samlARN := text("#provider-arn")
	run("replace metadata", chromedp.SetUploadFiles(chromedp.CSS("#replace-file"), []string{second}),
		chromedp.Click(chromedp.CSS("#replace-metadata")), waitText(".flash", "Metadata replaced."))
	sp, err := root.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(samlARN)})
	want, _ := os.ReadFile(second)
	if err != nil || aws.ToString(sp.SAMLMetadataDocument) != string(want) {
		t.Errorf("the SAML provider's metadata is not the uploaded file (%v)", err)
	}
	run("providers list", chromedp.Navigate(srv.URL+"/ui/providers"), waitText("#providers-table", "corp-idp"), sh.shot("providers"))
	if s := text("#providers-table"); !strings.Contains(s, "token.actions.githubusercontent.com") || !strings.Contains(s, "SAML") {
		t.Errorf("providers = %q", s)
	}
	// Deleting the OIDC provider.
	run("delete OIDC", chromedp.Click(chromedp.CSS(`#providers-table a[href*="oidc-provider"]`)), chromedp.WaitVisible(chromedp.CSS("#delete-provider")),
		chromedp.Click(chromedp.CSS("#delete-provider")), waitText(".flash", "deleted."))
	if s := text("#providers-table"); strings.Contains(s, "token.actions") || !strings.Contains(s, "corp-idp") {
		t.Errorf("providers after deleting the OIDC one = %q", s)
	}
	for name, tm := range times {
		if tm.TTFB > 500 {
			t.Errorf("page %s took %.0f ms on the server", name, tm.TTFB)
		}
	}
}
