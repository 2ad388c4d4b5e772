package console_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

var nextRE = regexp.MustCompile(`href="(/ui/users\?marker=[^"]+)" id="next-page"`)

// pageBudget is the target for each page's server time with 1,000
// users in the account.
const pageBudget = 50 * time.Millisecond

// TestPageTimes1000Users measures each page's server time (the median of
// 15 loads, through loopback HTTP and the whole in-process pipeline) with
// 1,000 users in the account. Run with -v to see the figures. A page over
// the budget is reported, not failed: timings on a shared machine are not
// assertions (the project's rule); set GATEHOUSE_PAGE_BUDGET=enforce on a
// quiet machine to fail on it.
func TestPageTimes1000Users(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 1,000 users")
	}
	srv := testserver.Start(t)
	makeUser(t, srv, "admin", password, false, "AdministratorAccess")
	root := srv.RootIAM()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < 1000; i += 4 {
				name := fmt.Sprintf("user-%04d", i)
				if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
					errs <- err
					return
				}
				if i%10 == 0 {
					if _, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)}); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if _, err := root.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("developers")}); err != nil {
		t.Fatal(err)
	}
	pol, err := root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("Reports"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: pol.Policy.Arn, SetAsDefault: true,
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	oidc, err := root.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"),
		ClientIDList: []string{"sts.amazonaws.com"}})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, srv.URL)
	b.mustSignIn(testserver.AccountID, "admin", password)

	// The users list pages by IAM's Marker: 100 a page, and the next
	// page's link goes on where the first stopped.
	first := b.get("/ui/users")
	next := nextRE.FindStringSubmatch(first.Body)
	if next == nil || strings.Count(first.Body, `<tr><td><a href="/ui/users/`) != 100 {
		t.Fatalf("first page: next %v, %d rows", next, strings.Count(first.Body, `<tr><td><a href="/ui/users/`))
	}
	second := b.get(html.UnescapeString(next[1]))
	if second.Status != http.StatusOK || !strings.Contains(second.Body, "user-0099") || strings.Contains(second.Body, ">user-0098<") {
		t.Errorf("second page = %d\n%.1500s", second.Status, second.Body)
	}
	pages := []string{"/ui/", "/ui/users", "/ui/users?marker=", "/ui/users/user-0500", "/ui/users/user-0500/rotate?old=x",
		"/ui/groups", "/ui/groups/developers", "/ui/roles", "/ui/policies", "/ui/policies?scope=Local",
		"/ui/policy?arn=arn:aws:iam::aws:policy/AdministratorAccess", "/ui/policies/new", "/ui/account",
		"/ui/policy/compare?arn=" + url.QueryEscape(aws.ToString(pol.Policy.Arn)) + "&from=v1&to=v2",
		"/ui/providers", "/ui/provider?arn=" + url.QueryEscape(aws.ToString(oidc.OpenIDConnectProviderArn))}
	for _, p := range pages {
		if r := b.get(p); r.Status != http.StatusOK {
			t.Fatalf("%s = %d\n%.1500s", p, r.Status, r.Body)
		}
		measure := func(n int) (med, worst time.Duration) {
			ds := make([]time.Duration, 0, n)
			for range n {
				start := time.Now()
				b.get(p)
				ds = append(ds, time.Since(start))
			}
			slices.Sort(ds)
			return ds[len(ds)/2], ds[len(ds)-1]
		}
		med, worst := measure(15)
		if med > pageBudget {
			// The machine is shared: measure once more before failing.
			med, worst = measure(31)
		}
		t.Logf("%-66s median %6.2f ms  max %6.2f ms", p, float64(med.Microseconds())/1000, float64(worst.Microseconds())/1000)
		if med > pageBudget {
			if os.Getenv("GATEHOUSE_PAGE_BUDGET") == "enforce" {
				t.Errorf("%s: median %v over the %v budget", p, med, pageBudget)
			} else {
				t.Logf("%s: median %v over the %v budget (not enforced; GATEHOUSE_PAGE_BUDGET=enforce fails on it)", p, med, pageBudget)
			}
		}
	}
}
