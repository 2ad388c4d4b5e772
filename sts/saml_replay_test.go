package sts

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/saml"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

// TestUseAssertion: an assertion is accepted once until it expires; the
// records of expired assertions are removed as new ones are used, oldest
// first, so the store keeps only live ones.
func TestUseAssertion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	s := New(Config{Store: st, Rand: rand.Reader, Now: func() time.Time { return now }})
	const acct, provider = "123456789012", "arn:aws:iam::123456789012:saml-provider/idp"
	assertion := func(id string, expiry time.Time) *saml.Assertion {
		return &saml.Assertion{ID: id, Issuer: "https://idp.example.com", ConfirmationNotOnOrAfter: expiry}
	}
	count := func() int {
		t.Helper()
		var n int
		err := st.View(ctx, func(tx store.ReadTx) error {
			var err error
			n, err = tx.Count(ctx, store.KindSAMLAssertion, acct, "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	for i := range 20 {
		if err := s.useAssertion(ctx, acct, provider, assertion(fmt.Sprintf("_a%d", i), now.Add(time.Duration(i+1)*time.Minute)), now); err != nil {
			t.Fatal(err)
		}
	}
	err = s.useAssertion(ctx, acct, provider, assertion("_a3", now.Add(4*time.Minute)), now)
	if e := asAWS(t, err); e.Code != "InvalidIdentityToken" || e.Message != msgSAMLReplay {
		t.Fatalf("replay: %#v", e)
	}
	// The same id from another issuer is another assertion.
	other := assertion("_a3", now.Add(4*time.Minute))
	other.Issuer = "https://other.example.com"
	if err := s.useAssertion(ctx, acct, provider, other, now); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 21 {
		t.Fatalf("%d records, want 21", n)
	}
	// Ten minutes on (plus the skew), the first ten have expired: the next
	// use removes them.
	now = now.Add(10*time.Minute + clockSkew)
	if err := s.useAssertion(ctx, acct, provider, assertion("_b", now.Add(5*time.Minute)), now); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 21+1-11 {
		t.Fatalf("%d records after pruning, want %d", n, 21+1-11)
	}
}
