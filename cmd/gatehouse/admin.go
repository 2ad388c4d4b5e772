package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse-iam/gatehouse/authview"
	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/ids"
	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/managedpolicies"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

// createAccountConfig is the configuration of `gatehouse admin create-account`.
type createAccountConfig struct {
	DataDir       string
	MasterKeyFile string
	AccountID     string
	Name          string
}

// Validate checks the configuration.
func (c *createAccountConfig) Validate() error {
	if c.DataDir == "" {
		return errors.New("--data is required")
	}
	if c.AccountID != "" && !store.IsAccountID(c.AccountID) {
		return fmt.Errorf("--account-id %q is not 12 digits", c.AccountID)
	}
	return nil
}

func newAdminCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Administrative tasks that the AWS APIs have no operation for",
	}
	cmd.AddCommand(newCreateAccountCmd(), newRotateKeysCmd(), newBackupCmd(), newRestoreCmd(), newDelegationPartnerCmd())
	return cmd
}

func newCreateAccountCmd() *cobra.Command {
	c := &createAccountConfig{}
	cmd := &cobra.Command{
		Use:   "create-account",
		Short: "Create another account with a root access key (printed once)",
		Long: `Creates an account in the data directory of a Gatehouse server, with a root
access key whose secret is printed once. A running server picks the account up
within its directory poll interval. The account stands alone, outside any
organization: to make a member account of an organization, call
Organizations' CreateAccount (aws organizations create-account) instead.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := c.Validate(); err != nil {
				return err
			}
			return createAccount(cmd.Context(), c, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.DataDir, "data", "./data", "data directory of the embedded SQLite store")
	f.StringVar(&c.MasterKeyFile, "master-key-file", "", "file holding the master key (base64)")
	f.StringVar(&c.AccountID, "account-id", "", "12-digit id of the new account (default: generated)")
	f.StringVar(&c.Name, "name", "", "display name of the account")
	return cmd
}

// createAccount creates the account and its root key and prints them.
func createAccount(ctx context.Context, c *createAccountConfig, stdout io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if _, err := os.Stat(c.DataDir); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	svc, dir, st, err := openAdminIAM(ctx, c.DataDir, c.MasterKeyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	id := c.AccountID
	for id == "" {
		cand, err := randomAccountID()
		if err != nil {
			return err
		}
		if _, taken := dir.Account(cand); !taken {
			id = cand
		}
	}
	acct := store.Account{ID: id, Name: c.Name, CreateDate: time.Now().UTC().Truncate(time.Second)}
	err = st.Update(ctx, func(tx store.Tx) error {
		return store.CreateJSON(ctx, tx, store.KindAccount, "", id, acct)
	})
	if errors.Is(err, store.ErrAlreadyExists) {
		return fmt.Errorf("account %s already exists", id)
	}
	if err != nil {
		return fmt.Errorf("creating the account: %w", err)
	}
	keyID, err := ids.NewGen(rand.Reader).AccessKeyID(ids.PrefixAccessKey)
	if err != nil {
		return err
	}
	secret, err := randomSecret()
	if err != nil {
		return err
	}
	if err := svc.CreateRootAccessKey(ctx, id, keyID, secret); err != nil {
		return fmt.Errorf("creating the root access key: %w", err)
	}
	// Printed once, to the terminal only: never logged.
	fmt.Fprintf(stdout, "Created account %s.\nRoot access key (shown once, keep it safe):\n  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n", id, keyID, secret)
	return nil
}

// openAdminIAM opens the SQLite store of a data directory with its master
// key and directory, and the IAM service over them, for the admin commands
// that write to a store while its servers run. The caller closes st.
func openAdminIAM(ctx context.Context, dataDir, masterKeyFile string) (svc *iam.Service, dir *authview.Directory, st store.Store, err error) {
	keys, err := keyring.Load(keyring.Options{KeyFile: masterKeyFile, EnvValue: os.Getenv(keyring.EnvVar), DataDir: dataDir, Rand: rand.Reader})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("loading the master key: %w", err)
	}
	st, err = sqlite.Open(ctx, dataDir)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("opening the store: %w", err)
	}
	catalog, err := managedpolicies.Load()
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir = authview.New(st, catalog, log)
	if err := dir.Load(ctx); err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	svc = iam.New(iam.Config{Store: st, Directory: dir, Keyring: keys, Rand: rand.Reader, Now: time.Now, Managed: catalog, Log: log})
	return svc, dir, st, nil
}

// randomAccountID returns a random 12-digit account id not starting with 0.
func randomAccountID() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b[:]), nil
}

// randomSecret returns a 40-character secret access key.
func randomSecret() (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var b [40]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = alphabet[b[i]&63]
	}
	return string(b[:]), nil
}
