package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/gatehouse-iam/gatehouse/store"
)

// Backup file format: gzip-compressed JSON lines. The first line is a
// backupHeader, then one backupRecord per line in (kind, account, key) order,
// then a backupTrailer whose count lets restore detect a truncated file.
// Record values are copied byte for byte, so secrets stay sealed by the
// master key exactly as they are in the store: a backup restores only into a
// deployment that holds the same master key.
const (
	backupFormat  = "gatehouse-backup"
	backupVersion = 1
)

// backupHeader is the first line of a backup.
type backupHeader struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Created time.Time `json:"created"`
}

// backupRecord is one record. Value holds a compact JSON value as is;
// Bytes (base64) any other value.
type backupRecord struct {
	Kind    store.Kind      `json:"kind"`
	Account string          `json:"account,omitempty"`
	Key     string          `json:"key"`
	Value   json.RawMessage `json:"value,omitempty"`
	Bytes   []byte          `json:"bytes,omitempty"`
}

// backupTrailer is the last line of a backup.
type backupTrailer struct {
	End     bool `json:"end"`
	Records int  `json:"records"`
	// Revision is the highest revision of any record in the backup.
	Revision int64 `json:"revision"`
}

// backupKinds are the kinds Gatehouse stores, by package. Backup also lists
// every kind that appears in the store's change feed, so a kind missing here
// is still saved; a test checks that this list covers every kind declared in
// the module.
var backupKinds = []store.Kind{
	// store
	store.KindAccount, store.KindAccountAlias, store.KindUser, store.KindGroup, store.KindRole,
	store.KindPolicy, store.KindPolicyVersion, store.KindInlinePolicy, store.KindAttachment,
	store.KindPolicyAttachment, store.KindMembership, store.KindUserMembership, store.KindAccessKey,
	store.KindUserAccessKey, store.KindInstanceProfile, store.KindMFADevice, store.KindLoginProfile,
	store.KindUniqueID, store.KindOIDCProvider, store.KindSAMLProvider, store.KindSAMLAssertion, store.KindServerCertificate, store.KindSessionKeys, store.KindWorkload, store.KindWorkloadID,
	store.KindSSHPublicKey, store.KindSigningCertificate, store.KindSigningCertificateDigest, store.KindServiceCredential,
	// s3 (bucket configuration; the objects are the object backend's)
	store.KindBucket, store.KindAccountBucket, store.KindAccountS3,
	// iam
	"slr-deletion-task", "password-policy", "password-state", "credential-report", "last-accessed-job", "org-access-job", "sts-preferences",
	// organizations
	"org", "org-root", "org-ou", "org-account", "org-policy", "org-attachment", "org-policy-target", "org-create-account",
	"org-service-access", "org-delegated-admin", "org-resource-policy", "org-handshake", "org-transfer", "org-root-access",
	// accessanalyzer
	"access-analyzer", "access-analyzer-finding", "access-analyzer-policy-generation",
	"access-analyzer-recommendation",
}

func newBackupCmd() *cobra.Command {
	return newFileCmd(&cobra.Command{
		Use:   "backup",
		Short: "Write a consistent snapshot of a store to a file",
		Long: `Writes every record of the store, as of one moment, to a gzip-compressed
JSON-lines file (mode 0600), while servers keep running. Secrets stay sealed
by the master key: keep the key to restore. Restore the file with
'gatehouse admin restore' into an empty store of either backend; moving from
SQLite to PostgreSQL is a backup and a restore.`,
	}, "out", "backup file to write", func(ctx context.Context, c *fileConfig) (string, error) {
		n, err := backup(ctx, c)
		return fmt.Sprintf("Wrote %d records from the %s to %s.", n, c.storeTarget.String(), c.File), err
	})
}

// backup writes the store to c.File and returns the number of records.
func backup(ctx context.Context, c *fileConfig) (int, error) {
	st, err := c.open(ctx, false, discardLog())
	if err != nil {
		return 0, err
	}
	defer st.Close()
	kinds, accounts, err := feedAddresses(ctx, st)
	if err != nil {
		return 0, err
	}
	f, err := os.CreateTemp(filepath.Dir(c.File), filepath.Base(c.File)+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("creating the backup file: %w", err)
	}
	defer os.Remove(f.Name()) // after the rename, a no-op
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return 0, err
	}
	n, err := writeBackup(ctx, st, kinds, accounts, f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("writing the backup: %w", err)
	}
	if err := os.Rename(f.Name(), c.File); err != nil {
		return 0, fmt.Errorf("writing the backup: %w", err)
	}
	return n, nil
}

// feedAddresses returns backupKinds with every other kind, and every
// account, that the change feed names. The feed is never pruned, so a kind
// some package added without updating backupKinds is found there.
func feedAddresses(ctx context.Context, st store.Store) ([]store.Kind, map[string]bool, error) {
	kinds := slices.Clone(backupKinds)
	seen := map[store.Kind]bool{}
	for _, k := range kinds {
		seen[k] = true
	}
	accounts := map[string]bool{"": true, store.AWSAccount: true}
	var after int64
	for {
		page, err := st.Changes(ctx, after, 1000)
		if err != nil {
			return nil, nil, fmt.Errorf("reading the change feed: %w", err)
		}
		if len(page) == 0 {
			break
		}
		for _, ch := range page {
			if !seen[ch.Kind] {
				seen[ch.Kind] = true
				kinds = append(kinds, ch.Kind)
			}
			accounts[ch.Account] = true
		}
		after = page[len(page)-1].Revision
	}
	slices.Sort(kinds)
	return kinds, accounts, nil
}

// writeBackup writes the records of kinds in accounts (and in every account
// of the store's account records) to w, from one read transaction.
func writeBackup(ctx context.Context, st store.Store, kinds []store.Kind, accounts map[string]bool, w io.Writer) (int, error) {
	zw := gzip.NewWriter(w)
	bw := bufio.NewWriter(zw)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false) // values are copied byte for byte
	if err := enc.Encode(backupHeader{Format: backupFormat, Version: backupVersion, Created: time.Now().UTC()}); err != nil {
		return 0, err
	}
	trailer := backupTrailer{End: true}
	err := st.View(ctx, func(tx store.ReadTx) error {
		as, err := store.ListValues[store.Account](ctx, tx, store.ListOptions{Kind: store.KindAccount})
		if err != nil {
			return err
		}
		for _, a := range as {
			accounts[a.ID] = true
		}
		ids := make([]string, 0, len(accounts))
		for a := range accounts {
			ids = append(ids, a)
		}
		slices.Sort(ids)
		for _, kind := range kinds {
			for _, account := range ids {
				for after := ""; ; {
					page, err := tx.List(ctx, store.ListOptions{Kind: kind, Account: account, After: after, Limit: 1000})
					if err != nil {
						return err
					}
					if len(page) == 0 {
						break
					}
					for _, r := range page {
						br, err := toBackupRecord(r)
						if err != nil {
							return err
						}
						if err := enc.Encode(br); err != nil {
							return err
						}
						trailer.Revision = max(trailer.Revision, r.Revision)
					}
					trailer.Records += len(page)
					after = page[len(page)-1].Key
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if err := enc.Encode(trailer); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	return trailer.Records, zw.Close()
}

// toBackupRecord converts a record, refusing keys that JSON cannot carry
// unchanged.
func toBackupRecord(r store.Record) (backupRecord, error) {
	if !utf8.ValidString(r.Key) || !utf8.ValidString(r.Account) || !utf8.ValidString(string(r.Kind)) {
		return backupRecord{}, fmt.Errorf("record %s %q in account %q: key is not UTF-8", r.Kind, r.Key, r.Account)
	}
	br := backupRecord{Kind: r.Kind, Account: r.Account, Key: r.Key}
	var compact bytes.Buffer
	if len(r.Data) > 0 && json.Compact(&compact, r.Data) == nil && bytes.Equal(compact.Bytes(), r.Data) {
		br.Value = r.Data
	} else {
		br.Bytes = r.Data
	}
	return br, nil
}
