package console_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// browser is a cookie-keeping HTTP client that does not follow redirects,
// so tests see each answer of the console.
type browser struct {
	t    testing.TB
	c    *http.Client
	base string
}

func newBrowser(t testing.TB, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// resp is an answer: status, headers, body.
type resp struct {
	Status int
	Header http.Header
	Body   string
}

func (b *browser) do(req *http.Request) resp {
	b.t.Helper()
	req.Header.Set("Accept", "text/html")
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Header: res.Header, Body: string(body)}
}

func (b *browser) get(path string) resp {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) resp {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the CSRF token of a page's forms.
func csrf(t testing.TB, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in page:\n%.2000s", body)
	}
	return m[1]
}

// signIn signs in with a password and returns the answer to the form.
func (b *browser) signIn(account, user, password string) resp {
	b.t.Helper()
	page := b.get("/ui/signin")
	return b.post("/ui/signin", url.Values{"csrf": {csrf(b.t, page.Body)}, "account": {account}, "username": {user}, "password": {password}})
}

// mustSignIn signs in and expects the dashboard.
func (b *browser) mustSignIn(account, user, password string) {
	b.t.Helper()
	r := b.signIn(account, user, password)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/ui/" {
		b.t.Fatalf("sign-in: %d %s\n%.1500s", r.Status, r.Header.Get("Location"), r.Body)
	}
}

// sessionCSRF reads the signed-in session's CSRF token from the dashboard.
func (b *browser) sessionCSRF() string {
	b.t.Helper()
	return csrf(b.t, b.get("/ui/").Body)
}

// makeUser creates a user with a console password and the given managed
// policies.
func makeUser(t testing.TB, srv *testserver.Server, name, password string, reset bool, policies ...string) {
	t.Helper()
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if password != "" {
		if _, err := root.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String(password), PasswordResetRequired: reset}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range policies {
		if _, err := root.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String("arn:aws:iam::aws:policy/" + p)}); err != nil {
			t.Fatal(err)
		}
	}
}

// totp is RFC 6238's code of a base32 seed at a time step.
func totp(t testing.TB, seed string, step int64) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(seed, "="))
	if err != nil {
		t.Fatal(err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}

// enableMFA gives a user a virtual MFA device and returns its seed and
// the time step of the last code used.
func enableMFA(t testing.TB, srv *testserver.Server, user string) (serial, seed string, lastStep int64) {
	t.Helper()
	ctx := context.Background()
	root := srv.RootIAM()
	d, err := root.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(user + "-mfa")})
	if err != nil {
		t.Fatal(err)
	}
	seed = string(d.VirtualMFADevice.Base32StringSeed)
	step := time.Now().Unix() / 30
	if _, err := root.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: d.VirtualMFADevice.SerialNumber,
		AuthenticationCode1: aws.String(totp(t, seed, step-1)), AuthenticationCode2: aws.String(totp(t, seed, step))}); err != nil {
		t.Fatal(err)
	}
	return *d.VirtualMFADevice.SerialNumber, seed, step
}

var regexpSecret = regexp.MustCompile(`id="new-key-secret">([^<]+)<`)
