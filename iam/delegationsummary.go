package iam

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/authref"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
)

// GetHumanReadableSummary: "This method uses a Large Language Model (LLM) to
// generate the summary" (API_GetHumanReadableSummary). Gatehouse has no
// model: it writes a deterministic English summary of the request's
// permission policy, naming each action by its service's display name, its
// access level and its name from the Service Authorization Reference
// (authref), so the same request always reads the same. Only English locales
// are AVAILABLE; others are NOT_SUPPORTED.

// summaryEntity returns the request id of a delegation request ARN; other
// entities are InvalidInput ("At this time, the only supported entity type is
// delegation-request").
func summaryEntity(entityARN string) (string, error) {
	a, err := arn.Parse(entityARN)
	id, ok := strings.CutPrefix(a.Resource, "delegation-request/")
	if err != nil || a.Service != "iam" || !ok || id == "" {
		// wording: not found in AWS docs
		return "", awserr.InvalidInput("EntityArn %s is not a delegation request: only delegation-request entities can be summarized.", entityARN)
	}
	return id, nil
}

func (s *Service) getHumanReadableSummary(ctx context.Context, c *identity.Caller, in *iamapi.GetHumanReadableSummaryRequest) (*iamapi.GetHumanReadableSummaryResponse, error) {
	id, err := summaryEntity(in.EntityArn)
	if err != nil {
		return nil, err
	}
	var r store.DelegationRequest
	if err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		r, err = loadDelegation(ctx, tx, c, id)
		return err
	}); err != nil {
		return nil, err
	}
	locale := "en-US"
	if in.Locale != nil {
		locale = *in.Locale
	}
	out := &iamapi.GetHumanReadableSummaryResponse{Locale: &locale}
	if l := strings.ToLower(locale); l != "en" && !strings.HasPrefix(l, "en-") && !strings.HasPrefix(l, "en_") {
		out.SummaryState, out.SummaryContent = ptr(iamapi.SummaryStateTypeNOT_SUPPORTED), ptr("")
		return out, nil
	}
	text, err := DelegationSummary(r)
	if err != nil {
		out.SummaryState, out.SummaryContent = ptr(iamapi.SummaryStateTypeFAILED), ptr("")
		return out, nil //nolint:nilerr // a policy that cannot be read is a FAILED summary, not a failed call
	}
	out.SummaryState, out.SummaryContent = ptr(iamapi.SummaryStateTypeAVAILABLE), &text
	return out, nil
}

// DelegationSummary is the English summary of a delegation request.
func DelegationSummary(r store.DelegationRequest) (string, error) {
	d, err := policy.Parse(r.PermissionPolicy, policy.KindSession)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (AWS account %s) asks for temporary access to your account for %s", r.RequestorName, r.RequestorAccount, humanDuration(r.SessionDuration))
	if r.Description != "" {
		fmt.Fprintf(&b, ": %s", strings.TrimRight(r.Description, ". "))
	}
	b.WriteString(".\n")
	for _, eff := range []policy.Effect{policy.Allow, policy.Deny} {
		var lines []string
		for _, st := range d.Statements {
			if st.Effect == eff {
				lines = append(lines, statementSummary(st)...)
			}
		}
		if len(lines) == 0 {
			continue
		}
		if eff == policy.Allow {
			b.WriteString("If you approve, it will be able to:\n")
		} else {
			b.WriteString("It will not be able to:\n")
		}
		for _, l := range lines {
			b.WriteString("- " + l + "\n")
		}
	}
	b.WriteString("The access ends when the session expires; every action is recorded in the audit trail.")
	return b.String(), nil
}

// statementSummary describes one statement: a line per action (or action
// pattern), with its resources and conditions.
func statementSummary(st *policy.Statement) []string {
	res := "on any resource"
	if !(len(st.Resources) == 1 && st.Resources[0] == "*") {
		res = "on " + strings.Join(st.Resources, ", ")
	}
	if st.NotResource {
		res = "on every resource except " + strings.Join(st.Resources, ", ")
	}
	var cond string
	if len(st.Conditions) > 0 {
		var cs []string
		for _, c := range st.Conditions {
			cs = append(cs, fmt.Sprintf("%s %s %s", c.Key, c.Operator, strings.Join(c.Values, " or ")))
		}
		cond = ", only when " + strings.Join(cs, " and ")
	}
	if st.NotAction {
		return []string{fmt.Sprintf("perform every action except %s %s%s", strings.Join(st.Actions, ", "), res, cond)}
	}
	ref := authref.Lookup()
	var lines []string
	for _, a := range st.Actions {
		lines = append(lines, actionSummary(ref, a)+" "+res+cond)
	}
	return lines
}

// actionSummary names an action as the reference describes it, e.g.
// "Amazon S3: get object (Read, s3:GetObject)"; a pattern is counted, e.g.
// "Amazon S3: 12 actions matching s3:Get* (Read)".
func actionSummary(ref *authref.Data, action string) string {
	if action == "*" {
		return "every action of every service"
	}
	prefix, _, _ := strings.Cut(action, ":")
	svcName := prefix
	if s, ok := ref.Service(prefix); ok {
		svcName = s.Name
	}
	acts := ref.MatchActions(action)
	if !strings.ContainsAny(action, "*?") {
		if len(acts) == 1 {
			return fmt.Sprintf("%s: %s (%s, %s)", svcName, words(acts[0].Name), acts[0].AccessLevel, acts[0].FullName())
		}
		return fmt.Sprintf("%s: %s (an action the Service Authorization Reference does not list)", svcName, action)
	}
	var levels []string
	for _, a := range acts {
		if !slices.Contains(levels, a.AccessLevel) {
			levels = append(levels, a.AccessLevel)
		}
	}
	slices.Sort(levels)
	return fmt.Sprintf("%s: %d actions matching %s (%s)", svcName, len(acts), action, strings.Join(levels, ", "))
}

// words splits an action name into lower-case words: "GetObjectAcl" → "get
// object acl".
func words(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// humanDuration writes a duration in seconds as hours and minutes.
func humanDuration(sec int32) string {
	d := time.Duration(sec) * time.Second
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h == 0:
		return plural(m, "minute")
	case m == 0:
		return plural(h, "hour")
	}
	return plural(h, "hour") + " " + plural(m, "minute")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
