package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/session/tokenkeys"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/webtoken"
)

// rotateKeysConfig is the configuration of `gatehouse admin rotate-keys`.
type rotateKeysConfig struct {
	storeTarget
	MasterKeyFile string
	RetireAfter   time.Duration
}

// Validate checks the configuration.
func (c *rotateKeysConfig) Validate() error {
	if err := c.storeTarget.Validate(); err != nil {
		return err
	}
	if c.RetireAfter < time.Hour {
		return fmt.Errorf("--retire-after %v is shorter than an hour: sessions still in use would stop working", c.RetireAfter)
	}
	return nil
}

func newRotateKeysCmd() *cobra.Command {
	c := &rotateKeysConfig{}
	cmd := &cobra.Command{
		Use:   "rotate-keys",
		Short: "Add a new session-token key and re-seal stored secrets under the newest master key",
		Long: `Rotates the keys that protect secrets, while the servers keep running.

A new session-token sealing key is added to the store's key ring and becomes
the one that seals; every node picks it up within 30 seconds (at once when it
is shown a token sealed with it). Tokens sealed with older keys keep working
until they expire; keys that have sealed nothing for longer than
--retire-after are dropped. Likewise a new version of the keys that sign web
identity tokens (STS GetWebIdentityToken) is added and signs from then on;
the older versions stay published in the issuers' key sets until retired.

Then the session keys, secret access keys and MFA seeds are re-sealed under
the newest master key: the last line of the master key file. To rotate the
master key: append a new key to the file on every node and restart them one
at a time (they open with every key in the file and seal with the last), run
this command, then remove the old line.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := c.Validate(); err != nil {
				return err
			}
			return rotateKeys(cmd.Context(), c, cmd.OutOrStdout())
		},
	}
	c.addFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&c.MasterKeyFile, "master-key-file", "", "file holding the master keys (base64, one a line; the last seals)")
	f.DurationVar(&c.RetireAfter, "retire-after", tokenkeys.DefaultRetireAfter, "drop session keys (and web identity token signing keys) that stopped sealing (signing) longer ago than this")
	return cmd
}

// rotateKeys rotates the session key and re-seals the stored secrets.
func rotateKeys(ctx context.Context, c *rotateKeysConfig, stdout io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	master, err := c.loadMasterKey(c.MasterKeyFile)
	if err != nil {
		return err
	}
	st, err := c.open(ctx, false, discardLog())
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := tokenkeys.Rotate(ctx, st, master, rand.Reader, time.Now(), c.RetireAfter)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Session key version %d now seals (%d keys in the ring, %d retired).\n", res.Version, res.Keys, res.Retired)
	// The signing keys of web identity tokens (GetWebIdentityToken): a
	// token lives an hour at most, far less than --retire-after.
	wres, err := webtoken.Rotate(ctx, st, master, rand.Reader, time.Now(), c.RetireAfter)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Web identity token signing key version %d now signs (%d versions published, %d retired).\n", wres.Version, wres.Keys, wres.Retired)
	n, err := resealSecrets(ctx, st, master)
	if err != nil {
		return fmt.Errorf("re-sealing stored secrets (after %d access keys, %d MFA devices and %d service-specific credentials; rerun to finish): %w",
			n.accessKeys, n.mfaDevices, n.serviceCredentials, err)
	}
	fmt.Fprintf(stdout, "Re-sealed %d secret access keys and %d MFA seeds and %d service-specific passwords under master key %s (%d already were).\n",
		n.accessKeys, n.mfaDevices, n.serviceCredentials, master.CurrentKeyID(), n.current)
	return nil
}

// resealCounts counts what resealSecrets did.
type resealCounts struct {
	accessKeys, mfaDevices, serviceCredentials int
	// current counts the values already sealed with the current master key.
	current int
}

// resealPage is how many records one re-sealing transaction handles.
const resealPage = 100

// resealSecrets re-seals every secret access key, MFA seed and
// service-specific credential password that is not
// sealed with master's current key, one page of records per transaction (so
// it never holds the writers' lock for long), reading each record inside
// the transaction that rewrites it. It is idempotent: a rerun after a failure
// finishes the job.
func resealSecrets(ctx context.Context, st store.Store, master *keyring.Keyring) (resealCounts, error) {
	var n resealCounts
	err := resealKind(ctx, st, master, store.KindAccessKey, "", &n.accessKeys, &n.current, func(r store.Record) (store.Record, bool, error) {
		k, err := store.DecodeJSON[store.AccessKey](r)
		if err != nil {
			return r, false, err
		}
		sealed, changed, err := reseal(master, k.SecretCiphertext, []byte(k.ID))
		if err != nil || !changed {
			return r, false, err
		}
		k.SecretCiphertext = sealed
		return encodeRecord(r, k)
	})
	if err != nil {
		return n, err
	}
	var accounts []store.Account
	err = st.View(ctx, func(tx store.ReadTx) error {
		var err error
		accounts, err = store.ListValues[store.Account](ctx, tx, store.ListOptions{Kind: store.KindAccount})
		return err
	})
	if err != nil {
		return n, err
	}
	for _, a := range accounts {
		err := resealKind(ctx, st, master, store.KindMFADevice, a.ID, &n.mfaDevices, &n.current, func(r store.Record) (store.Record, bool, error) {
			d, err := store.DecodeJSON[store.MFADevice](r)
			if err != nil {
				return r, false, err
			}
			sealed, changed, err := reseal(master, d.SeedCiphertext, []byte(d.SerialNumber))
			if err != nil || !changed {
				return r, false, err
			}
			d.SeedCiphertext = sealed
			return encodeRecord(r, d)
		})
		if err != nil {
			return n, err
		}
		err = resealKind(ctx, st, master, store.KindServiceCredential, a.ID, &n.serviceCredentials, &n.current, func(r store.Record) (store.Record, bool, error) {
			c, err := store.DecodeJSON[store.ServiceCredential](r)
			if err != nil {
				return r, false, err
			}
			sealed, changed, err := reseal(master, c.SecretCiphertext, []byte(c.ID))
			if err != nil || !changed {
				return r, false, err
			}
			c.SecretCiphertext = sealed
			return encodeRecord(r, c)
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// resealKind pages through the records of (kind, account), rewriting those
// that fix changes, and counts them in done and the others in current.
func resealKind(ctx context.Context, st store.Store, master *keyring.Keyring, kind store.Kind, account string, done, current *int, fix func(store.Record) (store.Record, bool, error)) error {
	after := ""
	for {
		var last string
		var rewritten, kept int
		err := st.Update(ctx, func(tx store.Tx) error {
			last, rewritten, kept = "", 0, 0
			recs, err := tx.List(ctx, store.ListOptions{Kind: kind, Account: account, After: after, Limit: resealPage})
			if err != nil {
				return err
			}
			for _, r := range recs {
				last = r.Key
				nr, changed, err := fix(r)
				if err != nil {
					return fmt.Errorf("%s %q in account %q: %w", kind, r.Key, account, err)
				}
				if !changed {
					kept++
					continue
				}
				if err := tx.Put(ctx, nr); err != nil {
					return err
				}
				rewritten++
			}
			return nil
		})
		if err != nil {
			return err
		}
		*done += rewritten
		*current += kept
		if last == "" {
			return nil
		}
		after = last
	}
}

// reseal opens sealed with any master key and seals it again with the
// current one, unless it already is sealed with it (the keyring's sealed
// values carry the sealing key's id after a version byte).
func reseal(master *keyring.Keyring, sealed, associatedData []byte) ([]byte, bool, error) {
	if len(sealed) >= 5 && fmt.Sprintf("%08x", binary.BigEndian.Uint32(sealed[1:5])) == master.CurrentKeyID() {
		return sealed, false, nil
	}
	plain, err := master.Open(sealed, associatedData)
	if err != nil {
		return nil, false, err
	}
	defer clear(plain)
	out, err := master.Seal(plain, associatedData)
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// encodeRecord returns r with v as its JSON value.
func encodeRecord(r store.Record, v any) (store.Record, bool, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return r, false, err
	}
	r.Data = data
	return r, true, nil
}
