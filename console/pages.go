package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsaa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// pageRoutes registers the IAM pages.
func (c *Console) pageRoutes(m *http.ServeMux) {
	a := c.authed
	m.HandleFunc("GET /ui/users", a(c.users))
	m.HandleFunc("POST /ui/users", a(c.createUser))
	m.HandleFunc("GET /ui/users/{name}", a(c.user))
	m.HandleFunc("POST /ui/users/{name}/delete", a(c.deleteUser))
	m.HandleFunc("POST /ui/users/{name}/keys", a(c.createKey))
	m.HandleFunc("POST /ui/users/{name}/keys/{id}/status", a(c.keyStatus))
	m.HandleFunc("POST /ui/users/{name}/keys/{id}/delete", a(c.deleteKey))
	m.HandleFunc("GET /ui/users/{name}/rotate", a(c.rotate))
	m.HandleFunc("POST /ui/users/{name}/password", a(c.setPassword))
	m.HandleFunc("POST /ui/users/{name}/mfa", a(c.createMFA))
	m.HandleFunc("POST /ui/users/{name}/mfa/enable", a(c.enableMFA))
	m.HandleFunc("POST /ui/users/{name}/relations", a(c.userRelation))
	m.HandleFunc("GET /ui/groups", a(c.groups))
	m.HandleFunc("POST /ui/groups", a(c.createGroup))
	m.HandleFunc("GET /ui/groups/{name}", a(c.group))
	m.HandleFunc("POST /ui/groups/{name}/relations", a(c.groupRelation))
	m.HandleFunc("POST /ui/groups/{name}/delete", a(c.deleteGroup))
	m.HandleFunc("GET /ui/roles", a(c.roles))
	m.HandleFunc("GET /ui/roles/{name}", a(c.role))
	m.HandleFunc("GET /ui/policies", a(c.policies))
	m.HandleFunc("GET /ui/policies/new", a(c.newPolicy))
	m.HandleFunc("POST /ui/policies", a(c.createPolicy))
	m.HandleFunc("GET /ui/policy", a(c.policy))
	m.HandleFunc("POST /ui/policy/version", a(c.policyVersion))
	m.HandleFunc("POST /ui/policy/default", a(c.setDefault))
	m.HandleFunc("GET /ui/policy/compare", a(c.comparePolicy))
	m.HandleFunc("POST /ui/policy/version/delete", a(c.deleteVersion))
	m.HandleFunc("POST /ui/validate", a(c.validate))
	m.HandleFunc("POST /ui/policy/diff", a(c.policyDiff))
	m.HandleFunc("GET /ui/authref/services", a(c.refServices))
	m.HandleFunc("GET /ui/authref/services/{prefix}", a(c.refService))
	m.HandleFunc("GET /ui/simulate", a(c.simulatePage))
	m.HandleFunc("POST /ui/simulate", a(c.simulate))
	m.HandleFunc("GET /ui/account", a(c.account))
	m.HandleFunc("POST /ui/account/alias", a(c.setAlias))
	m.HandleFunc("POST /ui/account/password-policy", a(c.setPasswordPolicy))
	m.HandleFunc("GET /ui/credential-report.csv", a(c.credentialReport))
}

// policyDoc decodes a policy document as IAM returns it (URL-encoded) and
// indents it.
func policyDoc(s *string) string {
	doc := aws.ToString(s)
	if d, err := url.QueryUnescape(doc); err == nil {
		doc = d
	}
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(doc), "", "  ") == nil {
		return buf.String()
	}
	return doc
}

func (c *Console) groups(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	out, err := cl.IAM.ListGroups(apiContext(r), &awsiam.ListGroupsInput{Marker: marker(r), MaxItems: aws.Int32(pageSize)})
	if err != nil {
		c.showError(w, r, s, "groups", "Groups", "groups", err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	l := listing[types.Group]{Query: q}
	for _, g := range out.Groups {
		if matches(q, aws.ToString(g.GroupName)) {
			l.Items = append(l.Items, g)
		}
	}
	if out.IsTruncated {
		l.Next = aws.ToString(out.Marker)
	}
	c.render(w, r, "groups", http.StatusOK, &page{Title: "Groups", S: s, Nav: "groups", Data: l})
}

func (c *Console) createGroup(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if _, err := cl.IAM.CreateGroup(apiContext(r), &awsiam.CreateGroupInput{GroupName: aws.String(name)}); err != nil {
		c.showErrorOpen(w, r, s, "groups", "Groups", "groups", err, true)
		return
	}
	c.redirectFlash(w, r, "/ui/groups/"+url.PathEscape(name), "Group "+name+" created.")
}

// groupData is the group page's content.
type groupData struct {
	Group    types.Group
	Users    []types.User
	Attached []types.AttachedPolicy
	Inline   []string
}

func (c *Console) loadGroup(r *http.Request, cl *clients, name string) (*groupData, error) {
	ctx := apiContext(r)
	g, err := cl.IAM.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	d := &groupData{Group: *g.Group, Users: g.Users}
	ap, err := cl.IAM.ListAttachedGroupPolicies(ctx, &awsiam.ListAttachedGroupPoliciesInput{GroupName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	d.Attached = ap.AttachedPolicies
	ip, err := cl.IAM.ListGroupPolicies(ctx, &awsiam.ListGroupPoliciesInput{GroupName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	d.Inline = ip.PolicyNames
	return d, nil
}

func (c *Console) group(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	name := r.PathValue("name")
	d, err := c.loadGroup(r, cl, name)
	if err != nil {
		c.showError(w, r, s, "group", "Group "+name, "groups", err)
		return
	}
	c.render(w, r, "group", http.StatusOK, &page{Title: "Group " + name, S: s, Nav: "groups", Data: d})
}

func (c *Console) groupRelation(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	name := r.PathValue("name")
	g := aws.String(name)
	var err error
	var msg string
	switch r.PostFormValue("op") {
	case "attach":
		_, err = cl.IAM.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: g, PolicyArn: aws.String(strings.TrimSpace(r.PostFormValue("arn")))})
		msg = "Policy attached."
	case "detach":
		_, err = cl.IAM.DetachGroupPolicy(ctx, &awsiam.DetachGroupPolicyInput{GroupName: g, PolicyArn: aws.String(r.PostFormValue("arn"))})
		msg = "Policy detached."
	case "add":
		_, err = cl.IAM.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: g, UserName: aws.String(strings.TrimSpace(r.PostFormValue("user")))})
		msg = "User added."
	case "remove":
		_, err = cl.IAM.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: g, UserName: aws.String(r.PostFormValue("user"))})
		msg = "User removed."
	default:
		http.Error(w, "unknown operation", http.StatusBadRequest)
		return
	}
	if err != nil {
		c.showError(w, r, s, "group", "Group "+name, "groups", err)
		return
	}
	c.redirectFlash(w, r, back(r, "/ui/groups/"+url.PathEscape(name)), msg)
}

// deleteGroup removes members and policies, then deletes the group.
func (c *Console) deleteGroup(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	name := r.PathValue("name")
	g := aws.String(name)
	fail := func(err error) { c.showError(w, r, s, "group", "Group "+name, "groups", err) }
	d, err := c.loadGroup(r, cl, name)
	if err != nil {
		fail(err)
		return
	}
	for _, u := range d.Users {
		if _, err := cl.IAM.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: g, UserName: u.UserName}); err != nil {
			fail(err)
			return
		}
	}
	for _, p := range d.Attached {
		if _, err := cl.IAM.DetachGroupPolicy(ctx, &awsiam.DetachGroupPolicyInput{GroupName: g, PolicyArn: p.PolicyArn}); err != nil {
			fail(err)
			return
		}
	}
	for _, p := range d.Inline {
		if _, err := cl.IAM.DeleteGroupPolicy(ctx, &awsiam.DeleteGroupPolicyInput{GroupName: g, PolicyName: aws.String(p)}); err != nil {
			fail(err)
			return
		}
	}
	if _, err := cl.IAM.DeleteGroup(ctx, &awsiam.DeleteGroupInput{GroupName: g}); err != nil {
		fail(err)
		return
	}
	c.redirectFlash(w, r, "/ui/groups", "Group "+name+" deleted.")
}

func (c *Console) roles(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	out, err := cl.IAM.ListRoles(apiContext(r), &awsiam.ListRolesInput{Marker: marker(r), MaxItems: aws.Int32(pageSize)})
	if err != nil {
		c.showError(w, r, s, "roles", "Roles", "roles", err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	l := listing[types.Role]{Query: q}
	for _, x := range out.Roles {
		if matches(q, aws.ToString(x.RoleName), aws.ToString(x.Description)) {
			l.Items = append(l.Items, x)
		}
	}
	if out.IsTruncated {
		l.Next = aws.ToString(out.Marker)
	}
	c.render(w, r, "roles", http.StatusOK, &page{Title: "Roles", S: s, Nav: "roles", Data: l})
}

// roleData is the role page's content.
type roleData struct {
	Role             types.Role
	Trust            string
	Attached         []types.AttachedPolicy
	Inline           []string
	InstanceProfiles []types.InstanceProfile
}

func (c *Console) role(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	name := aws.String(r.PathValue("name"))
	fail := func(err error) { c.showError(w, r, s, "role", "Role "+*name, "roles", err) }
	g, err := cl.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: name})
	if err != nil {
		fail(err)
		return
	}
	d := roleData{Role: *g.Role, Trust: policyDoc(g.Role.AssumeRolePolicyDocument)}
	ap, err := cl.IAM.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: name})
	if err != nil {
		fail(err)
		return
	}
	d.Attached = ap.AttachedPolicies
	ip, err := cl.IAM.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: name})
	if err != nil {
		fail(err)
		return
	}
	d.Inline = ip.PolicyNames
	pr, err := cl.IAM.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: name})
	if err != nil {
		fail(err)
		return
	}
	d.InstanceProfiles = pr.InstanceProfiles
	c.render(w, r, "role", http.StatusOK, &page{Title: "Role " + *name, S: s, Nav: "roles", Data: d})
}

func (c *Console) policies(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	q := r.URL.Query()
	scope := types.PolicyScopeTypeAll
	switch q.Get("scope") {
	case "AWS":
		scope = types.PolicyScopeTypeAws
	case "Local":
		scope = types.PolicyScopeTypeLocal
	}
	out, err := cl.IAM.ListPolicies(apiContext(r), &awsiam.ListPoliciesInput{Marker: marker(r), MaxItems: aws.Int32(pageSize), Scope: scope,
		OnlyAttached: q.Get("attached") == "on"})
	if err != nil {
		c.showError(w, r, s, "policies", "Policies", "policies", err)
		return
	}
	query := strings.TrimSpace(q.Get("q"))
	l := listing[types.Policy]{Query: query, Extra: map[string]string{"Scope": string(scope), "Attached": q.Get("attached")}}
	for _, p := range out.Policies {
		if matches(query, aws.ToString(p.PolicyName), aws.ToString(p.Description)) {
			l.Items = append(l.Items, p)
		}
	}
	if out.IsTruncated {
		l.Next = aws.ToString(out.Marker)
	}
	c.render(w, r, "policies", http.StatusOK, &page{Title: "Policies", S: s, Nav: "policies", Data: l})
}

// policyData is the policy page's content.
type policyData struct {
	Policy   types.Policy
	Versions []types.PolicyVersion
	Document string
	Version  string
	Users    []types.PolicyUser
	Groups   []types.PolicyGroup
	Roles    []types.PolicyRole
	AWS      bool
	// Previous is the newest version that is not the default, which the
	// compare form offers first.
	Previous string
}

func (c *Console) policy(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	a := aws.String(r.URL.Query().Get("arn"))
	fail := func(err error) { c.showError(w, r, s, "policy", "Policy", "policies", err) }
	p, err := cl.IAM.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: a})
	if err != nil {
		fail(err)
		return
	}
	d := policyData{Policy: *p.Policy, AWS: strings.HasPrefix(*a, "arn:aws:iam::aws:")}
	vs, err := cl.IAM.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: a})
	if err != nil {
		fail(err)
		return
	}
	d.Versions = vs.Versions
	for _, v := range vs.Versions {
		if !v.IsDefaultVersion && d.Previous == "" {
			d.Previous = aws.ToString(v.VersionId)
		}
	}
	d.Version = r.URL.Query().Get("version")
	if d.Version == "" {
		d.Version = aws.ToString(p.Policy.DefaultVersionId)
	}
	v, err := cl.IAM.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: a, VersionId: aws.String(d.Version)})
	if err != nil {
		fail(err)
		return
	}
	d.Document = policyDoc(v.PolicyVersion.Document)
	e, err := cl.IAM.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: a})
	if err != nil {
		fail(err)
		return
	}
	d.Users, d.Groups, d.Roles = e.PolicyUsers, e.PolicyGroups, e.PolicyRoles
	c.render(w, r, "policy", http.StatusOK, &page{Title: "Policy " + aws.ToString(p.Policy.PolicyName), S: s, Nav: "policies", Data: d})
}

// editorData is the policy editor's content.
type editorData struct {
	Name, Description, Document string
	// Original is the current default version's document (editing).
	Original string
	// ARN is set when editing (a new version of) an existing policy.
	ARN string
}

// starterPolicy is the editor's document for a new policy.
const starterPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [],
      "Resource": []
    }
  ]
}`

func (c *Console) newPolicy(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	d := editorData{Document: starterPolicy}
	if a := r.URL.Query().Get("arn"); a != "" {
		p, err := cl.IAM.GetPolicy(apiContext(r), &awsiam.GetPolicyInput{PolicyArn: aws.String(a)})
		if err != nil {
			c.showError(w, r, s, "editor", "Edit policy", "policies", err)
			return
		}
		v, err := cl.IAM.GetPolicyVersion(apiContext(r), &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(a), VersionId: p.Policy.DefaultVersionId})
		if err != nil {
			c.showError(w, r, s, "editor", "Edit policy", "policies", err)
			return
		}
		doc := policyDoc(v.PolicyVersion.Document)
		d = editorData{ARN: a, Name: aws.ToString(p.Policy.PolicyName), Document: doc, Original: doc}
	}
	c.render(w, r, "editor", http.StatusOK, &page{Title: "Create policy", S: s, Nav: "policies", Data: d})
}

func (c *Console) createPolicy(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	d := editorData{Name: strings.TrimSpace(r.PostFormValue("name")), Description: r.PostFormValue("description"), Document: r.PostFormValue("document")}
	in := &awsiam.CreatePolicyInput{PolicyName: aws.String(d.Name), PolicyDocument: aws.String(d.Document)}
	if d.Description != "" {
		in.Description = aws.String(d.Description)
	}
	out, err := cl.IAM.CreatePolicy(apiContext(r), in)
	if err != nil {
		c.render(w, r, "editor", apiErrorOf(err).Status, &page{Title: "Create policy", S: s, Nav: "policies", Err: apiErrorOf(err), Data: d})
		return
	}
	c.redirectFlash(w, r, "/ui/policy?arn="+url.QueryEscape(aws.ToString(out.Policy.Arn)), "Policy "+d.Name+" created.")
}

// policyVersion saves an edited document as the policy's new default
// version.
func (c *Console) policyVersion(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	a := r.PostFormValue("arn")
	d := editorData{ARN: a, Name: r.PostFormValue("name"), Document: r.PostFormValue("document"), Original: r.PostFormValue("original")}
	_, err := cl.IAM.CreatePolicyVersion(apiContext(r), &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(a), PolicyDocument: aws.String(d.Document), SetAsDefault: true})
	if err != nil {
		c.render(w, r, "editor", apiErrorOf(err).Status, &page{Title: "Edit policy", S: s, Nav: "policies", Err: apiErrorOf(err), Data: d})
		return
	}
	c.redirectFlash(w, r, "/ui/policy?arn="+url.QueryEscape(a), "New version saved as the default.")
}

func (c *Console) setDefault(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	a := r.PostFormValue("arn")
	if _, err := cl.IAM.SetDefaultPolicyVersion(apiContext(r), &awsiam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(a), VersionId: aws.String(r.PostFormValue("version"))}); err != nil {
		c.showError(w, r, s, "policy", "Policy", "policies", err)
		return
	}
	c.redirectFlash(w, r, "/ui/policy?arn="+url.QueryEscape(a), "Default version set.")
}

// finding is one ValidatePolicy finding as the editor shows it.
type finding struct {
	Type    string `json:"type"`
	Issue   string `json:"issue"`
	Details string `json:"details"`
	Line    int32  `json:"line,omitempty"`
	Column  int32  `json:"column,omitempty"`
	Learn   string `json:"learnMoreLink,omitempty"`
}

// validate answers the editor's fetch: Access Analyzer's ValidatePolicy of
// the document, through the pipeline (so it needs
// access-analyzer:ValidatePolicy).
func (c *Console) validate(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	w.Header().Set("Content-Type", "application/json")
	doc := r.PostFormValue("document")
	typ := aatypes.PolicyTypeIdentityPolicy
	if r.PostFormValue("type") == "RESOURCE_POLICY" {
		typ = aatypes.PolicyTypeResourcePolicy
	}
	out, err := cl.Analyzer.ValidatePolicy(apiContext(r), &awsaa.ValidatePolicyInput{PolicyDocument: aws.String(doc), PolicyType: typ})
	if err != nil {
		ae := apiErrorOf(err)
		w.WriteHeader(ae.Status)
		json.NewEncoder(w).Encode(map[string]any{"error": ae}) //nolint:errcheck // the client went away
		return
	}
	fs := []finding{}
	for _, f := range out.Findings {
		x := finding{Type: string(f.FindingType), Issue: aws.ToString(f.IssueCode), Details: aws.ToString(f.FindingDetails), Learn: aws.ToString(f.LearnMoreLink)}
		if len(f.Locations) > 0 && f.Locations[0].Span != nil && f.Locations[0].Span.Start != nil {
			st := f.Locations[0].Span.Start
			x.Line, x.Column = aws.ToInt32(st.Line), aws.ToInt32(st.Column)
		}
		fs = append(fs, x)
	}
	json.NewEncoder(w).Encode(map[string]any{"findings": fs}) //nolint:errcheck // the client went away
}

// accountData is the account settings page's content.
type accountData struct {
	Aliases   []string
	Policy    *types.PasswordPolicy
	PolicyErr *apiError
}

func (c *Console) account(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	al, err := cl.IAM.ListAccountAliases(ctx, &awsiam.ListAccountAliasesInput{})
	if err != nil {
		c.showError(w, r, s, "account", "Account settings", "account", err)
		return
	}
	d := accountData{Aliases: al.AccountAliases}
	pp, err := cl.IAM.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	switch {
	case err == nil:
		d.Policy = pp.PasswordPolicy
	case apiErrorOf(err).Code != "NoSuchEntity":
		d.PolicyErr = apiErrorOf(err)
	}
	c.render(w, r, "account", http.StatusOK, &page{Title: "Account settings", S: s, Nav: "account", Data: d})
}

func (c *Console) setAlias(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	var err error
	msg := "Alias set."
	if old := r.PostFormValue("delete"); old != "" {
		_, err = cl.IAM.DeleteAccountAlias(ctx, &awsiam.DeleteAccountAliasInput{AccountAlias: aws.String(old)})
		msg = "Alias deleted."
	} else {
		_, err = cl.IAM.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String(strings.TrimSpace(r.PostFormValue("alias")))})
	}
	if err != nil {
		c.showError(w, r, s, "account", "Account settings", "account", err)
		return
	}
	c.redirectFlash(w, r, "/ui/account", msg)
}

func (c *Console) setPasswordPolicy(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	var err error
	if r.PostFormValue("delete") == "on" {
		_, err = cl.IAM.DeleteAccountPasswordPolicy(ctx, &awsiam.DeleteAccountPasswordPolicyInput{})
	} else {
		num := func(k string) *int32 {
			v, e := strconv.Atoi(r.PostFormValue(k))
			if e != nil || v == 0 {
				return nil
			}
			return aws.Int32(int32(v))
		}
		on := func(k string) bool { return r.PostFormValue(k) == "on" }
		_, err = cl.IAM.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{
			MinimumPasswordLength: num("min"), MaxPasswordAge: num("maxage"), PasswordReusePrevention: num("reuse"),
			RequireLowercaseCharacters: on("lower"), RequireUppercaseCharacters: on("upper"), RequireNumbers: on("numbers"),
			RequireSymbols: on("symbols"), AllowUsersToChangePassword: on("allowchange"), HardExpiry: aws.Bool(on("hard")),
		})
	}
	if err != nil {
		c.showError(w, r, s, "account", "Account settings", "account", err)
		return
	}
	c.redirectFlash(w, r, "/ui/account", "Password policy saved.")
}

// credentialReport downloads the credential report (generating it when
// there is none or it expired).
func (c *Console) credentialReport(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	if _, err := cl.IAM.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{}); err != nil {
		c.showError(w, r, s, "dashboard", "Dashboard", "dashboard", err)
		return
	}
	out, err := cl.IAM.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	if err != nil {
		c.showError(w, r, s, "dashboard", "Dashboard", "dashboard", err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="credential-report-`+s.Account+`.csv"`)
	w.Write(out.Content) //nolint:errcheck // the client went away
}
