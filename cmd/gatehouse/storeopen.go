package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/postgres"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

// storeTarget names the store an admin command works on: the embedded SQLite
// store in a data directory, or a PostgreSQL database.
type storeTarget struct {
	DataDir  string
	StoreDSN string
	// Timeout bounds each store call (zero: store.DefaultTimeout); raise it
	// for a backup of a large store, which reads it in one transaction.
	Timeout time.Duration
}

// addFlags registers --data, --store and --store-timeout.
func (c *storeTarget) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&c.DataDir, "data", "", "data directory of the embedded SQLite store")
	f.StringVar(&c.StoreDSN, "store", "", "PostgreSQL URL (postgres://...) of the store")
	f.DurationVar(&c.Timeout, "store-timeout", store.DefaultTimeout, "bound of each store call (raise it to back up a large store)")
}

// Validate checks that exactly one store is named. A DSN is never echoed: it
// may hold a password.
func (c *storeTarget) Validate() error {
	switch {
	case c.DataDir == "" && c.StoreDSN == "":
		return errors.New("give the store: --data DIR or --store postgres://...")
	case c.DataDir != "" && c.StoreDSN != "":
		return errors.New("--data and --store are alternatives: give one")
	case c.Timeout < 0:
		return errors.New("--store-timeout must not be negative")
	case c.StoreDSN != "" && !strings.HasPrefix(c.StoreDSN, "postgres://") && !strings.HasPrefix(c.StoreDSN, "postgresql://"):
		return errors.New("--store must be a PostgreSQL URL: postgres://user@host:port/database?sslmode=...")
	}
	return nil
}

// String names the store for messages, without the DSN.
func (c *storeTarget) String() string {
	if c.DataDir != "" {
		return "SQLite store in " + c.DataDir
	}
	return "PostgreSQL store"
}

// open opens the store. A data directory must exist already (an admin
// command never creates one by mistake) unless create is set.
func (c *storeTarget) open(ctx context.Context, create bool, log *slog.Logger) (store.Store, error) {
	if c.StoreDSN != "" {
		st, err := postgres.Open(ctx, c.StoreDSN, postgres.Options{Log: log, Timeout: c.Timeout})
		if err != nil {
			return nil, fmt.Errorf("opening the PostgreSQL store: %w", err)
		}
		return st, nil
	}
	if create {
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("creating the data directory: %w", err)
		}
	} else if _, err := os.Stat(c.DataDir); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	st, err := sqlite.OpenWith(ctx, c.DataDir, sqlite.Options{Timeout: c.Timeout})
	if err != nil {
		return nil, fmt.Errorf("opening the store: %w", err)
	}
	return st, nil
}

// fileConfig is the configuration of an admin command that copies a store's
// records to or from one file: backup (--out) and restore (--in).
type fileConfig struct {
	storeTarget
	File     string
	fileFlag string // the flag naming File, without its dashes
}

// Validate checks the configuration.
func (c *fileConfig) Validate() error {
	if c.File == "" {
		return fmt.Errorf("--%s is required", c.fileFlag)
	}
	return c.storeTarget.Validate()
}

// newFileCmd completes cmd, whose Use, Short and Long are set, as the admin
// command that copies records between the store and the file --flag names
// (usage describes it): the store's flags and that flag, checked, then run,
// whose summary is printed on success.
func newFileCmd(cmd *cobra.Command, flag, usage string, run func(context.Context, *fileConfig) (summary string, err error)) *cobra.Command {
	c := &fileConfig{fileFlag: flag}
	cmd.Args = cobra.NoArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := c.Validate(); err != nil {
			return err
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		summary, err := run(ctx, c)
		if err != nil {
			return err
		}
		fmt.Fprintln(cmd.OutOrStdout(), summary)
		return nil
	}
	c.addFlags(cmd)
	cmd.Flags().StringVar(&c.File, flag, "", usage)
	return cmd
}

// loadMasterKey loads the master keyring for an admin command: from keyFile,
// else GATEHOUSE_MASTER_KEY, else (for a data directory) its master.key,
// which must exist: an admin command never generates a master key.
func (c *storeTarget) loadMasterKey(keyFile string) (*keyring.Keyring, error) {
	opts := keyring.Options{KeyFile: keyFile, EnvValue: os.Getenv(keyring.EnvVar), Rand: rand.Reader}
	if opts.KeyFile == "" && opts.EnvValue == "" {
		if c.DataDir == "" {
			return nil, fmt.Errorf("give the master key of the cluster with --master-key-file or %s", keyring.EnvVar)
		}
		path := filepath.Join(c.DataDir, keyring.FileName)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no master key: %s does not exist; give --master-key-file or %s", path, keyring.EnvVar)
		}
		opts.DataDir = c.DataDir
	}
	keys, err := keyring.Load(opts)
	if err != nil {
		return nil, fmt.Errorf("loading the master key: %w", err)
	}
	return keys, nil
}

// discardLog is the logger of admin commands, which report on stdout.
func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
