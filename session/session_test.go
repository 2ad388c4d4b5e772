package session_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/session"
)

func newKeyring(t testing.TB) *keyring.Keyring {
	t.Helper()
	key, err := keyring.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keyring.New(rand.Reader, key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var issued = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func sample() *session.Session {
	return &session.Session{
		AccessKeyID: "ASIAEXAMPLE234567ABC", Secret: "s3cr3t/KEY+value", Account: "123456789012",
		Kind: session.KindRole, RoleARN: "arn:aws:iam::123456789012:role/ops/Admin", RoleName: "Admin", RoleID: "AROAEXAMPLEEXAMPLE123",
		Name: "alice", SourceIdentity: "alice@example.com", IssuedAt: issued, Expiration: issued.Add(time.Hour), MFA: true,
		Policy:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
		PolicyARNs: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, Tags: []session.Tag{{Key: "team", Value: "blue"}},
		TransitiveTagKeys: []string{"team"}, ChainDepth: 1,
	}
}

func TestRoundTrip(t *testing.T) {
	k := newKeyring(t)
	s := sample()
	tok, err := session.Seal(k, s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tok, "s3cr3t") || strings.Contains(tok, "alice") {
		t.Fatal("token reveals its content")
	}
	got, err := session.Open(k, tok, s.AccessKeyID, issued.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, s)
	}
	if !got.IsChained() {
		t.Fatal("chain depth lost")
	}
}

func TestOpenRejects(t *testing.T) {
	k := newKeyring(t)
	s := sample()
	tok, err := session.Seal(k, s)
	if err != nil {
		t.Fatal(err)
	}
	now := issued.Add(time.Minute)
	// Every single-character change of the token is detected.
	for i := 0; i < len(tok); i++ {
		b := []byte(tok)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		if _, err := session.Open(k, string(b), s.AccessKeyID, now); !errors.Is(err, session.ErrInvalid) {
			t.Fatalf("tampered at %d: %v", i, err)
		}
	}
	cases := map[string]struct {
		k     session.Sealer
		tok   string
		keyID string
		now   time.Time
		want  error
	}{
		"other access key id": {k, tok, "ASIAOTHER234567ABCDE", now, session.ErrInvalid},
		"other keyring":       {newKeyring(t), tok, s.AccessKeyID, now, session.ErrInvalid},
		"empty":               {k, "", s.AccessKeyID, now, session.ErrInvalid},
		"not base64":          {k, "!!!" + tok, s.AccessKeyID, now, session.ErrInvalid},
		"truncated":           {k, tok[:len(tok)-4], s.AccessKeyID, now, session.ErrInvalid},
		"too long":            {k, strings.Repeat("A", session.MaxTokenLen+1), s.AccessKeyID, now, session.ErrInvalid},
		"expired exactly":     {k, tok, s.AccessKeyID, s.Expiration, session.ErrExpired},
		"expired later":       {k, tok, s.AccessKeyID, s.Expiration.Add(time.Second), session.ErrExpired},
	}
	for name, c := range cases {
		if _, err := session.Open(c.k, c.tok, c.keyID, c.now); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
	}
}

// TestOpenRejectsForeignContent: a value sealed by the right key for the right
// access key id but not holding a session of this format is invalid.
func TestOpenRejectsForeignContent(t *testing.T) {
	k := newKeyring(t)
	for _, plain := range []string{`{}`, `not json`, `{"ver":2,"akid":"ASIAX","kind":1,"acct":"1","exp":"2999-01-01T00:00:00Z"}`,
		`{"ver":1,"akid":"ASIAY","kind":1,"acct":"1","exp":"2999-01-01T00:00:00Z"}`,
		`{"ver":1,"akid":"ASIAX","kind":9,"acct":"1","exp":"2999-01-01T00:00:00Z"}`} {
		sealed, err := k.Seal([]byte(plain), []byte("ASIAX"))
		if err != nil {
			t.Fatal(err)
		}
		tok := base64.RawURLEncoding.EncodeToString(sealed)
		if _, err := session.Open(k, tok, "ASIAX", issued); !errors.Is(err, session.ErrInvalid) {
			t.Errorf("%s: %v", plain, err)
		}
	}
}

func TestSealRefusesIncomplete(t *testing.T) {
	k := newKeyring(t)
	if _, err := session.Seal(k, &session.Session{Kind: session.KindRole}); err == nil {
		t.Fatal("sealed a session without access key id")
	}
	if _, err := session.Seal(k, &session.Session{AccessKeyID: "ASIAX"}); err == nil {
		t.Fatal("sealed a session without kind")
	}
}

func TestContext(t *testing.T) {
	if _, ok := session.FromContext(context.Background()); ok {
		t.Fatal("empty context has a session")
	}
	s := sample()
	got, ok := session.FromContext(session.NewContext(context.Background(), s))
	if !ok || got != s {
		t.Fatal("session not carried")
	}
}

// FuzzOpen: no input makes Open panic or accept a token it did not seal.
func FuzzOpen(f *testing.F) {
	k := newKeyring(f)
	s := sample()
	tok, err := session.Seal(k, s)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tok, s.AccessKeyID)
	f.Add(tok[:20], s.AccessKeyID)
	f.Add("", "")
	f.Add("AAAA", "ASIA")
	f.Fuzz(func(t *testing.T, token, keyID string) {
		got, err := session.Open(k, token, keyID, issued)
		if err != nil {
			if !errors.Is(err, session.ErrInvalid) && !errors.Is(err, session.ErrExpired) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if token != tok || keyID != s.AccessKeyID || got.Secret != s.Secret {
			t.Fatalf("accepted a token it did not seal: %q", token)
		}
	})
}

// TestStdlibOnly: the package is pure.
func TestStdlibOnly(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if strings.Contains(strings.Split(p, "/")[0], ".") {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
