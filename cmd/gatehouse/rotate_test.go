package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

// TestAdminRotateKeys rotates the master key of a data directory: after a new
// key is appended to master.key, rotate-keys re-seals the access key secret
// and the MFA seed so that the new key alone opens them, and adds a session
// key each time it runs.
func TestAdminRotateKeys(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(keyring.EnvVar, "")
	var out, errb bytes.Buffer
	if code := run([]string{"admin", "create-account", "--data", dir, "--account-id", "210987654321"}, nil, &out, &errb); code != 0 {
		t.Fatalf("create-account: exit %d: %s", code, errb.String())
	}
	m := regexp.MustCompile(`AWS_ACCESS_KEY_ID=(\S+)\n  AWS_SECRET_ACCESS_KEY=(\S+)\n`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("create-account output %q", out.String())
	}
	keyID, secret := m[1], m[2]

	// An MFA device sealed under the old master key.
	oldMaster, err := keyring.Load(keyring.Options{DataDir: dir, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	seed := []byte("12345678901234567890")
	serial := "arn:aws:iam::210987654321:mfa/dev"
	sealedSeed, err := oldMaster.Seal(seed, []byte(serial))
	if err != nil {
		t.Fatal(err)
	}
	// And a service-specific credential's password.
	const credID, password = "ACCAEXAMPLEEXAMPLEEXA", "service-password"
	sealedPassword, err := oldMaster.Seal([]byte(password), []byte(credID))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	withStore(t, dir, func(st store.Store) {
		err := st.Update(ctx, func(tx store.Tx) error {
			if err := store.PutJSON(ctx, tx, store.KindServiceCredential, "210987654321", store.UserCredentialKey("dev", credID),
				store.ServiceCredential{ID: credID, UserName: "dev", ServiceName: "codecommit.amazonaws.com", SecretCiphertext: sealedPassword}); err != nil {
				return err
			}
			return store.CreateJSON(ctx, tx, store.KindMFADevice, "210987654321", store.MFADeviceKey(serial),
				store.MFADevice{SerialNumber: serial, SeedCiphertext: sealedSeed, CreateDate: time.Now().UTC()})
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	// Rotate the master key: append a new line.
	newKey, err := keyring.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, keyring.FileName), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(keyring.EncodeKey(newKey) + "\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()

	out.Reset()
	if code := run([]string{"admin", "rotate-keys", "--data", dir}, nil, &out, &errb); code != 0 {
		t.Fatalf("rotate-keys: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "Session key version 1 now seals") || !strings.Contains(out.String(), "Web identity token signing key version 1 now signs") || !strings.Contains(out.String(), "Re-sealed 1 secret access keys and 1 MFA seeds and 1 service-specific passwords") {
		t.Errorf("rotate-keys output %q", out.String())
	}
	if strings.Contains(out.String(), secret) || strings.Contains(out.String(), keyring.EncodeKey(newKey)) {
		t.Fatal("rotate-keys printed a secret")
	}

	onlyNew, err := keyring.New(rand.Reader, newKey)
	if err != nil {
		t.Fatal(err)
	}
	withStore(t, dir, func(st store.Store) {
		err := st.View(ctx, func(tx store.ReadTx) error {
			k, err := store.GetJSON[store.AccessKey](ctx, tx, store.KindAccessKey, "", keyID)
			if err != nil {
				return err
			}
			plain, err := onlyNew.Open(k.SecretCiphertext, []byte(keyID))
			if err != nil || string(plain) != secret {
				t.Errorf("access key secret under the new master key alone: %v", err)
			}
			d, err := store.GetJSON[store.MFADevice](ctx, tx, store.KindMFADevice, "210987654321", store.MFADeviceKey(serial))
			if err != nil {
				return err
			}
			plain, err = onlyNew.Open(d.SeedCiphertext, []byte(serial))
			if err != nil || !bytes.Equal(plain, seed) {
				t.Errorf("MFA seed under the new master key alone: %v", err)
			}
			c, err := store.GetJSON[store.ServiceCredential](ctx, tx, store.KindServiceCredential, "210987654321", store.UserCredentialKey("dev", credID))
			if err != nil {
				return err
			}
			plain, err = onlyNew.Open(c.SecretCiphertext, []byte(credID))
			if err != nil || string(plain) != password {
				t.Errorf("service-specific password under the new master key alone: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	// A second run adds a session key and has nothing left to re-seal.
	out.Reset()
	if code := run([]string{"admin", "rotate-keys", "--data", dir}, nil, &out, &errb); code != 0 {
		t.Fatalf("rotate-keys again: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "Session key version 2 now seals (2 keys") || !strings.Contains(out.String(), "Re-sealed 0 secret access keys and 0 MFA seeds and 0 service-specific passwords") || !strings.Contains(out.String(), "(3 already were)") {
		t.Errorf("second rotate-keys output %q", out.String())
	}

	// No store, or no master key: refused.
	if code := run([]string{"admin", "rotate-keys"}, nil, &out, &errb); code == 0 {
		t.Error("rotate-keys without a store succeeded")
	}
	if code := run([]string{"admin", "rotate-keys", "--data", t.TempDir()}, nil, &out, &errb); code == 0 {
		t.Error("rotate-keys generated a master key for an empty data directory")
	}
}

func withStore(t *testing.T, dir string, fn func(store.Store)) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fn(st)
}
