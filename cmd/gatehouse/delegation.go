package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse-iam/gatehouse/store"
)

// delegationPartnerConfig is the configuration of `gatehouse admin
// delegation-partner`.
type delegationPartnerConfig struct {
	DataDir       string
	MasterKeyFile string
	AccountID     string
	Name          string
	Endpoint      string
	// Templates are NAME=FILE pairs.
	Templates []string
}

// Validate checks the configuration.
func (c *delegationPartnerConfig) Validate() error {
	if c.DataDir == "" {
		return errors.New("--data is required")
	}
	if !store.IsAccountID(c.AccountID) {
		return fmt.Errorf("--account-id %q is not 12 digits", c.AccountID)
	}
	if c.Name == "" || c.Endpoint == "" {
		return errors.New("--name and --endpoint are required")
	}
	for _, t := range c.Templates {
		if n, f, ok := strings.Cut(t, "="); !ok || n == "" || f == "" {
			return fmt.Errorf("--template %q is not NAME=FILE", t)
		}
	}
	return nil
}

func newDelegationPartnerCmd() *cobra.Command {
	c := &delegationPartnerConfig{}
	cmd := &cobra.Command{
		Use:   "delegation-partner",
		Short: "Onboard an account as an IAM temporary delegation partner",
		Long: `Onboards an account as a partner of IAM temporary delegation, as AWS's partner
onboarding does: only onboarded accounts may call CreateDelegationRequest. It
registers the requestor name customers see, the endpoint that receives the
partner's notifications (SendDelegationToken posts the exchange token there as an
SNS HTTP(S) notification; https, or http on loopback), and the partner's policy
templates (documents with @{name} parameters), whose ARNs it prints. Running it
again replaces the partner's registration.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := c.Validate(); err != nil {
				return err
			}
			return registerPartner(cmd.Context(), c, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.DataDir, "data", "./data", "data directory of the embedded SQLite store")
	f.StringVar(&c.MasterKeyFile, "master-key-file", "", "file holding the master key (base64)")
	f.StringVar(&c.AccountID, "account-id", "", "12-digit id of the partner's account")
	f.StringVar(&c.Name, "name", "", "requestor name customers see (at most 30 characters)")
	f.StringVar(&c.Endpoint, "endpoint", "", "URL the partner's notifications are posted to")
	f.StringArrayVar(&c.Templates, "template", nil, "policy template as NAME=FILE (repeatable)")
	return cmd
}

// registerPartner writes the partner and prints its template ARNs.
func registerPartner(ctx context.Context, c *delegationPartnerConfig, stdout io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	templates := map[string]string{}
	for _, t := range c.Templates {
		n, f, _ := strings.Cut(t, "=")
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("template %s: %w", n, err)
		}
		templates[n] = string(b)
	}
	svc, _, st, err := openAdminIAM(ctx, c.DataDir, c.MasterKeyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	arns, err := svc.RegisterDelegationPartner(ctx, c.AccountID, c.Name, c.Endpoint, templates)
	if err != nil {
		return err
	}
	slices.Sort(arns)
	fmt.Fprintf(stdout, "Account %s is a delegation partner (%s).\n", c.AccountID, c.Name)
	for _, a := range arns {
		fmt.Fprintf(stdout, "Policy template: %s\n", a)
	}
	return nil
}
