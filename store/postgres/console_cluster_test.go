package postgres_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// consoleClient speaks to the console of one node without following
// redirects, carrying the cookies it is given (a jar would share them
// between the nodes, which differ only by port).
type consoleClient struct {
	t       *testing.T
	c       *http.Client
	cookies map[string]string
}

func newConsoleClient(t *testing.T) *consoleClient {
	return &consoleClient{t: t, cookies: map[string]string{}, c: &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request to base+path (a form when form is not nil) and
// returns the status, Location and body, keeping the cookies set.
func (cc *consoleClient) do(base, path string, form url.Values) (int, string, string) {
	cc.t.Helper()
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		cc.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range cc.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := cc.c.Do(req)
	if err != nil {
		cc.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 {
			delete(cc.cookies, ck.Name)
		} else {
			cc.cookies[ck.Name] = ck.Value
		}
	}
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

var consoleCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (cc *consoleClient) csrf(body string) string {
	cc.t.Helper()
	m := consoleCSRF.FindStringSubmatch(body)
	if m == nil {
		cc.t.Fatalf("no CSRF token in\n%.1000s", body)
	}
	return m[1]
}

// TestClusterConsoleSignOut: a console session signed in on node 1 works
// on node 2 (the cookie is sealed by the cluster's session-token ring);
// signed out on node 1, its cookie — replayed on node 2 — is refused there
// too, within the propagation bound (the sign-out is a store record every
// node's view follows).
func TestClusterConsoleSignOut(t *testing.T) {
	nodes := startCluster(t, 2)
	n1, n2 := nodes[0].url, nodes[1].url
	b := newConsoleClient(t)
	_, _, page := b.do(n1, "/ui/signin", nil)
	st, loc, body := b.do(n1, "/ui/signin", url.Values{"csrf": {b.csrf(page)}, "account": {clusterAccount}, "root": {"on"},
		"accesskey": {clusterRootKey}, "secret": {clusterRootSec}})
	if st != http.StatusSeeOther || loc != "/ui/" || b.cookies["gh_session"] == "" {
		t.Fatalf("root sign-in on node 1 = %d %q\n%.1000s", st, loc, body)
	}
	session := b.cookies["gh_session"]
	// The same cookie on node 2: signed in.
	replay := newConsoleClient(t)
	replay.cookies["gh_session"] = session
	if st, loc, _ := replay.do(n2, "/ui/users", nil); st != http.StatusOK {
		t.Fatalf("the session on node 2 before sign-out = %d %q", st, loc)
	}
	_, _, dash := b.do(n1, "/ui/", nil)
	if st, loc, body := b.do(n1, "/ui/signout", url.Values{"csrf": {b.csrf(dash)}}); st != http.StatusSeeOther || loc != "/ui/signin" {
		t.Fatalf("sign-out on node 1 = %d %q\n%.1000s", st, loc, body)
	}
	if b.cookies["gh_session"] != "" {
		t.Error("sign-out left the cookie")
	}
	// Node 1 refuses the replayed cookie at once; node 2 within the bound.
	one := newConsoleClient(t)
	one.cookies["gh_session"] = session
	if st, loc, _ := one.do(n1, "/ui/users", nil); st != http.StatusSeeOther || loc != "/ui/signin" {
		t.Errorf("the signed-out cookie on node 1 = %d %q", st, loc)
	}
	start := time.Now()
	for {
		st, loc, _ := replay.do(n2, "/ui/users", nil)
		if st == http.StatusSeeOther && loc == "/ui/signin" {
			break
		}
		if time.Since(start) > propagationBound {
			t.Fatalf("node 2 still accepts the signed-out cookie after %v: %d %q", propagationBound, st, loc)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("sign-out in force on node 2 after %v", time.Since(start))
	// A state-changing request with it is refused too.
	if st, _, _ := replay.do(n2, "/ui/users", url.Values{"name": {"mallory"}}); st != http.StatusUnauthorized {
		t.Errorf("a POST with the signed-out cookie on node 2 = %d", st)
	}
}
