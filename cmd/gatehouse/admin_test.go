package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

func TestAdminCreateAccount(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GATEHOUSE_MASTER_KEY", "")
	var out, errb bytes.Buffer
	if code := run([]string{"admin", "create-account", "--data", dir, "--account-id", "210987654321", "--name", "second"}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	m := regexp.MustCompile(`AWS_ACCESS_KEY_ID=(AKIA[A-Z2-7]{16})\n  AWS_SECRET_ACCESS_KEY=(\S{40})\n`).FindStringSubmatch(out.String())
	if m == nil || !strings.Contains(out.String(), "Created account 210987654321.") {
		t.Fatalf("output %q", out.String())
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.View(ctx, func(tx store.ReadTx) error {
		a, err := store.GetJSON[store.Account](ctx, tx, store.KindAccount, "", "210987654321")
		if err != nil {
			return err
		}
		if a.Name != "second" || a.IsManagement {
			t.Errorf("account %+v", a)
		}
		k, err := store.GetJSON[store.AccessKey](ctx, tx, store.KindAccessKey, "", m[1])
		if err != nil {
			return err
		}
		if k.Account != "210987654321" || k.UserName != "" || k.Status != store.StatusActive || bytes.Contains(k.SecretCiphertext, []byte(m[2])) {
			t.Errorf("key %+v", k)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The same id again fails; a malformed id is refused.
	if code := run([]string{"admin", "create-account", "--data", dir, "--account-id", "210987654321"}, nil, &out, &errb); code == 0 {
		t.Error("created the same account twice")
	}
	if code := run([]string{"admin", "create-account", "--data", dir, "--account-id", "12"}, nil, &out, &errb); code == 0 {
		t.Error("accepted a malformed account id")
	}
}
