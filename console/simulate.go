package console

import (
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// simForm is the simulator's form and results.
type simForm struct {
	// Principal is the ARN of the user, group or role simulated; empty
	// simulates Policies (SimulateCustomPolicy).
	Principal string
	Policies  string
	Actions   string
	Resources string
	// Context is "key=value[,value]" lines (string values).
	Context string
	Results []types.EvaluationResult
	Ran     bool
}

// fields splits a list typed with commas, spaces or newlines.
func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

func (c *Console) simulatePage(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	f := simForm{Principal: r.URL.Query().Get("principal"), Actions: "s3:GetObject", Resources: "*"}
	if f.Principal == "" && s.UserName != "" {
		f.Principal = s.ARN
	}
	c.render(w, r, "simulate", http.StatusOK, &page{Title: "Policy simulator", S: s, Nav: "simulate", Data: f})
}

// simulate runs SimulatePrincipalPolicy (a principal) or
// SimulateCustomPolicy (pasted policies) and shows each decision with
// what decided it: the matched statements, the missing context keys, and
// the boundary's and the organization's part.
func (c *Console) simulate(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	f := simForm{Principal: strings.TrimSpace(r.PostFormValue("principal")), Policies: r.PostFormValue("policies"),
		Actions: r.PostFormValue("actions"), Resources: r.PostFormValue("resources"), Context: r.PostFormValue("context")}
	var ctxEntries []types.ContextEntry
	for _, line := range strings.Split(f.Context, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || strings.TrimSpace(k) == "" {
			continue
		}
		var vals []string
		for _, x := range strings.Split(v, ",") {
			vals = append(vals, strings.TrimSpace(x))
		}
		ctxEntries = append(ctxEntries, types.ContextEntry{ContextKeyName: aws.String(strings.TrimSpace(k)), ContextKeyType: types.ContextKeyTypeEnumString, ContextKeyValues: vals})
	}
	var res []types.EvaluationResult
	var err error
	ctx := apiContext(r)
	if f.Principal != "" {
		var out *awsiam.SimulatePrincipalPolicyOutput
		out, err = cl.IAM.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(f.Principal),
			ActionNames: fields(f.Actions), ResourceArns: fields(f.Resources), ContextEntries: ctxEntries})
		if err == nil {
			res = out.EvaluationResults
		}
	} else {
		var out *awsiam.SimulateCustomPolicyOutput
		out, err = cl.IAM.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{f.Policies},
			ActionNames: fields(f.Actions), ResourceArns: fields(f.Resources), ContextEntries: ctxEntries})
		if err == nil {
			res = out.EvaluationResults
		}
	}
	pg := &page{Title: "Policy simulator", S: s, Nav: "simulate", Data: f}
	if err != nil {
		pg.Err = apiErrorOf(err)
		c.render(w, r, "simulate", pg.Err.Status, pg)
		return
	}
	f.Results, f.Ran = res, true
	pg.Data = f
	c.render(w, r, "simulate", http.StatusOK, pg)
}
