package sts

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/session"
)

// TestOpenSessionExpiry: credentials work until their expiration and are then
// ExpiredToken, 403 Sender, "The security token included in the request is
// expired" (as IAM renders it: cfn-sphere/cfn-sphere#55); a token from another
// cluster key is InvalidClientTokenId.
func TestOpenSessionExpiry(t *testing.T) {
	t.Parallel()
	key, _ := keyring.GenerateKey(rand.Reader)
	k, err := keyring.New(rand.Reader, key)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s := New(Config{Sealer: k, Rand: rand.Reader, Now: func() time.Time { return now }})
	creds, err := s.issue(&session.Session{Account: "123456789012", Kind: session.KindUser, UserName: "bob"}, now, 900)
	if err != nil {
		t.Fatal(err)
	}
	if acct, ok := accountOfTemporaryKey(creds.AccessKeyId); !ok || acct != "123456789012" {
		t.Fatalf("key id %s encodes %q", creds.AccessKeyId, acct)
	}
	now = now.Add(899 * time.Second)
	if _, err := s.OpenSession(creds.SessionToken, creds.AccessKeyId); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	now = now.Add(time.Second)
	_, err = s.OpenSession(creds.SessionToken, creds.AccessKeyId)
	e := asAWS(t, err)
	if e.Code != "ExpiredToken" || e.Status != 403 || !e.Sender || e.Message != "The security token included in the request is expired" {
		t.Fatalf("expired: %#v", e)
	}
	key2, _ := keyring.GenerateKey(rand.Reader)
	k2, _ := keyring.New(rand.Reader, key2)
	other := New(Config{Sealer: k2, Rand: rand.Reader, Now: func() time.Time { return now.Add(-time.Minute) }})
	_, err = other.OpenSession(creds.SessionToken, creds.AccessKeyId)
	if e := asAWS(t, err); e.Code != "InvalidClientTokenId" || e.Status != 403 || e.Message != "The security token included in the request is invalid." {
		t.Fatalf("foreign key: %#v", e)
	}
}

func TestTemporaryKeyIDs(t *testing.T) {
	t.Parallel()
	s := New(Config{Rand: rand.Reader})
	for _, acct := range []string{"000000000000", "123456789012", "999999999999"} {
		id, err := s.temporaryKeyID(acct)
		if err != nil {
			t.Fatal(err)
		}
		if len(id) != 20 || id[:4] != "ASIA" {
			t.Fatalf("id %s", id)
		}
		if got, ok := accountOfTemporaryKey(id); !ok || got != acct {
			t.Errorf("%s: decoded %q", acct, got)
		}
	}
	if _, ok := accountOfTemporaryKey("AKIAIOSFODNN7EXAMPLE"); ok {
		t.Error("decoded a long-term key id")
	}
}

func asAWS(t *testing.T, err error) *awserr.Error {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("not an AWS error: %v", err)
	}
	return e
}
