package main

import (
	"fmt"
	"os"

	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/policy/validate"
	"github.com/spf13/cobra"
)

func newValidateCmd() *cobra.Command {
	var kindName string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "validate [--kind identity|resource|trust|boundary|scp|rcp|session] [--json] FILE...",
		Short: "Report Access Analyzer-style findings for policy files",
		Long: `Checks each policy file and prints its findings (ERROR, SECURITY_WARNING,
WARNING, SUGGESTION), as text or, with --json, as one JSON object per file:
{"file": ..., "findings": [ValidatePolicyFinding...]}. Exits 1 when any file has an ERROR.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			kind, ok := policy.ParseKind(kindName)
			if !ok {
				return fmt.Errorf("--kind %q is not one of identity, resource, trust, boundary, session, scp, rcp, vpce", kindName)
			}
			out := cmd.OutOrStdout()
			hasError := false
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				doc := string(data)
				findings := validate.Validate(doc, kind)
				for _, fd := range findings {
					if fd.Type == "ERROR" {
						hasError = true
					}
				}
				if asJSON {
					if err := writeJSON(out, map[string]any{"file": f, "findings": validate.ToAPI(doc, findings)}); err != nil {
						return err
					}
					continue
				}
				if len(findings) == 0 {
					fmt.Fprintf(out, "%s: no findings\n", f)
					continue
				}
				fmt.Fprintf(out, "%s:\n%s", f, validate.FormatText(findings))
			}
			if hasError {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&kindName, "kind", "identity", "policy kind: identity, resource, trust, boundary, session, scp, rcp")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print findings as JSON")
	return cmd
}
