package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/chromedp/chromedp"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// chromiumPath finds a Chromium to drive, or "".
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// shooter saves 1280×800 screenshots: under docs/console/ when
// GATEHOUSE_SCREENSHOTS=1, else in the test's temporary directory.
type shooter struct {
	t   *testing.T
	dir string
}

func newShooter(t *testing.T) shooter {
	dir := t.TempDir()
	if os.Getenv("GATEHOUSE_SCREENSHOTS") == "1" {
		dir = filepath.Join("..", "docs", "console")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
	return shooter{t: t, dir: dir}
}

func (s shooter) shot(name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		buf, err := chromedp.CaptureScreenshot()(ctx, t)
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, os.WriteFile(filepath.Join(s.dir, name+".png"), buf, 0o644)
	}
}

// timing is what the browser measured of a page's load: the server's time
// to the first byte and the whole load.
type timing struct {
	TTFB float64 `json:"ttfb"`
	Load float64 `json:"load"`
}

// measure records the last navigation's timing under name.
func measure(t *testing.T, name string, into map[string]timing) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		tm, err := chromedp.Evaluate[timing](`(function(){var n=performance.getEntriesByType("navigation")[0];`+
			`return {ttfb:n.responseStart-n.requestStart, load:(n.loadEventEnd||performance.now())-n.startTime};})()`)(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}
		into[name] = tm
		t.Logf("page %-14s server %6.1f ms, load %6.1f ms", name, tm.TTFB, tm.Load)
		return chromedp.Void{}, nil
	}
}

// setValue sets a field's value as typing would (an input event follows).
func setValue(sel, value string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(function(){var e=document.querySelector(%q);e.value=%q;e.dispatchEvent(new Event("input",{bubbles:true}));return true;})()`, sel, value)
	return chromedp.Evaluate[chromedp.Void](js)
}

// waitText waits until the element's text contains want.
// It evaluates again and again (a navigation in between may fail one
// evaluation) until the step's deadline.
func waitText(sel, want string) chromedp.Action[chromedp.Void] {
	check := chromedp.Evaluate[bool](fmt.Sprintf(`document.readyState==="complete"&&(document.querySelector(%q)||{textContent:""}).textContent.includes(%q)`, sel, want))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		for {
			if ok, err := check(ctx, t); err == nil && ok {
				return chromedp.Void{}, nil
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, fmt.Errorf("waiting for %q in %s: %w", want, sel, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// selectValue chooses an option of a select, as a person would (a change
// event follows).
func selectValue(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(function(){var e=document.querySelector(%q);e.value=%q;e.dispatchEvent(new Event("change",{bubbles:true}));return true;})()`, sel, value))
}

// waitJS waits until a JavaScript predicate holds.
func waitJS(expr string) chromedp.Action[chromedp.Void] {
	check := chromedp.Evaluate[bool](expr)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		for {
			if ok, err := check(ctx, t); err == nil && ok {
				return chromedp.Void{}, nil
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, fmt.Errorf("waiting for %s: %w", expr, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// startChromium starts headless Chromium at 1280×800 for the test and
// returns its context, run (the actions of one step, under a 20 s
// deadline; the test fails with the page's location when one fails) and
// text (an element's text).
func startChromium(t *testing.T, path string) (context.Context, func(string, ...chromedp.Action[chromedp.Void]), func(string) string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.WindowSize(1280, 800))
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	bctx, cancelTimeout := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(cancelTimeout)
	// Start the browser under the test's context (a step's timeout must
	// not end it).
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(bctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, actions...); err != nil {
			loc, _ := chromedp.Run(bctx, chromedp.Location())
			t.Fatalf("%s (at %s): %v", what, loc, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return s
	}
	return bctx, run, text
}

// TestBrowser drives the console in headless Chromium: sign in with MFA;
// create a user, a group and a policy (validated as typed); attach it;
// rotate an access key by the guide's steps; and a user without
// permissions sees AccessDenied in the page.
func TestBrowser(t *testing.T) {
	path := chromiumPath()
	if path == "" {
		t.Skip("no chromium binary found (apt-get install chromium): browser test skipped")
	}
	srv := testserver.Start(t)
	makeUser(t, srv, "admin", password, false, "AdministratorAccess")
	makeUser(t, srv, "viewer", password, false)
	_, seed, step := enableMFA(t, srv, "admin")
	root := srv.RootIAM()
	ctx := context.Background()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("deploy")}); err != nil {
		t.Fatal(err)
	}
	oldKey, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("deploy")})
	if err != nil {
		t.Fatal(err)
	}
	old := aws.ToString(oldKey.AccessKey.AccessKeyId)

	bctx, run, text := startChromium(t, path)
	sh := newShooter(t)
	times := map[string]timing{}

	// Sign in with MFA: a browser's / leads to the sign-in page.
	run("sign-in page", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#signin-form")),
		measure(t, "signin", times), sh.shot("signin"))
	run("password", chromedp.SendKeys(chromedp.CSS("#account"), testserver.AccountID),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin"), chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#signin-submit")), chromedp.WaitVisible(chromedp.CSS("#code")), sh.shot("mfa"))
	code := totp(t, seed, max(step+1, time.Now().Unix()/30))
	run("MFA code", chromedp.SendKeys(chromedp.CSS("#code"), code), chromedp.Click(chromedp.CSS("#mfa-submit")),
		chromedp.WaitVisible(chromedp.CSS("#recommendations")), measure(t, "dashboard", times), sh.shot("dashboard"))
	if s := text(".who"); !strings.Contains(s, "admin @ "+testserver.AccountID) || !strings.Contains(s, "MFA") {
		t.Errorf("header = %q", s)
	}

	// Create a user.
	run("users", chromedp.Navigate(srv.URL+"/ui/users"), chromedp.WaitVisible(chromedp.CSS("#users-table")),
		measure(t, "users", times), sh.shot("users"))
	run("create user", chromedp.Click(chromedp.CSS("#create-user summary")),
		chromedp.SendKeys(chromedp.CSS("#new-name"), "bob"), chromedp.Click(chromedp.CSS("#create-user-submit")),
		chromedp.WaitVisible(chromedp.CSS("#access-keys")), measure(t, "user", times), sh.shot("user"))
	if s := text("h1"); s != "User bob" {
		t.Errorf("user page h1 = %q", s)
	}

	// Create a group and add bob.
	run("create group", chromedp.Navigate(srv.URL+"/ui/groups"), chromedp.WaitVisible(chromedp.CSS("#groups-table")),
		measure(t, "groups", times), chromedp.Click(chromedp.CSS("details.card summary")),
		chromedp.SendKeys(chromedp.CSS("#group-name"), "developers"), chromedp.Click(chromedp.CSS("#create-group-submit")),
		chromedp.WaitVisible(chromedp.CSS("#group-users")),
		chromedp.SendKeys(chromedp.CSS("#add-user"), "bob"), chromedp.Click(chromedp.CSS("#add-user-submit")),
		waitText(".flash", "User added."))
	if s := text("#group-users"); !strings.Contains(s, "bob") {
		t.Errorf("group members = %q", s)
	}

	// Create a policy: the JSON editor shows Access Analyzer's findings as
	// it is typed; the visual editor builds the document from the Service
	// Authorization Reference, and the JSON editor shows the same document.
	bad := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}]}`
	run("policy editor", chromedp.Navigate(srv.URL+"/ui/policies/new"), chromedp.WaitVisible(chromedp.CSS("#policy-document")),
		measure(t, "editor", times), chromedp.SendKeys(chromedp.CSS("#policy-name"), "ReportsRead"),
		setValue("#policy-document", bad), waitText("#findings", "INVALID_ACTION"), sh.shot("policy-editor-finding"))
	if s := text("#findings"); !strings.Contains(s, "s3:GetObjekt does not exist") {
		t.Errorf("findings of a misspelt action = %q", s)
	}
	run("visual editor", setValue("#policy-document", `{"Version":"2012-10-17","Statement":[]}`),
		chromedp.Click(chromedp.CSS("#tab-visual")), chromedp.Click(chromedp.CSS("#ve-add-statement")),
		chromedp.WaitVisible(chromedp.CSS(".ve-service-select")), selectValue(".ve-service-select", "s3"),
		chromedp.Click(chromedp.CSS(`input[data-action="s3:GetObject"]`)),
		waitJS(`document.getElementById("policy-document").value.includes("s3:GetObject")`),
		chromedp.Click(chromedp.CSS(`input[data-action="s3:ListBucket"]`)),
		waitJS(`document.getElementById("policy-document").value.includes("s3:ListBucket")`),
		chromedp.Click(chromedp.CSS(".ve-any")), chromedp.WaitVisible(chromedp.CSS(`.ve-arn[data-type="object"]`)),
		chromedp.Click(chromedp.CSS(`.ve-arn[data-type="object"]`)),
		waitJS(`document.getElementById("policy-document").value.includes("${ObjectName}")`),
		setValue(".ve-resources", "arn:aws:s3:::reports\narn:aws:s3:::reports/*"),
		selectValue(`select[aria-label="Condition operator"]`, "Bool"),
		chromedp.SendKeys(chromedp.CSS(".ve-key"), "aws:SecureTransport"), chromedp.SendKeys(chromedp.CSS(".ve-value"), "true"),
		chromedp.Click(chromedp.CSS(".ve-add-condition")),
		waitJS(`document.getElementById("policy-document").value.includes("aws:SecureTransport")`),
		waitText("#findings", "No findings"),
		chromedp.Evaluate[chromedp.Void]("window.scrollTo(0, 0)"), sh.shot("policy-visual-editor"),
		chromedp.Click(chromedp.CSS("#tab-json")), chromedp.WaitVisible(chromedp.CSS("#policy-document")), sh.shot("policy-json-editor"))
	jsonDoc, err := chromedp.Run(bctx, chromedp.Value(chromedp.CSS("#policy-document")))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Statement []struct {
			Effect    string
			Action    []string
			Resource  []string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(jsonDoc), &got); err != nil {
		t.Fatalf("the JSON editor's document %q: %v", jsonDoc, err)
	}
	if len(got.Statement) != 1 || got.Statement[0].Effect != "Allow" ||
		!slices.Equal(got.Statement[0].Action, []string{"s3:GetObject", "s3:ListBucket"}) ||
		!slices.Equal(got.Statement[0].Resource, []string{"arn:aws:s3:::reports", "arn:aws:s3:::reports/*"}) ||
		got.Statement[0].Condition["Bool"]["aws:SecureTransport"] != "true" {
		t.Fatalf("the JSON editor shows %s", jsonDoc)
	}
	run("save policy", chromedp.Click(chromedp.CSS("#save-policy")), chromedp.WaitVisible(chromedp.CSS("#policy-json")),
		measure(t, "policy", times), sh.shot("policy"))
	if s := text("#policy-json"); !strings.Contains(s, `"arn:aws:s3:::reports/*"`) || !strings.Contains(s, "aws:SecureTransport") {
		t.Errorf("saved document = %q", s)
	}

	// Before saving an edit, the editor shows what it grants and takes away.
	edited := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::reports","arn:aws:s3:::reports/*"]}]}`
	run("edit policy", chromedp.Click(chromedp.CSS("#edit-policy")), chromedp.WaitVisible(chromedp.CSS("#changes")),
		setValue("#policy-document", edited), waitText("#changes", "+ s3:PutObject"), waitText("#changes", "− s3:ListBucket"),
		sh.shot("policy-before-save"))

	// Attach it to the group.
	arn := "arn:aws:iam::" + testserver.AccountID + ":policy/ReportsRead"
	run("attach", chromedp.Navigate(srv.URL+"/ui/groups/developers"), chromedp.WaitVisible(chromedp.CSS("#group-policies")),
		measure(t, "group", times), chromedp.SendKeys(chromedp.CSS("#group-attach-arn"), arn),
		chromedp.Click(chromedp.CSS("#attach-group-policy")), waitText(".flash", "Policy attached."), sh.shot("group"))
	if s := text("#group-policies"); !strings.Contains(s, "ReportsRead") {
		t.Errorf("group policies = %q", s)
	}

	// Simulate bob's requests: the denied one reads its reason.
	run("simulate", chromedp.Navigate(srv.URL+"/ui/simulate"), chromedp.WaitVisible(chromedp.CSS("#simulate-form")),
		measure(t, "simulate", times),
		setValue("#sim-principal", "arn:aws:iam::"+testserver.AccountID+":user/bob"), setValue("#sim-actions", "s3:GetObject s3:PutObject"),
		setValue("#sim-resources", "arn:aws:s3:::reports/q1.csv"), chromedp.Click(chromedp.CSS("#simulate-submit")),
		chromedp.WaitVisible(chromedp.CSS("#sim-results")), sh.shot("simulator"))
	if s := text("#sim-results"); !strings.Contains(s, "implicitDeny") || !strings.Contains(s, "Missing context keys: aws:SecureTransport") ||
		!strings.Contains(s, "No statement allows it.") {
		t.Errorf("simulation = %q", s)
	}

	// Rotate deploy's key by the guide's steps.
	run("rotate: create", chromedp.Navigate(srv.URL+"/ui/users/deploy/rotate?old="+old), chromedp.WaitVisible(chromedp.CSS("#rotate-create")),
		measure(t, "rotate", times), sh.shot("rotate-1"), chromedp.Click(chromedp.CSS("#rotate-create")),
		chromedp.WaitVisible(chromedp.CSS("#new-key-secret")), sh.shot("key-created"))
	newKey := text("#new-key-id")
	run("rotate: check and deactivate", chromedp.Click(chromedp.CSS("#continue-rotation")),
		chromedp.WaitVisible(chromedp.CSS("#old-key-last-used")), sh.shot("rotate-2"),
		chromedp.Click(chromedp.CSS("#rotate-deactivate")), chromedp.WaitVisible(chromedp.CSS("#rotate-delete")),
		chromedp.Click(chromedp.CSS("#rotate-delete")), chromedp.WaitVisible(chromedp.CSS("#rotation-done")))
	keys, err := root.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("deploy")})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId) != newKey || newKey == old {
		t.Errorf("keys after rotation = %+v (new %s, old %s)", keys.AccessKeyMetadata, newKey, old)
	}

	// The account settings page, then sign out.
	run("account", chromedp.Navigate(srv.URL+"/ui/account"), chromedp.WaitVisible(chromedp.CSS("#save-password-policy")),
		measure(t, "account", times), sh.shot("account"))
	run("roles", chromedp.Navigate(srv.URL+"/ui/roles"), chromedp.WaitVisible(chromedp.CSS("#roles-table")), measure(t, "roles", times))
	run("policies", chromedp.Navigate(srv.URL+"/ui/policies"), chromedp.WaitVisible(chromedp.CSS("#policies-table")),
		measure(t, "policies", times), sh.shot("policies"))
	srv.FlushTrail(t)
	run("activity", chromedp.Navigate(srv.URL+"/ui/activity"), chromedp.WaitVisible(chromedp.CSS("#activity-table")),
		measure(t, "activity", times), sh.shot("activity"))
	if s := text("#activity-table"); !strings.Contains(s, "DeleteAccessKey") || !strings.Contains(s, "Gatehouse console") {
		t.Errorf("activity = %q", s)
	}
	run("sign out", chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#signin-form")))

	// A user without permissions sees AccessDenied in the page.
	run("viewer", chromedp.SendKeys(chromedp.CSS("#account"), testserver.AccountID),
		chromedp.SendKeys(chromedp.CSS("#username"), "viewer"), chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#signin-submit")), chromedp.WaitVisible(chromedp.CSS(".who")),
		chromedp.Navigate(srv.URL+"/ui/users"), chromedp.WaitVisible(chromedp.CSS("#api-error")), sh.shot("access-denied"))
	if s := text("#api-error"); !strings.Contains(s, "AccessDenied") || !strings.Contains(s, "is not authorized to perform: iam:ListUsers") {
		t.Errorf("viewer's users page error = %q", s)
	}
	for name, tm := range times {
		if tm.TTFB > 500 {
			t.Errorf("page %s took %.0f ms on the server", name, tm.TTFB)
		}
	}
}
