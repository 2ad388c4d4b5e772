package console_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsct "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

const (
	acct     = testserver.AccountID
	password = "Corr3ct-Horse!"
)

// TestSignInSessionAndHeaders: a user signs in with their console password
// and sees the dashboard; the session cookie is HttpOnly, SameSite=Strict
// and not readable; every page carries the security headers.
func TestSignInSessionAndHeaders(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "alice", password, false, "AdministratorAccess")
	b := newBrowser(t, srv.URL)
	r := b.signIn(acct, "alice", password)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/ui/" {
		t.Fatalf("sign-in = %d %q", r.Status, r.Header.Get("Location"))
	}
	var cookie string
	for _, c := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "gh_session=") {
			cookie = c
		}
	}
	for _, want := range []string{"HttpOnly", "SameSite=Strict", "Path=/ui/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "ASIA") || strings.Contains(cookie, "alice") {
		t.Errorf("session cookie is readable: %q", cookie)
	}
	d := b.get("/ui/")
	if d.Status != http.StatusOK || !strings.Contains(d.Body, "IAM dashboard") || !strings.Contains(d.Body, "alice @ "+acct) {
		t.Fatalf("dashboard = %d\n%.2000s", d.Status, d.Body)
	}
	h := d.Header
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %s", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline: %q", csp)
	}
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Frame-Options": "DENY"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if strings.Contains(d.Body, "<script>") || strings.Contains(d.Body, " onclick=") {
		t.Error("page has an inline script")
	}
	// A browser's visit of / goes to the console; an API client's does not.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	if res := b.do(req); res.Status != http.StatusFound || res.Header.Get("Location") != "/ui/" {
		t.Errorf("browser GET / = %d %q", res.Status, res.Header.Get("Location"))
	}
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusFound {
		t.Error("an API client's GET / was redirected to the console")
	}
}

// TestWrongCredentialsOneMessage: a wrong password, an unknown user, an
// unknown account and a user without a console password all read the
// same.
func TestWrongCredentialsOneMessage(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "bob", password, false)
	makeUser(t, srv, "nopass", "", false)
	for _, c := range []struct{ account, user, pw string }{
		{acct, "bob", "wrong-Password1"}, {acct, "nobody", password}, {"999999999999", "bob", password},
		{"no-such-alias", "bob", password}, {acct, "nopass", password},
	} {
		b := newBrowser(t, srv.URL)
		r := b.signIn(c.account, c.user, c.pw)
		if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "Your authentication information is incorrect. Please try again.") {
			t.Errorf("%v: %d\n%.1500s", c, r.Status, r.Body)
		}
		if b.get("/ui/").Status != http.StatusSeeOther {
			t.Errorf("%v: signed in after a failure", c)
		}
	}
}

func mustURL(t testing.TB, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestBackoff: after five failures for one user, even the right password
// waits; the limit is per account+user and per client IP.
func TestBackoff(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "carol", password, false)
	b := newBrowser(t, srv.URL)
	for range 5 {
		if r := b.signIn(acct, "carol", "nope-Nope-1"); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure = %d", r.Status)
		}
	}
	r := b.signIn(acct, "carol", password)
	if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "Too many failed sign-in attempts") {
		t.Fatalf("sign-in after 5 failures = %d\n%.1000s", r.Status, r.Body)
	}
}

// TestCSRF: state-changing requests without the session's token, or with
// a wrong one, are refused with 403 and change nothing; the sign-in form
// needs its own token too.
func TestCSRF(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "dave", password, false, "AdministratorAccess")
	b := newBrowser(t, srv.URL)
	if r := b.post("/ui/signin", url.Values{"account": {acct}, "username": {"dave"}, "password": {password}}); r.Status != http.StatusForbidden {
		t.Errorf("sign-in without token = %d", r.Status)
	}
	b.mustSignIn(acct, "dave", password)
	tok := b.sessionCSRF()
	// The token changed in its first byte (to one it does not have: a
	// token beginning with "x" made "x"+tok[1:] the token itself, one run
	// in 64), and lengthened.
	first := byte('x')
	if tok[0] == first {
		first = 'y'
	}
	for _, bad := range []string{"", string(first) + tok[1:], tok + "x"} {
		r := b.post("/ui/users", url.Values{"csrf": {bad}, "name": {"mallory"}})
		if r.Status != http.StatusForbidden {
			t.Errorf("create user with token %q = %d", bad, r.Status)
		}
	}
	if _, err := srv.RootIAM().GetUser(context.Background(), &awsiam.GetUserInput{UserName: aws.String("mallory")}); err == nil {
		t.Fatal("a request without the CSRF token created a user")
	}
	if r := b.post("/ui/users", url.Values{"csrf": {tok}, "name": {"mallory"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("create user with the token = %d\n%.1500s", r.Status, r.Body)
	}
	// Another session's token is not this one's.
	b2 := newBrowser(t, srv.URL)
	b2.mustSignIn(acct, "dave", password)
	if r := b2.post("/ui/users", url.Values{"csrf": {tok}, "name": {"mallory2"}}); r.Status != http.StatusForbidden {
		t.Errorf("another session's token = %d", r.Status)
	}
}

// TestCookieTampering: a session cookie changed in any byte, or taken from
// the sign-in step, is no session.
func TestCookieTampering(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "erin", password, false, "AdministratorAccess")
	b := newBrowser(t, srv.URL)
	b.mustSignIn(acct, "erin", password)
	u := mustURL(t, srv.URL+"/ui/")
	var val string
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "gh_session" {
			val = c.Value
		}
	}
	if val == "" {
		t.Fatal("no session cookie")
	}
	for i := range []int{0, 1, 2} {
		pos := []int{5, len(val) / 2, len(val) - 3}[i]
		ch := byte('A')
		if val[pos] == 'A' {
			ch = 'B'
		}
		forged := val[:pos] + string(ch) + val[pos+1:]
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/ui/users", nil)
		req.AddCookie(&http.Cookie{Name: "gh_session", Value: forged})
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/ui/signin" {
			t.Errorf("tampered cookie at %d = %d", pos, res.StatusCode)
		}
	}
}

// TestSignOutAndExpiry: sign-out invalidates the cookie even when it is
// replayed; a session past its 12 hours is over.
func TestSignOutAndExpiry(t *testing.T) {
	var skew atomic.Int64
	srv := testserver.StartWith(t, testserver.Options{Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	makeUser(t, srv, "frank", password, false, "AdministratorAccess")
	b := newBrowser(t, srv.URL)
	b.mustSignIn(acct, "frank", password)
	u := mustURL(t, srv.URL+"/ui/")
	saved := b.c.Jar.Cookies(u)
	if r := b.post("/ui/signout", url.Values{"csrf": {b.sessionCSRF()}}); r.Status != http.StatusSeeOther {
		t.Fatalf("sign-out = %d", r.Status)
	}
	replay := newBrowser(t, srv.URL)
	replay.c.Jar.SetCookies(u, saved)
	if r := replay.get("/ui/users"); r.Status != http.StatusSeeOther {
		t.Errorf("replayed cookie after sign-out = %d", r.Status)
	}
	b2 := newBrowser(t, srv.URL)
	b2.mustSignIn(acct, "frank", password)
	if r := b2.get("/ui/users"); r.Status != http.StatusOK {
		t.Fatalf("users = %d", r.Status)
	}
	skew.Store(int64(12*time.Hour + time.Minute))
	if r := b2.get("/ui/users"); r.Status != http.StatusSeeOther {
		t.Errorf("session after 12 h = %d", r.Status)
	}
}

// TestSignOutRecorded: a sign-out is a store record (so every node of a
// cluster refuses the cookie; store/postgres's cluster test signs out on
// one node and replays the cookie on another), kept until the session
// would have expired (TestPruneSignOuts: then deleted), and in force in
// the node's view.
func TestSignOutRecorded(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "heidi", password, false, "AdministratorAccess")
	ctx := context.Background()
	b := newBrowser(t, srv.URL)
	b.mustSignIn(acct, "heidi", password)
	if r := b.post("/ui/signout", url.Values{"csrf": {b.sessionCSRF()}}); r.Status != http.StatusSeeOther {
		t.Fatalf("sign-out = %d %.500s", r.Status, r.Body)
	}
	var got []store.ConsoleSignOut
	err := srv.Store.View(ctx, func(tx store.ReadTx) error {
		var err error
		got, err = store.ListValues[store.ConsoleSignOut](ctx, tx, store.ListOptions{Kind: store.KindConsoleSignOut})
		return err
	})
	if err != nil || len(got) != 1 {
		t.Fatalf("sign-outs = %+v, %v", got, err)
	}
	now := time.Now()
	if d := got[0].Expires.Sub(now); d < 11*time.Hour || d > 12*time.Hour+time.Minute {
		t.Errorf("sign-out kept for %v, want the session's 12 hours", d)
	}
	if !srv.Directory.SignedOut(got[0].SessionID, now) || srv.Directory.SignedOut(got[0].SessionID, got[0].Expires) {
		t.Error("the view does not hold the sign-out until the session's end")
	}
}

// TestAccessDeniedInPage: a user without permissions sees AWS's
// AccessDenied in the page, not a broken page.
func TestAccessDeniedInPage(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "grace", password, false)
	b := newBrowser(t, srv.URL)
	b.mustSignIn(acct, "grace", password)
	r := b.get("/ui/users")
	want := "User: arn:aws:iam::" + acct + ":user/grace is not authorized to perform: iam:ListUsers"
	if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "AccessDenied") || !strings.Contains(r.Body, want) ||
		!strings.Contains(r.Body, `<nav class="side"`) {
		t.Fatalf("users page = %d\n%.3000s", r.Status, r.Body)
	}
}

// TestSecretShownOnce: a new access key's secret is shown on the no-store
// page that created it and never again.
func TestSecretShownOnce(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "heidi", password, false, "AdministratorAccess")
	b := newBrowser(t, srv.URL)
	b.mustSignIn(acct, "heidi", password)
	r := b.post("/ui/users/heidi/keys", url.Values{"csrf": {b.sessionCSRF()}})
	m := regexpSecret.FindStringSubmatch(r.Body)
	if r.Status != http.StatusOK || m == nil || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create key = %d %q\n%.2000s", r.Status, r.Header.Get("Cache-Control"), r.Body)
	}
	secret := html.UnescapeString(m[1])
	if len(secret) != 40 {
		t.Fatalf("secret %q", secret)
	}
	for _, p := range []string{"/ui/users/heidi", "/ui/", "/ui/users"} {
		if strings.Contains(b.get(p).Body, secret) {
			t.Errorf("%s shows the secret again", p)
		}
	}
}

// TestMustChangePassword: a user whose password must be reset can only
// change it; then the console opens.
func TestMustChangePassword(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "ivan", password, true, "AdministratorAccess")
	b := newBrowser(t, srv.URL)
	r := b.signIn(acct, "ivan", password)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/ui/password" {
		t.Fatalf("sign-in = %d %q", r.Status, r.Header.Get("Location"))
	}
	if r := b.get("/ui/users"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/ui/password" {
		t.Fatalf("users before the change = %d %q", r.Status, r.Header.Get("Location"))
	}
	pg := b.get("/ui/password")
	if !strings.Contains(pg.Body, "You must change your password") {
		t.Fatalf("password page\n%.1500s", pg.Body)
	}
	tok := csrf(t, pg.Body)
	r = b.post("/ui/password", url.Values{"csrf": {tok}, "old": {password}, "new": {"N3w-Passw0rd!"}, "confirm": {"N3w-Passw0rd!"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/ui/" {
		t.Fatalf("change = %d %q\n%.1500s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if r := b.get("/ui/users"); r.Status != http.StatusOK {
		t.Fatalf("users after the change = %d", r.Status)
	}
	if r := newBrowser(t, srv.URL).signIn(acct, "ivan", "N3w-Passw0rd!"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/ui/" {
		t.Fatalf("sign-in with the new password = %d %q", r.Status, r.Header.Get("Location"))
	}
}

// TestMFASignInAndAudit: a user with an MFA device needs its code; the
// session is an MFA session (aws:MultiFactorAuthPresent), and the
// console's calls are in the audit trail as the user's, from the console,
// from the browser's address.
func TestMFASignInAndAudit(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "judy", password, false, "AdministratorAccess")
	_, seed, step := enableMFA(t, srv, "judy")
	b := newBrowser(t, srv.URL)
	r := b.signIn(acct, "judy", password)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Multi-factor authentication") {
		t.Fatalf("password step = %d\n%.1500s", r.Status, r.Body)
	}
	if r := newBrowser(t, srv.URL).signIn(acct, "my-password-typed-here", password); r.Status != http.StatusUnauthorized {
		t.Fatalf("unknown user = %d", r.Status)
	}
	tok := csrf(t, r.Body)
	if r := b.post("/ui/signin/mfa", url.Values{"csrf": {tok}, "code": {"000000"}}); r.Status != http.StatusUnauthorized {
		t.Fatalf("wrong code = %d", r.Status)
	}
	r = b.post("/ui/signin/mfa", url.Values{"csrf": {tok}, "code": {totp(t, seed, step+1)}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/ui/" {
		t.Fatalf("MFA step = %d %q\n%.1500s", r.Status, r.Header.Get("Location"), r.Body)
	}
	d := b.get("/ui/")
	if !strings.Contains(d.Body, `title="Signed in with MFA"`) {
		t.Error("dashboard does not show the MFA session")
	}
	b.get("/ui/users")
	srv.FlushTrail(t)
	ct := awsct.NewFromConfig(srv.Config(testserver.RootKeyID, testserver.RootSecretKey))
	out, err := ct.LookupEvents(context.Background(), &awsct.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("ListUsers")}}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range out.Events {
		var ev struct {
			UserAgent       string `json:"userAgent"`
			SourceIPAddress string `json:"sourceIPAddress"`
			UserIdentity    struct {
				ARN            string `json:"arn"`
				SessionContext struct {
					Attributes struct {
						MFAAuthenticated string `json:"mfaAuthenticated"`
					} `json:"attributes"`
				} `json:"sessionContext"`
			} `json:"userIdentity"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &ev); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(ev.UserAgent, "gatehouse-console") {
			found = true
			if ev.UserIdentity.ARN != "arn:aws:iam::"+acct+":user/judy" || ev.SourceIPAddress != "127.0.0.1" || ev.UserIdentity.SessionContext.Attributes.MFAAuthenticated != "true" {
				t.Errorf("console event: %+v", ev)
			}
		}
	}
	if !found {
		t.Errorf("no ListUsers event from the console among %d", len(out.Events))
	}

	// The sign-ins are ConsoleLogin events, as AWS records them (IAM User
	// Guide, cloudtrail-integration.md, "Logging user sign-in events"): the
	// wrong MFA code a failure, the right one a success with MFA, and the
	// unknown user's name hidden.
	out, err = ct.LookupEvents(context.Background(), &awsct.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("ConsoleLogin")}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range out.Events {
		var ev struct {
			EventSource  string `json:"eventSource"`
			EventType    string `json:"eventType"`
			ErrorMessage string `json:"errorMessage"`
			UserIdentity struct {
				UserName string `json:"userName"`
			} `json:"userIdentity"`
			ResponseElements    map[string]string `json:"responseElements"`
			AdditionalEventData map[string]string `json:"additionalEventData"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.EventSource != "signin.amazonaws.com" || ev.EventType != "AwsConsoleSignIn" {
			t.Errorf("sign-in event %s", aws.ToString(e.CloudTrailEvent))
		}
		got = append(got, ev.UserIdentity.UserName+" "+ev.ResponseElements["ConsoleLogin"]+" MFA:"+ev.AdditionalEventData["MFAUsed"]+" "+ev.ErrorMessage)
	}
	slices.Sort(got)
	want := []string{"HIDDEN_DUE_TO_SECURITY_REASONS Failure MFA:No No username found in supplied account",
		"judy Failure MFA:Yes Failed authentication", "judy Success MFA:Yes "}
	if !slices.Equal(got, want) {
		t.Errorf("ConsoleLogin events:\n got %q\nwant %q", got, want)
	}
}

// TestRootSignIn: the root user signs in with a root access key and its
// secret; a wrong secret reads like any failure.
func TestRootSignIn(t *testing.T) {
	srv := testserver.Start(t)
	b := newBrowser(t, srv.URL)
	page := b.get("/ui/signin")
	r := b.post("/ui/signin", url.Values{"csrf": {csrf(t, page.Body)}, "account": {acct}, "root": {"on"},
		"accesskey": {testserver.RootKeyID}, "secret": {testserver.RootSecretKey + "x"}})
	if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "Your authentication information is incorrect") {
		t.Fatalf("wrong secret = %d", r.Status)
	}
	r = b.post("/ui/signin", url.Values{"csrf": {csrf(t, page.Body)}, "account": {acct}, "root": {"on"},
		"accesskey": {testserver.RootKeyID}, "secret": {testserver.RootSecretKey}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("root sign-in = %d\n%.1500s", r.Status, r.Body)
	}
	if d := b.get("/ui/users"); d.Status != http.StatusOK || !strings.Contains(d.Body, "root @ "+acct) {
		t.Fatalf("root users page = %d\n%.1500s", d.Status, d.Body)
	}

	// With an MFA device, the root user's sign-in asks for its code too.
	ctx := context.Background()
	root := srv.RootIAM()
	d, err := root.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("root-account-mfa-device")})
	if err != nil {
		t.Fatal(err)
	}
	seed := string(d.VirtualMFADevice.Base32StringSeed)
	step := time.Now().Unix() / 30
	if _, err := root.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("root"), SerialNumber: d.VirtualMFADevice.SerialNumber,
		AuthenticationCode1: aws.String(totp(t, seed, step-1)), AuthenticationCode2: aws.String(totp(t, seed, step))}); err != nil {
		t.Fatal(err)
	}
	b2 := newBrowser(t, srv.URL)
	page = b2.get("/ui/signin")
	r = b2.post("/ui/signin", url.Values{"csrf": {csrf(t, page.Body)}, "account": {acct}, "root": {"on"},
		"accesskey": {testserver.RootKeyID}, "secret": {testserver.RootSecretKey}})
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="code"`) {
		t.Fatalf("root sign-in with MFA = %d\n%.1500s", r.Status, r.Body)
	}
	r = b2.post("/ui/signin/mfa", url.Values{"csrf": {csrf(t, r.Body)}, "code": {totp(t, seed, step+1)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("root MFA step = %d\n%.1500s", r.Status, r.Body)
	}
	if d := b2.get("/ui/"); !strings.Contains(d.Body, "The root user has MFA") || !strings.Contains(d.Body, `title="Signed in with MFA"`) {
		t.Errorf("root dashboard with MFA:\n%.2500s", d.Body)
	}
}

// TestDeletedUserSessionEnds: when the signed-in user is deleted, its
// session's credentials stop working and the console signs it out.
func TestDeletedUserSessionEnds(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "leaver", password, false, "AdministratorAccess")
	b := newBrowser(t, srv.URL)
	b.mustSignIn(acct, "leaver", password)
	ctx := context.Background()
	root := srv.RootIAM()
	n := aws.String("leaver")
	if _, err := root.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: n, PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: n}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: n}); err != nil {
		t.Fatal(err)
	}
	if r := b.get("/ui/users"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/ui/signin" {
		t.Errorf("deleted user's page = %d %q", r.Status, r.Header.Get("Location"))
	}
	if r := b.get("/ui/users"); r.Status != http.StatusSeeOther {
		t.Errorf("after the sign-out = %d", r.Status)
	}
}
