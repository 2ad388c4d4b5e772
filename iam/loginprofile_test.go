package iam

import (
	"crypto/rand"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/store"
)

// TestPasswordHash: hashes carry their parameters and a fresh salt, match only
// their password, and malformed or extravagant encodings are refused rather
// than evaluated.
func TestPasswordHash(t *testing.T) {
	t.Parallel()
	s := &Service{rand: rand.Reader}
	h1, err := s.hashPassword("Correct-Horse-9")
	if err != nil {
		t.Fatal(err)
	}
	h2, err := s.hashPassword("Correct-Horse-9")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") || h1 == h2 || strings.Contains(h1, "Horse") {
		t.Fatalf("hashes %q %q", h1, h2)
	}
	for pw, want := range map[string]bool{"Correct-Horse-9": true, "correct-horse-9": false, "": false} {
		if ok, err := passwordMatches(h1, pw); err != nil || ok != want {
			t.Errorf("passwordMatches(%q) = %v, %v", pw, ok, err)
		}
	}
	parts := strings.Split(h1, "$")
	for _, bad := range []string{
		"", "plaintext", "$argon2i$v=19$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=16$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=4194304,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=19456,t=1000,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=0$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=1$!!$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=1$" + parts[4] + "$",
	} {
		if _, err := passwordMatches(bad, "Correct-Horse-9"); err == nil {
			t.Errorf("accepted hash %q", bad)
		}
	}
}

// TestCheckPassword: AWS's default policy and a custom one.
func TestCheckPassword(t *testing.T) {
	t.Parallel()
	custom := passwordPolicy{MinimumPasswordLength: 10, RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true}
	for _, c := range []struct {
		pw     string
		custom bool
		ok     bool
	}{
		{"Abcdefg1", false, true}, {"abcdefg!1", false, true}, {"Abcdef1", false, false}, {"abcdefgh1", false, false},
		{"Abcdefgh1!", true, true}, {"Abcdefgh1", true, false}, {"abcdefgh1!", true, false}, {"ABCDEFGH1!", true, false},
		{"Abcdefghi!", true, false}, {"Abcdef1!", true, false}, {"Abcdefgh1~", true, false},
	} {
		err := checkPassword(c.pw, custom, c.custom, testAccount())
		if (err == nil) != c.ok {
			t.Errorf("checkPassword(%q, custom %v) = %v", c.pw, c.custom, err)
		}
	}
	// The default policy refuses the account's email address.
	if err := checkPassword("Ops@Example.com1", passwordPolicy{}, false, testAccount()); err != nil {
		t.Errorf("unrelated password refused: %v", err)
	}
	a := testAccount()
	a.Email = "Ops@Example.com1"
	if err := checkPassword("Ops@Example.com1", passwordPolicy{}, false, a); err == nil {
		t.Error("account email accepted as password")
	}
}

func testAccount() store.Account {
	return store.Account{ID: "123456789012", Name: "acme", Email: "ops@example.com"}
}
