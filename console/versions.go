package console

import (
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// compareData is the page comparing two versions of a managed policy.
type compareData struct {
	Policy   types.Policy
	Versions []types.PolicyVersion
	From, To string
	// Lines is the line diff of the two formatted documents.
	Lines []diffLine
	// Changes are the actions To grants that From did not, and those it
	// no longer grants, by service (what the editor's "Before you save"
	// shows); Invalid when a document is not a JSON policy.
	Changes []actionChange
	Invalid bool
	// Same reports that the documents are identical.
	Same bool
}

// comparePolicy shows two versions of a policy side by side: a line diff
// of the formatted documents and the actions the change adds and removes.
// Calls: GetPolicy, ListPolicyVersions, GetPolicyVersion (twice).
func (c *Console) comparePolicy(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	q := r.URL.Query()
	a := aws.String(q.Get("arn"))
	fail := func(err error) { c.showError(w, r, s, "compare", "Compare policy versions", "policies", err) }
	p, err := cl.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: a})
	if err != nil {
		fail(err)
		return
	}
	vs, err := cl.IAM.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: a})
	if err != nil {
		fail(err)
		return
	}
	d := compareData{Policy: *p.Policy, Versions: vs.Versions, From: q.Get("from"), To: q.Get("to")}
	if d.To == "" {
		d.To = aws.ToString(p.Policy.DefaultVersionId)
	}
	if d.From == "" {
		// The version before To, when there is one.
		for i, v := range vs.Versions {
			if aws.ToString(v.VersionId) == d.To && i+1 < len(vs.Versions) {
				d.From = aws.ToString(vs.Versions[i+1].VersionId)
			}
		}
		if d.From == "" {
			d.From = d.To
		}
	}
	doc := func(id string) (string, error) {
		v, err := cl.IAM.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: a, VersionId: aws.String(id)})
		if err != nil {
			return "", err
		}
		return policyDoc(v.PolicyVersion.Document), nil
	}
	from, err := doc(d.From)
	if err != nil {
		fail(err)
		return
	}
	to, err := doc(d.To)
	if err != nil {
		fail(err)
		return
	}
	d.Same = from == to
	d.Lines = lineDiff(from, to)
	before, ok1 := granted(from)
	after, ok2 := granted(to)
	d.Invalid = !ok1 || !ok2
	if !d.Invalid {
		d.Changes = actionChanges(before, after)
	}
	c.render(w, r, "compare", http.StatusOK, &page{Title: "Compare " + aws.ToString(p.Policy.PolicyName) + " " + d.From + " → " + d.To, S: s, Nav: "policies", Data: d})
}

// deleteVersion deletes a version of a managed policy that is not its
// default (DeletePolicyVersion; IAM refuses the default version with
// DeleteConflict, shown in the page).
func (c *Console) deleteVersion(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	a, v := r.PostFormValue("arn"), r.PostFormValue("version")
	if _, err := cl.IAM.DeletePolicyVersion(apiContext(r), &awsiam.DeletePolicyVersionInput{PolicyArn: aws.String(a), VersionId: aws.String(v)}); err != nil {
		c.showError(w, r, s, "policy", "Policy", "policies", err)
		return
	}
	c.redirectFlash(w, r, "/ui/policy?arn="+url.QueryEscape(a), "Version "+v+" deleted.")
}
