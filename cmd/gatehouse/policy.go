package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/policy/simulate"
	"github.com/spf13/cobra"
)

func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Offline tools on policy documents: simulate, explain, validate, generate, check",
	}
	cmd.AddCommand(newSimulateCmd(), newExplainCmd(), newValidateCmd(), newGenerateCmd(), newCheckCmd())
	return cmd
}

// readInput reads the --input file, or standard input when none is given.
func readInput(cmd *cobra.Command, file string) ([]byte, error) {
	if file == "" || file == "-" {
		return io.ReadAll(cmd.InOrStdin())
	}
	return os.ReadFile(file)
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// simErrorOutput is the error object printed for a malformed input.
func simErrorOutput(err error) any {
	var se *simulate.Error
	if !errors.As(err, &se) {
		se = &simulate.Error{Code: "InvalidInput", Message: err.Error()}
	}
	return map[string]any{"error": se}
}

func newSimulateCmd() *cobra.Command {
	var input string
	var jsonl bool
	cmd := &cobra.Command{
		Use:   "simulate [--input FILE] [--jsonl]",
		Short: "Decide a request against policies (JSON in, JSON out)",
		Long: `Reads one JSON object naming a request and the policies that apply and prints
{"decision": "allowed"|"explicitDeny"|"implicitDeny", "explanation": {...}}.
With --jsonl, reads one object per line and prints one result per line.
A malformed input prints {"error": {"code", "message"}} and exits 2.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if jsonl {
				return simulateLines(cmd, input, out)
			}
			data, err := readInput(cmd, input)
			if err != nil {
				return err
			}
			res, err := simulate.Run(data)
			if err != nil {
				if werr := writeJSON(out, simErrorOutput(err)); werr != nil {
					return werr
				}
				return &exitError{code: 2}
			}
			return writeJSON(out, res)
		},
	}
	cmd.Flags().StringVar(&input, "input", "", "input file (default: standard input)")
	cmd.Flags().BoolVar(&jsonl, "jsonl", false, "read one input per line, write one result per line")
	return cmd
}

// simulateLines handles --jsonl: every line gets a result or an error object, in
// order; a malformed line does not stop the rest.
func simulateLines(cmd *cobra.Command, input string, out io.Writer) error {
	var r io.Reader = cmd.InOrStdin()
	if input != "" && input != "-" {
		f, err := os.Open(input)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	w := bufio.NewWriter(out)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	failed := false
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		res, err := simulate.Run(line)
		var v any = res
		if err != nil {
			v, failed = simErrorOutput(err), true
		}
		if err := writeJSON(w, v); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		w.Flush() //nolint:errcheck // the read error is the one to report
		return fmt.Errorf("reading input: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing results: %w", err)
	}
	if failed {
		return &exitError{code: 2}
	}
	return nil
}

func newExplainCmd() *cobra.Command {
	var input string
	cmd := &cobra.Command{
		Use:   "explain [--input FILE]",
		Short: "Print a human-readable trace of a simulated decision",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			data, err := readInput(cmd, input)
			if err != nil {
				return err
			}
			res, err := simulate.Run(data)
			if err != nil {
				fmt.Fprintln(cmd.OutOrStdout(), "error:", err)
				return &exitError{code: 2}
			}
			_, err = io.WriteString(cmd.OutOrStdout(), formatExplanation(res.Explanation))
			return err
		},
	}
	cmd.Flags().StringVar(&input, "input", "", "input file (default: standard input)")
	return cmd
}

// formatExplanation renders an explanation as a short trace.
func formatExplanation(e *policy.Explanation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Decision: %s\n", e.DecisionText)
	fmt.Fprintf(&b, "Reason:   %s\n", e.Reason)
	if e.DenyingStatement != nil {
		d := e.DenyingStatement
		fmt.Fprintf(&b, "Denied by: %s %s, statement %d%s (line %d)\n", d.Layer, d.Policy, d.Statement, sidSuffix(d.Sid), d.Start.Line)
	}
	if len(e.MatchedStatements) == 0 {
		b.WriteString("No statement matched the request.\n")
	} else {
		b.WriteString("Matched statements:\n")
		for _, m := range e.MatchedStatements {
			level := ""
			if m.Layer == "serviceControlPolicy" || m.Layer == "resourceControlPolicy" {
				level = fmt.Sprintf(" level %d", m.Level)
			}
			fmt.Fprintf(&b, "  %-5s %s%s %s, statement %d%s (lines %d-%d)\n", m.Effect, m.Layer, level, m.Policy, m.Statement, sidSuffix(m.Sid), m.Start.Line, m.End.Line)
		}
	}
	if len(e.MissingContextKeys) > 0 {
		fmt.Fprintf(&b, "Missing context keys: %s\n", strings.Join(e.MissingContextKeys, ", "))
	}
	return b.String()
}

func sidSuffix(sid string) string {
	if sid == "" {
		return ""
	}
	return " (" + sid + ")"
}
