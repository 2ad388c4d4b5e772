package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/policy/check"
	"github.com/spf13/cobra"
)

// checkExitFail is gatehouse policy check's exit status on FAIL; PASS exits
// 0 and bad input (an unreadable file, a malformed policy, an unknown flag
// value) 2, as every command's error does.
const checkExitFail = 1

func newCheckCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check",
		Short: "IAM Access Analyzer's custom policy checks on policy files, offline",
		Long: `Runs CheckNoNewAccess, CheckAccessNotGranted or CheckNoPublicAccess on policy
files and prints the result as JSON ({"result","message","reasons":[{"description",
"statementIndex","statementId","detail"}]}). Exits 0 on PASS, 1 on FAIL and 2 on bad
input, so that a pipeline can gate on it. docs/analyzer-checks.md describes the method.`,
	}
	cmd.AddCommand(newCheckNoNewAccessCmd(), newCheckAccessNotGrantedCmd(), newCheckNoPublicAccessCmd())
	return cmd
}

// policyTypeFlag reads --policy-type: IDENTITY_POLICY or RESOURCE_POLICY (or
// identity / resource).
func policyTypeFlag(s string) (check.PolicyType, error) {
	switch strings.ToUpper(s) {
	case "IDENTITY_POLICY", "IDENTITY":
		return check.IdentityPolicy, nil
	case "RESOURCE_POLICY", "RESOURCE":
		return check.ResourcePolicy, nil
	}
	return "", fmt.Errorf("--policy-type %q is not IDENTITY_POLICY or RESOURCE_POLICY", s)
}

func readPolicyFile(name, file string, t check.PolicyType) (*policy.Document, error) {
	if file == "" {
		return nil, fmt.Errorf("--%s is required", name)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	d, err := check.Parse(string(data), t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return d, nil
}

// finishCheck prints the result and turns it into the exit status.
func finishCheck(cmd *cobra.Command, r check.Result) error {
	if err := writeJSON(cmd.OutOrStdout(), r); err != nil {
		return err
	}
	if r.Result == check.Pass {
		return nil
	}
	return &exitError{code: checkExitFail}
}

func newCheckNoNewAccessCmd() *cobra.Command {
	var newFile, existingFile, typ string
	cmd := &cobra.Command{
		Use:   "no-new-access --new FILE --existing FILE [--policy-type IDENTITY_POLICY|RESOURCE_POLICY]",
		Short: "PASS only when the new policy allows nothing the existing one does not",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := policyTypeFlag(typ)
			if err != nil {
				return err
			}
			nd, err := readPolicyFile("new", newFile, t)
			if err != nil {
				return err
			}
			ed, err := readPolicyFile("existing", existingFile, t)
			if err != nil {
				return err
			}
			return finishCheck(cmd, check.CheckNoNewAccess(nd, ed, t))
		},
	}
	cmd.Flags().StringVar(&newFile, "new", "", "the updated policy document")
	cmd.Flags().StringVar(&existingFile, "existing", "", "the existing (reference) policy document")
	cmd.Flags().StringVar(&typ, "policy-type", "IDENTITY_POLICY", "IDENTITY_POLICY or RESOURCE_POLICY")
	return cmd
}

func newCheckAccessNotGrantedCmd() *cobra.Command {
	var file, typ string
	var actions, resources []string
	cmd := &cobra.Command{
		Use:   "access-not-granted --policy FILE [--actions A,...] [--resources ARN,...] [--policy-type ...]",
		Short: "PASS only when the policy grants none of the listed actions / resources",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := policyTypeFlag(typ)
			if err != nil {
				return err
			}
			if len(actions) == 0 && len(resources) == 0 {
				return fmt.Errorf("give --actions, --resources, or both")
			}
			d, err := readPolicyFile("policy", file, t)
			if err != nil {
				return err
			}
			return finishCheck(cmd, check.CheckAccessNotGranted(d, []check.Access{{Actions: actions, Resources: resources}}, t))
		},
	}
	cmd.Flags().StringVar(&file, "policy", "", "the policy document")
	cmd.Flags().StringSliceVar(&actions, "actions", nil, "actions that must not be granted (comma-separated)")
	cmd.Flags().StringSliceVar(&resources, "resources", nil, "resources that must not be reachable (comma-separated)")
	cmd.Flags().StringVar(&typ, "policy-type", "IDENTITY_POLICY", "IDENTITY_POLICY or RESOURCE_POLICY")
	return cmd
}

func newCheckNoPublicAccessCmd() *cobra.Command {
	var file, rtype string
	cmd := &cobra.Command{
		Use:   "no-public-access --policy FILE --resource-type TYPE",
		Short: "PASS only when the resource policy grants no public access",
		Long:  "Resource types: " + strings.Join(check.ResourceTypes(), ", "),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := readPolicyFile("policy", file, check.ResourcePolicy)
			if err != nil {
				return err
			}
			r, err := check.CheckNoPublicAccess(d, rtype)
			if err != nil {
				return err
			}
			return finishCheck(cmd, r)
		},
	}
	cmd.Flags().StringVar(&file, "policy", "", "the resource policy document")
	cmd.Flags().StringVar(&rtype, "resource-type", "AWS::S3::Bucket", "the resource type, e.g. AWS::S3::Bucket")
	return cmd
}
