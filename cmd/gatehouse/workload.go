package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/gatehouse-iam/gatehouse/workload/client"
)

// newWorkloadCmd is `gatehouse workload`: the workload API, signed with the
// caller's AWS credentials (environment, shared config, as the aws CLI finds
// them).
func newWorkloadCmd() *cobra.Command {
	var endpoint, region string
	cmd := &cobra.Command{
		Use:   "workload",
		Short: "Manage workloads: bind instance profiles to workloads that run without keys",
		Long: `Creates, lists, describes, rebinds and deletes workloads. A workload obtains
the role of its instance profile with its workload token, from
/v1/workload-credentials or through ` + "`gatehouse agent`" + `. Calls are signed with
your AWS credentials (as the aws CLI finds them) and decided by Gatehouse's IAM:
gatehouse:CreateWorkload etc., and iam:PassRole on the profile's role.`,
	}
	cmd.PersistentFlags().StringVar(&endpoint, "endpoint", "", "the Gatehouse URL (default: $AWS_ENDPOINT_URL)")
	cmd.PersistentFlags().StringVar(&region, "region", "", "the signing region (default: as the AWS SDK finds it, else us-east-1)")
	newClient := func(ctx context.Context) (*client.Client, error) {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("loading AWS credentials: %w", err)
		}
		ep := endpoint
		if ep == "" && cfg.BaseEndpoint != nil {
			ep = *cfg.BaseEndpoint
		}
		if ep == "" {
			return nil, errors.New("--endpoint (or AWS_ENDPOINT_URL) is required: the Gatehouse URL")
		}
		r := region
		if r == "" {
			r = cfg.Region
		}
		return &client.Client{Endpoint: ep, Credentials: cfg.Credentials, Region: r}, nil
	}
	show := func(w io.Writer, v any) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	var name, profile string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a workload bound to an instance profile; prints its token once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd.Context())
			if err != nil {
				return err
			}
			out, err := c.Create(cmd.Context(), name, profile)
			if err != nil {
				return err
			}
			return show(cmd.OutOrStdout(), out)
		},
	}
	create.Flags().StringVar(&name, "name", "", "the workload's name (2-64 characters of [A-Za-z0-9+=,.@_-])")
	create.Flags().StringVar(&profile, "instance-profile", "", "the instance profile to bind")
	list := &cobra.Command{
		Use: "list", Short: "List the account's workloads", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd.Context())
			if err != nil {
				return err
			}
			out, err := c.List(cmd.Context())
			if err != nil {
				return err
			}
			return show(cmd.OutOrStdout(), map[string]any{"Workloads": out})
		},
	}
	byID := func(use, short string, run func(ctx context.Context, c *client.Client, id string) (any, error)) *cobra.Command {
		return &cobra.Command{
			Use: use + " WORKLOAD-ID", Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := newClient(cmd.Context())
				if err != nil {
					return err
				}
				out, err := run(cmd.Context(), c, args[0])
				if err != nil || out == nil {
					return err
				}
				return show(cmd.OutOrStdout(), out)
			},
		}
	}
	get := byID("get", "Describe a workload", func(ctx context.Context, c *client.Client, id string) (any, error) { return c.Get(ctx, id) })
	rotate := byID("rotate-token", "Issue a new workload token (the old one stops working); prints it once",
		func(ctx context.Context, c *client.Client, id string) (any, error) { return c.RotateToken(ctx, id) })
	del := byID("delete", "Delete a workload", func(ctx context.Context, c *client.Client, id string) (any, error) { return nil, c.Delete(ctx, id) })
	var newProfile string
	rebind := byID("rebind", "Bind a workload to another instance profile", func(ctx context.Context, c *client.Client, id string) (any, error) {
		return c.ReplaceInstanceProfile(ctx, id, newProfile)
	})
	rebind.Flags().StringVar(&newProfile, "instance-profile", "", "the instance profile to bind")
	cmd.AddCommand(create, list, get, rebind, rotate, del)
	return cmd
}
