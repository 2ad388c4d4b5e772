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
	"time"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/policy/generate"
	"github.com/spf13/cobra"
)

// maxRecordLine bounds one line of an exported trail (a CloudTrail record).
const maxRecordLine = 16 << 20

func newGenerateCmd() *cobra.Command {
	var file, principal, start, end string
	var opt generate.Options
	cmd := &cobra.Command{
		Use:   "generate --trail FILE --principal ARN [--start TIME] [--end TIME]",
		Short: "Generate a least-privilege policy from an exported audit trail",
		Long: `Reads an exported audit trail (serve --audit-log: one CloudTrail record per
line; --trail - reads standard input) and prints the policy that grants the
actions the principal (a user's ARN, or a role's, whose sessions count as the
role) used successfully between --start and --end (RFC 3339, both inclusive,
unbounded when omitted): the policy IAM Access Analyzer's policy generation
writes (StartPolicyGeneration, GetGeneratedPolicy), from the same generator.
A policy longer than IAM's 6,144 characters is split into several, printed
one after the other. Calls that resolve to no action are reported on
standard error. Exits 1 when the principal used nothing in the range.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" || principal == "" {
				return errors.New("--trail and --principal are required")
			}
			a, err := arn.Parse(principal)
			if err != nil || a.Service != "iam" || !(strings.HasPrefix(a.Resource, "user/") || strings.HasPrefix(a.Resource, "role/")) {
				return fmt.Errorf("--principal %q is not the ARN of a user or role", principal)
			}
			f := generate.Filter{Principal: principal}
			if f.Start, err = parseTimeFlag("--start", start); err != nil {
				return err
			}
			if f.End, err = parseTimeFlag("--end", end); err != nil {
				return err
			}
			if !f.Start.IsZero() && !f.End.IsZero() && !f.Start.Before(f.End) {
				return errors.New("--start must be before --end")
			}
			var in io.Reader = cmd.InOrStdin()
			if file != "-" {
				fh, err := os.Open(file)
				if err != nil {
					return err
				}
				defer fh.Close()
				in = fh
			}
			events, err := readRecords(in)
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			opt.Account = a.Account
			u := generate.Summarize(events, f)
			docs, err := u.Policies(opt)
			if err != nil {
				return err
			}
			errOut := cmd.ErrOrStderr()
			for _, s := range u.Services {
				fmt.Fprintf(errOut, "service %s: used through calls that name no action (--service-level-template adds %s:*)\n", s, s)
			}
			for _, c := range u.Unresolved {
				fmt.Fprintf(errOut, "call %s: no action of a known service; not in the policy\n", c)
			}
			if len(docs) == 0 {
				fmt.Fprintf(errOut, "%s made no successful call in the range\n", principal)
				return &exitError{code: 1}
			}
			out := cmd.OutOrStdout()
			for _, d := range docs {
				var b bytes.Buffer
				if err := json.Indent(&b, []byte(d), "", "  "); err != nil {
					return err
				}
				b.WriteByte('\n')
				if _, err := out.Write(b.Bytes()); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "trail", "", "exported audit trail, JSON lines (- for standard input)")
	cmd.Flags().StringVar(&principal, "principal", "", "ARN of the user or role whose activity is read")
	cmd.Flags().StringVar(&start, "start", "", "first time of the range, RFC 3339")
	cmd.Flags().StringVar(&end, "end", "", "last time of the range, RFC 3339")
	cmd.Flags().BoolVar(&opt.ResourcePlaceholders, "resource-placeholders", false, "name ARN placeholders (arn:aws:s3:::${BucketName}) in place of * where the action has resource types")
	cmd.Flags().BoolVar(&opt.ServiceLevelTemplate, "service-level-template", false, "grant service:* for services used through calls that resolve to no action")
	return cmd
}

func parseTimeFlag(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 time", name, v)
	}
	return t, nil
}

// readRecords reads CloudTrail records, one per line; blank lines are
// skipped.
func readRecords(r io.Reader) ([]generate.Event, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxRecordLine)
	var out []generate.Event
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		ev, err := generate.ParseRecord(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, ev)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
