package server_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// xnode is an element of an XML response: its name, text and children.
type xnode struct {
	name string
	text string
	kids []*xnode
}

func parseXML(t *testing.T, body string) *xnode {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(body))
	root := &xnode{}
	stack := []*xnode{root}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("response is not XML: %v\n%s", err, body)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: tok.Name.Local}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.text += string(tok)
		}
	}
	return root
}

func (n *xnode) child(name string) *xnode {
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// find returns the elements at path under n: names separated by "/", where
// a step "member[Name=v]" picks the list members whose child Name has text
// v, and "member" alone every member.
func (n *xnode) find(path string) []*xnode {
	cur := []*xnode{n}
	for _, step := range strings.Split(path, "/") {
		name, cond, _ := strings.Cut(strings.TrimSuffix(step, "]"), "[")
		ck, cv, _ := strings.Cut(cond, "=")
		var next []*xnode
		for _, c := range cur {
			for _, k := range c.kids {
				if k.name != name {
					continue
				}
				if cond != "" {
					if v := k.child(ck); v == nil || v.text != cv {
						continue
					}
				}
				next = append(next, k)
			}
		}
		cur = next
	}
	return cur
}

func (n *xnode) childNames() []string {
	var names []string
	for _, k := range n.kids {
		if !slices.Contains(names, k.name) {
			names = append(names, k.name)
		}
	}
	sort.Strings(names)
	return names
}

// The member sets the tests pin, named once.
var (
	userMembers       = []string{"Arn", "CreateDate", "Path", "UserId", "UserName"}
	groupMembers      = []string{"Arn", "CreateDate", "GroupId", "GroupName", "Path"}
	createRoleMembers = []string{"Arn", "AssumeRolePolicyDocument", "CreateDate", "Path", "RoleId", "RoleName"}
	// roleMembers is a role as GetRole and ListRoles show it, before the
	// optional members.
	roleMembers       = plus(createRoleMembers, "MaxSessionDuration")
	policyMembers     = []string{"Arn", "AttachmentCount", "CreateDate", "DefaultVersionId", "IsAttachable", "Path", "PermissionsBoundaryUsageCount", "PolicyId", "PolicyName", "UpdateDate"}
	profileMembers    = []string{"Arn", "CreateDate", "InstanceProfileId", "InstanceProfileName", "Path", "Roles"}
	credentialMembers = []string{"AccessKeyId", "Expiration", "SecretAccessKey", "SessionToken"}
)

func plus(base []string, more ...string) []string {
	out := append(slices.Clone(base), more...)
	sort.Strings(out)
	return out
}

// shapeStep is one request of a scenario and, when path is set, the exact set
// of child elements of the element(s) at path in its result.
type shapeStep struct {
	service string // "iam" (default) or "sts"
	form    url.Values
	path    string
	want    []string
	// example names the operation of the service model's examples (examples-1.json)
	// whose output has the same member set at example; exampleDiffers says why
	// want differs from it, when it does.
	example, examplePath, exampleDiffers string
	// source is the documentation the expectation comes from.
	source string
}

const iamV = "2010-05-08"

func iamForm(action string, kv ...string) url.Values { return form(action, iamV, kv...) }

const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// iamShapeSteps is the IAM scenario: each response element is checked
// against the members AWS returns for that operation, including the members
// a Create… or List… response leaves out of its Get… counterpart.
func iamShapeSteps() []shapeStep {
	pb := "arn:aws:iam::" + testserver.AccountID + ":policy/pb"
	return []shapeStep{
		{form: iamForm("CreateUser", "UserName", "alice"), path: "CreateUserResult/User", want: userMembers,
			example: "CreateUser", examplePath: "User"},
		{form: iamForm("GetUser", "UserName", "alice"), path: "GetUserResult/User", want: userMembers,
			example: "GetUser", examplePath: "User"},
		// Policy.Description "is included in the response to the GetPolicy
		// operation. It is not included in the response to the ListPolicies
		// operation" (API_Policy.html); CreatePolicy's answer is the listing
		// form too.
		{form: iamForm("CreatePolicy", "PolicyName", "pb", "PolicyDocument", allowAll, "Description", "boundary"),
			path: "CreatePolicyResult/Policy", want: policyMembers, source: "API_Policy.html (Description)"},
		// GetPolicy sends Tags even empty ("Tags": [] in
		// test_iam_policies.snapshot.json, recorded against AWS).
		{form: iamForm("GetPolicy", "PolicyArn", pb), path: "GetPolicyResult/Policy", want: plus(policyMembers, "Description", "Tags"),
			source: "API_Policy.html (Description); test_iam_policies.snapshot.json: get-policy-response"},
		// AWS sends the managed policy's Description too; the embedded
		// catalogue (managedpolicies) carries none, so it is left out rather
		// than invented.
		{form: iamForm("GetPolicy", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"), path: "GetPolicyResult/Policy", want: plus(policyMembers, "Tags"),
			source: "test_iam_managed_policies.snapshot.json: get-policy of an AWS managed policy"},
		{form: iamForm("ListPolicies", "Scope", "Local"), path: "ListPoliciesResult/Policies/member[PolicyName=pb]", want: policyMembers,
			source: "API_ListPolicies.html: does not return tags; API_Policy.html: Description not included"},
		// PolicyVersion.Document "is returned in the response to the
		// GetPolicyVersion and GetAccountAuthorizationDetails operations. It
		// is not returned in the response to the CreatePolicyVersion or
		// ListPolicyVersions operations" (API_PolicyVersion.html).
		{form: iamForm("CreatePolicyVersion", "PolicyArn", pb, "PolicyDocument", allowAll),
			path: "CreatePolicyVersionResult/PolicyVersion", want: []string{"CreateDate", "IsDefaultVersion", "VersionId"}, source: "API_PolicyVersion.html"},
		{form: iamForm("GetPolicyVersion", "PolicyArn", pb, "VersionId", "v1"),
			path: "GetPolicyVersionResult/PolicyVersion", want: []string{"CreateDate", "Document", "IsDefaultVersion", "VersionId"}, source: "API_PolicyVersion.html"},
		{form: iamForm("ListPolicyVersions", "PolicyArn", pb),
			path: "ListPolicyVersionsResult/Versions/member", want: []string{"CreateDate", "IsDefaultVersion", "VersionId"}, source: "API_PolicyVersion.html"},
		// A user with tags and a boundary: Create and Get return both.
		{form: iamForm("CreateUser", "UserName", "bob", "PermissionsBoundary", pb, "Tags.member.1.Key", "team", "Tags.member.1.Value", "x"),
			path: "CreateUserResult/User", want: plus(userMembers, "PermissionsBoundary", "Tags"), source: "API_CreateUser.html"},
		{form: iamForm("GetUser", "UserName", "bob"), path: "GetUserResult/User", want: plus(userMembers, "PermissionsBoundary", "Tags"),
			source: "API_GetUser.html"},
		// "This operation does not return the following attributes, even
		// though they are an attribute of the returned object:
		// PermissionsBoundary, Tags" (API_ListUsers.html).
		{form: iamForm("ListUsers"), path: "ListUsersResult/Users/member[UserName=bob]", want: userMembers,
			example: "ListUsers", examplePath: "Users[]", exampleDiffers: "the example's user has signed in with a password (PasswordLastUsed)",
			source: "API_ListUsers.html"},
		{form: iamForm("ListUsers"), path: "ListUsersResult/Users/member[UserName=alice]", want: userMembers, source: "API_ListUsers.html"},
		{form: iamForm("ListUsers"), path: "ListUsersResult", want: []string{"IsTruncated", "Users"}, source: "API_ListUsers.html (XML example)"},
		// Required lists are present even when empty (Tags of List…Tags).
		{form: iamForm("ListUserTags", "UserName", "alice"), path: "ListUserTagsResult", want: []string{"IsTruncated", "Tags"},
			source: "IAM model: ListUserTagsResponse requires Tags"},
		{form: iamForm("ListUserTags", "UserName", "bob"), path: "ListUserTagsResult/Tags/member", want: []string{"Key", "Value"},
			example: "ListUserTags", examplePath: "Tags[]"},
		{form: iamForm("CreateAccessKey", "UserName", "alice"), path: "CreateAccessKeyResult/AccessKey",
			want: []string{"AccessKeyId", "CreateDate", "SecretAccessKey", "Status", "UserName"}, example: "CreateAccessKey", examplePath: "AccessKey"},
		{form: iamForm("ListAccessKeys", "UserName", "alice"), path: "ListAccessKeysResult/AccessKeyMetadata/member",
			want: []string{"AccessKeyId", "CreateDate", "Status", "UserName"}, example: "ListAccessKeys", examplePath: "AccessKeyMetadata[]"},
		{form: iamForm("CreateGroup", "GroupName", "devs"), path: "CreateGroupResult/Group", want: groupMembers,
			example: "CreateGroup", examplePath: "Group"},
		{form: iamForm("AddUserToGroup", "GroupName", "devs", "UserName", "bob")},
		{form: iamForm("GetGroup", "GroupName", "devs"), path: "GetGroupResult/Group", want: groupMembers, source: "API_GetGroup.html"},
		// GetGroup lists the group's users as ListUsers does.
		{form: iamForm("GetGroup", "GroupName", "devs"), path: "GetGroupResult/Users/member", want: userMembers,
			source: "API_GetGroup.html (XML example); the listing subset of API_ListUsers.html"},
		{form: iamForm("ListGroups"), path: "ListGroupsResult/Groups/member", want: groupMembers,
			example: "ListGroups", examplePath: "Groups[]"},
		{form: iamForm("ListGroupsForUser", "UserName", "bob"), path: "ListGroupsForUserResult/Groups/member", want: groupMembers,
			example: "ListGroupsForUser", examplePath: "Groups[]"},
		{form: iamForm("CreateRole", "RoleName", "plain", "Path", "/", "AssumeRolePolicyDocument", trustPolicy),
			path: "CreateRoleResult/Role", want: createRoleMembers,
			example: "CreateRole", examplePath: "Role",
			source: "localstack/localstack tests/aws/services/iam/test_iam_roles.snapshot.json (recorded against AWS): create-role-response"},
		{form: iamForm("CreateRole", "RoleName", "full", "AssumeRolePolicyDocument", trustPolicy, "Description", "d",
			"PermissionsBoundary", pb, "Tags.member.1.Key", "team", "Tags.member.1.Value", "x"),
			path: "CreateRoleResult/Role", want: plus(createRoleMembers, "PermissionsBoundary", "Tags"),
			source: "test_iam_roles.snapshot.json (recorded against AWS): create-role-with-boundary answers without its description; create-role-response of test_role_with_tags carries Tags"},
		{form: iamForm("GetRole", "RoleName", "plain"), path: "GetRoleResult/Role", want: plus(roleMembers, "RoleLastUsed"),
			example: "GetRole", examplePath: "Role"},
		// A role never used has an empty RoleLastUsed ("IAM … tracks last
		// used data for the trailing 400 days"; API_RoleLastUsed.html: its
		// members are returned only once the role was used).
		{form: iamForm("GetRole", "RoleName", "plain"), path: "GetRoleResult/Role/RoleLastUsed", want: nil, source: "API_RoleLastUsed.html"},
		{form: iamForm("GetRole", "RoleName", "full"), path: "GetRoleResult/Role",
			want: plus(roleMembers, "Description", "PermissionsBoundary", "RoleLastUsed", "Tags"), source: "API_GetRole.html"},
		// "This operation does not return the following attributes, even
		// though they are an attribute of the returned object:
		// PermissionsBoundary, RoleLastUsed, Tags" (API_ListRoles.html).
		{form: iamForm("ListRoles"), path: "ListRolesResult/Roles/member[RoleName=plain]", want: roleMembers, source: "API_ListRoles.html"},
		{form: iamForm("ListRoles"), path: "ListRolesResult/Roles/member[RoleName=full]", want: plus(roleMembers, "Description"), source: "API_ListRoles.html"},
		{form: iamForm("ListRoleTags", "RoleName", "plain"), path: "ListRoleTagsResult", want: []string{"IsTruncated", "Tags"},
			source: "IAM model: ListRoleTagsResponse requires Tags"},
		{form: iamForm("ListRoleTags", "RoleName", "full"), path: "ListRoleTagsResult/Tags/member", want: []string{"Key", "Value"},
			example: "ListRoleTags", examplePath: "Tags[]"},
		{form: iamForm("CreateInstanceProfile", "InstanceProfileName", "web"), path: "CreateInstanceProfileResult/InstanceProfile",
			want: profileMembers, example: "CreateInstanceProfile", examplePath: "InstanceProfile"},
		{form: iamForm("AddRoleToInstanceProfile", "InstanceProfileName", "web", "RoleName", "full")},
		{form: iamForm("TagInstanceProfile", "InstanceProfileName", "web", "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")},
		{form: iamForm("GetInstanceProfile", "InstanceProfileName", "web"), path: "GetInstanceProfileResult/InstanceProfile",
			want: plus(profileMembers, "Tags"), source: "API_GetInstanceProfile.html"},
		// "this operation does not return tags" (API_ListInstanceProfiles.html);
		// its roles are listed as ListRoles lists them.
		{form: iamForm("ListInstanceProfiles"), path: "ListInstanceProfilesResult/InstanceProfiles/member", want: profileMembers,
			source: "API_ListInstanceProfiles.html"},
		// The roles of an instance profile have neither MaxSessionDuration nor
		// RoleLastUsed (test_iam_instance_profiles.snapshot.json, recorded
		// against AWS).
		{form: iamForm("ListInstanceProfiles"), path: "ListInstanceProfilesResult/InstanceProfiles/member[InstanceProfileName=web]/Roles/member",
			want: plus(createRoleMembers, "Description"), source: "test_iam_instance_profiles.snapshot.json: list-instance-profiles"},
		{form: iamForm("CreateInstanceProfile", "InstanceProfileName", "web2")},
		{form: iamForm("AddRoleToInstanceProfile", "InstanceProfileName", "web2", "RoleName", "plain")},
		{form: iamForm("GetInstanceProfile", "InstanceProfileName", "web2"), path: "GetInstanceProfileResult/InstanceProfile/Roles/member",
			want: createRoleMembers, example: "GetInstanceProfile", examplePath: "InstanceProfile/Roles[]",
			source: "test_iam_instance_profiles.snapshot.json: get-with-role"},
		// "Tags": [] of a profile without tags (get-instance-profile).
		{form: iamForm("GetInstanceProfile", "InstanceProfileName", "web2"), path: "GetInstanceProfileResult/InstanceProfile",
			want: plus(profileMembers, "Tags"), source: "test_iam_instance_profiles.snapshot.json: get-instance-profile"},
		{form: iamForm("ListInstanceProfilesForRole", "RoleName", "plain"), path: "ListInstanceProfilesForRoleResult/InstanceProfiles/member/Roles/member",
			want: createRoleMembers, source: "test_iam_instance_profiles.snapshot.json: list-for-role"},
		{form: iamForm("ListInstanceProfilesForRole", "RoleName", "full"), path: "ListInstanceProfilesForRoleResult/InstanceProfiles/member",
			want: profileMembers, source: "API_ListInstanceProfilesForRole.html"},
		{form: iamForm("CreateLoginProfile", "UserName", "alice", "Password", "Sup3r-Secret-pw!", "PasswordResetRequired", "true"),
			path: "CreateLoginProfileResult/LoginProfile", want: []string{"CreateDate", "PasswordResetRequired", "UserName"},
			example: "CreateLoginProfile", examplePath: "LoginProfile"},
		// A virtual MFA device's tags are not listed: "this operation does not
		// return tags" (API_ListVirtualMFADevices.html).
		{form: iamForm("CreateVirtualMFADevice", "VirtualMFADeviceName", "dev1", "Tags.member.1.Key", "k", "Tags.member.1.Value", "v"),
			path: "CreateVirtualMFADeviceResult/VirtualMFADevice", want: []string{"Base32StringSeed", "QRCodePNG", "SerialNumber", "Tags"},
			source: "API_CreateVirtualMFADevice.html"},
		{form: iamForm("ListVirtualMFADevices"), path: "ListVirtualMFADevicesResult/VirtualMFADevices/member", want: []string{"SerialNumber"},
			example: "ListVirtualMFADevices", examplePath: "VirtualMFADevices[]", source: "API_ListVirtualMFADevices.html"},
		// AccessKeyLastUsed of a key never used: "LastUsedDate … is null",
		// ServiceName and Region are "N/A" (API_AccessKeyLastUsed.html).
		{form: iamForm("GetAccessKeyLastUsed", "AccessKeyId", "{alice-key}"), path: "GetAccessKeyLastUsedResult", want: []string{"AccessKeyLastUsed", "UserName"},
			source: "API_GetAccessKeyLastUsed.html"},
		{form: iamForm("GetAccessKeyLastUsed", "AccessKeyId", "{alice-key}"), path: "GetAccessKeyLastUsedResult/AccessKeyLastUsed", want: []string{"Region", "ServiceName"},
			source: "API_AccessKeyLastUsed.html"},
		{form: iamForm("PutUserPolicy", "UserName", "alice", "PolicyName", "inline", "PolicyDocument", allowAll)},
		{form: iamForm("GetUserPolicy", "UserName", "alice", "PolicyName", "inline"), path: "GetUserPolicyResult",
			want: []string{"PolicyDocument", "PolicyName", "UserName"}, source: "API_GetUserPolicy.html"},
		{form: iamForm("ListUserPolicies", "UserName", "alice"), path: "ListUserPoliciesResult", want: []string{"IsTruncated", "PolicyNames"},
			source: "API_ListUserPolicies.html"},
		{form: iamForm("AttachUserPolicy", "UserName", "alice", "PolicyArn", pb)},
		{form: iamForm("AttachRolePolicy", "RoleName", "plain", "PolicyArn", pb)},
		{form: iamForm("AttachGroupPolicy", "GroupName", "devs", "PolicyArn", pb)},
		{form: iamForm("ListAttachedUserPolicies", "UserName", "alice"), path: "ListAttachedUserPoliciesResult/AttachedPolicies/member",
			want: []string{"PolicyArn", "PolicyName"}, source: "API_AttachedPolicy.html"},
		{form: iamForm("ListEntitiesForPolicy", "PolicyArn", pb), path: "ListEntitiesForPolicyResult",
			want: []string{"IsTruncated", "PolicyGroups", "PolicyRoles", "PolicyUsers"}, source: "API_ListEntitiesForPolicy.html"},
		{form: iamForm("ListEntitiesForPolicy", "PolicyArn", pb), path: "ListEntitiesForPolicyResult/PolicyUsers/member[UserName=alice]",
			want: []string{"UserId", "UserName"}, source: "API_PolicyUser.html"},
		{form: iamForm("ListEntitiesForPolicy", "PolicyArn", pb), path: "ListEntitiesForPolicyResult/PolicyRoles/member",
			want: []string{"RoleId", "RoleName"}, source: "API_PolicyRole.html"},
		{form: iamForm("ListEntitiesForPolicy", "PolicyArn", pb), path: "ListEntitiesForPolicyResult/PolicyGroups/member",
			want: []string{"GroupId", "GroupName"}, source: "API_PolicyGroup.html"},
		{form: iamForm("UpdateRoleDescription", "RoleName", "plain", "Description", "now described"), path: "UpdateRoleDescriptionResult/Role",
			want:   plus(createRoleMembers, "Description"),
			source: "test_iam_roles.snapshot.json (recorded against AWS): update-role-description-response has neither MaxSessionDuration nor RoleLastUsed"},
		{form: iamForm("CreateOpenIDConnectProvider", "Url", "https://oidc.example.com", "ClientIDList.member.1", "app",
			"ThumbprintList.member.1", "3768084dfb3d2b68b7897bf5f565da8efe000000"), path: "CreateOpenIDConnectProviderResult",
			want: []string{"OpenIDConnectProviderArn"}, example: "CreateOpenIDConnectProvider", examplePath: "", source: "API_CreateOpenIDConnectProvider.html"},
		{form: iamForm("GetOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::"+testserver.AccountID+":oidc-provider/oidc.example.com"),
			path: "GetOpenIDConnectProviderResult", want: []string{"ClientIDList", "CreateDate", "Tags", "ThumbprintList", "Url"},
			source: "test_iam_oidc.snapshot.json (recorded against AWS): get-response has \"Tags\": []"},
		// OpenIDConnectProviderListEntry has only Arn; "this operation does not
		// return tags" (API_ListOpenIDConnectProviders.html).
		{form: iamForm("ListOpenIDConnectProviders"), path: "ListOpenIDConnectProvidersResult/OpenIDConnectProviderList/member",
			want: []string{"Arn"}, source: "API_ListOpenIDConnectProviders.html"},
		{form: iamForm("UpdateAccountPasswordPolicy", "MinimumPasswordLength", "8", "RequireSymbols", "true", "RequireNumbers", "true",
			"RequireUppercaseCharacters", "true", "RequireLowercaseCharacters", "true", "AllowUsersToChangePassword", "true",
			"MaxPasswordAge", "90", "PasswordReusePrevention", "12", "HardExpiry", "false")},
		{form: iamForm("GetAccountPasswordPolicy"), path: "GetAccountPasswordPolicyResult/PasswordPolicy",
			want: []string{"AllowUsersToChangePassword", "ExpirePasswords", "HardExpiry", "MaxPasswordAge", "MinimumPasswordLength",
				"PasswordReusePrevention", "RequireLowercaseCharacters", "RequireNumbers", "RequireSymbols", "RequireUppercaseCharacters"},
			example: "GetAccountPasswordPolicy", examplePath: "PasswordPolicy"},
	}
}

// stsShapeSteps checks the STS answers against the STS model's examples:
// PackedPolicySize, SourceIdentity and the like appear only when the request
// passed session policies, tags or a source identity.
func stsShapeSteps() []shapeStep {
	const stsV = "2011-06-15"
	role := "arn:aws:iam::" + testserver.AccountID + ":role/plain"
	return []shapeStep{
		{service: "sts", form: form("GetCallerIdentity", stsV), path: "GetCallerIdentityResult", want: []string{"Account", "Arn", "UserId"},
			example: "GetCallerIdentity"},
		{service: "sts", form: form("GetSessionToken", stsV), path: "GetSessionTokenResult", want: []string{"Credentials"},
			example: "GetSessionToken"},
		{service: "sts", form: form("GetSessionToken", stsV), path: "GetSessionTokenResult/Credentials", want: credentialMembers,
			example: "GetSessionToken", examplePath: "Credentials"},
		{service: "sts", form: form("AssumeRole", stsV, "RoleArn", role, "RoleSessionName", "s1"), path: "AssumeRoleResult",
			want:    []string{"AssumedRoleUser", "Credentials"},
			example: "AssumeRole", exampleDiffers: "the example passes a session policy, which PackedPolicySize measures",
			source: "API_AssumeRole.html: PackedPolicySize is returned for session policies and tags only"},
		{service: "sts", form: form("AssumeRole", stsV, "RoleArn", role, "RoleSessionName", "s2", "Policy", allowAll), path: "AssumeRoleResult",
			want: []string{"AssumedRoleUser", "Credentials", "PackedPolicySize"}, example: "AssumeRole"},
		{service: "sts", form: form("AssumeRole", stsV, "RoleArn", role, "RoleSessionName", "s3"), path: "AssumeRoleResult/AssumedRoleUser",
			want: []string{"Arn", "AssumedRoleId"}, example: "AssumeRole", examplePath: "AssumedRoleUser"},
	}
}

// TestResponseMemberSets sends each request raw and compares the member
// names of the response element with the set AWS returns, so a member the
// SDKs would silently accept (or ignore) shows.
func TestResponseMemberSets(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := rawClient{t: t, url: srv.URL, keyID: testserver.RootKeyID, secretKey: testserver.RootSecretKey}
	runShapeSteps(t, root, iamShapeSteps())
	// Roles may not be assumed by the root user: STS runs as a user allowed
	// everything.
	caller := newRawUser(t, srv, "caller")
	runShapeSteps(t, root, []shapeStep{{form: iamForm("PutUserPolicy", "UserName", "caller", "PolicyName", "all", "PolicyDocument", allowAll)}})
	runShapeSteps(t, caller, stsShapeSteps())
}

func runShapeSteps(t *testing.T, c rawClient, steps []shapeStep) {
	t.Helper()
	c.t = t
	vars := map[string]string{}
	for i, st := range steps {
		service := st.service
		if service == "" {
			service = "iam"
		}
		action := st.form.Get("Action")
		f := url.Values{}
		for k, v := range st.form {
			for _, x := range v {
				f.Add(k, substitute(x, vars))
			}
		}
		resp, body := c.query(service, f)
		if resp.StatusCode != 200 {
			t.Fatalf("step %d %s: %d %s", i, action, resp.StatusCode, body)
		}
		if st.path == "" {
			continue
		}
		doc := parseXML(t, body)
		if action == "CreateAccessKey" {
			for _, k := range doc.find("CreateAccessKeyResponse/CreateAccessKeyResult/AccessKey/AccessKeyId") {
				vars["{"+st.form.Get("UserName")+"-key}"] = k.text
			}
		}
		nodes := doc.find(action + "Response/" + st.path)
		if len(nodes) == 0 {
			t.Errorf("step %d %s: no element at %s:\n%s", i, action, st.path, body)
			continue
		}
		for _, n := range nodes {
			if got := n.childNames(); !slices.Equal(got, st.want) {
				t.Errorf("step %d %s %s:\n got %v\nwant %v", i, action, st.path, got, st.want)
			}
		}
	}
}

// substitute replaces the {name} placeholders of v from vars.
func substitute(v string, vars map[string]string) string {
	for k, x := range vars {
		v = strings.ReplaceAll(v, k, x)
	}
	return v
}

// modelsDir is the folder of the AWS API models, committed with their
// examples (reference/aws-api-models).
func modelsDir(t *testing.T) string {
	t.Helper()
	const d = "../reference/aws-api-models"
	if _, err := os.Stat(d); err != nil {
		t.Fatalf("AWS API models: %v", err)
	}
	return d
}

// exampleMembers returns the member names at path ("User", "Users[]") of the
// output of the first example of op that has one.
func exampleMembers(examples map[string][]struct {
	Output map[string]any `json:"output"`
}, op, path string) ([]string, bool) {
	for _, ex := range examples[op] {
		if names, ok := membersAt(ex.Output, path); ok {
			return names, true
		}
	}
	return nil, false
}

// membersAt returns the sorted member names of the JSON object at path in v:
// names separated by "/", "Name[]" stepping into the first element of a list.
func membersAt(v any, path string) ([]string, bool) {
	for _, step := range strings.Split(path, "/") {
		if step == "" {
			continue
		}
		name, isList := strings.CutSuffix(step, "[]")
		m, _ := v.(map[string]any)
		v = m[name]
		if isList {
			l, _ := v.([]any)
			if len(l) == 0 {
				return nil, false
			}
			v = l[0]
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names, true
}

// TestMemberSetsFollowModelExamples derives the expectations of
// TestResponseMemberSets from the IAM model's examples (the AWS
// documentation's own sample answers) where a step names one: the pinned set
// must be the example's, or differ from it for the reason the step gives.
// The IAM, STS and Organizations models' examples are checked.
func TestMemberSetsFollowModelExamples(t *testing.T) {
	t.Parallel()
	dir := modelsDir(t)
	checked := 0
	for _, set := range []struct {
		model string
		steps []shapeStep
	}{{"iam/2010-05-08", iamShapeSteps()}, {"sts/2011-06-15", stsShapeSteps()}, {"organizations/2016-11-28", orgShapeSteps()}} {
		b, err := os.ReadFile(filepath.Join(dir, set.model, "examples-1.json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Examples map[string][]struct {
				Output map[string]any `json:"output"`
			} `json:"examples"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		for _, st := range set.steps {
			if st.example == "" {
				continue
			}
			got, ok := exampleMembers(doc.Examples, st.example, st.examplePath)
			if !ok {
				t.Errorf("%s has no example output of %s at %q", set.model, st.example, st.examplePath)
				continue
			}
			checked++
			same := slices.Equal(got, st.want)
			switch {
			case st.exampleDiffers == "" && !same:
				t.Errorf("%s %q: the pinned set %v is not the example's %v", st.example, st.examplePath, st.want, got)
			case st.exampleDiffers != "" && same:
				t.Errorf("%s %q: the pinned set now equals the example's; drop the stated difference %q", st.example, st.examplePath, st.exampleDiffers)
			}
		}
	}
	if checked == 0 {
		t.Error("no step was checked against an example")
	}
}

// TestEmptyListsArePresent pins that a list answer with nothing in it still
// carries its (empty) list element, as AWS's answers do, so SDKs and
// scripts that index the list find it: the IAM model marks most of these
// lists required (ListUsersResponse.Users, ListUserTagsResponse.Tags, …);
// AttachedPolicies and Policies are not marked so but AWS sends them empty
// all the same (the "AttachedPolicies": [] of the CLI's
// list-attached-user-policies example for a user without policies,
// https://docs.aws.amazon.com/cli/latest/reference/iam/list-attached-user-policies.html).
func TestEmptyListsArePresent(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := rawClient{t: t, url: srv.URL, keyID: testserver.RootKeyID, secretKey: testserver.RootSecretKey}
	runShapeSteps(t, root, []shapeStep{
		{form: iamForm("CreateUser", "UserName", "empty")},
		{form: iamForm("CreateGroup", "GroupName", "empty")},
		{form: iamForm("CreateRole", "RoleName", "empty", "AssumeRolePolicyDocument", trustPolicy)},
		{form: iamForm("CreateInstanceProfile", "InstanceProfileName", "empty")},
	})
	tests := []struct {
		form url.Values
		list string
	}{
		{iamForm("ListAccessKeys", "UserName", "empty"), "AccessKeyMetadata"},
		{iamForm("ListUserTags", "UserName", "empty"), "Tags"},
		{iamForm("ListRoleTags", "RoleName", "empty"), "Tags"},
		{iamForm("ListInstanceProfileTags", "InstanceProfileName", "empty"), "Tags"},
		{iamForm("ListUserPolicies", "UserName", "empty"), "PolicyNames"},
		{iamForm("ListGroupPolicies", "GroupName", "empty"), "PolicyNames"},
		{iamForm("ListRolePolicies", "RoleName", "empty"), "PolicyNames"},
		{iamForm("ListGroupsForUser", "UserName", "empty"), "Groups"},
		{iamForm("ListInstanceProfilesForRole", "RoleName", "empty"), "InstanceProfiles"},
		{iamForm("ListAttachedUserPolicies", "UserName", "empty"), "AttachedPolicies"},
		{iamForm("ListAttachedGroupPolicies", "GroupName", "empty"), "AttachedPolicies"},
		{iamForm("ListAttachedRolePolicies", "RoleName", "empty"), "AttachedPolicies"},
		{iamForm("ListPolicies", "Scope", "Local"), "Policies"},
		{iamForm("ListMFADevices", "UserName", "empty"), "MFADevices"},
		{iamForm("ListVirtualMFADevices"), "VirtualMFADevices"},
		{iamForm("ListAccountAliases"), "AccountAliases"},
		{iamForm("ListUsers", "PathPrefix", "/none/"), "Users"},
		{iamForm("ListRoles", "PathPrefix", "/none/"), "Roles"},
		{iamForm("ListGroups", "PathPrefix", "/none/"), "Groups"},
		{iamForm("ListInstanceProfiles", "PathPrefix", "/none/"), "InstanceProfiles"},
		{iamForm("GetGroup", "GroupName", "empty"), "Users"},
	}
	for _, tt := range tests {
		action := tt.form.Get("Action")
		resp, body := root.query("iam", tt.form)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", action, resp.StatusCode, body)
			continue
		}
		n := parseXML(t, body).find(action + "Response/" + action + "Result/" + tt.list)
		if len(n) != 1 || len(n[0].kids) != 0 {
			t.Errorf("%s: want one empty %s element:\n%s", action, tt.list, body)
		}
	}
	// The instance profile's Roles is required inside the InstanceProfile;
	// GetInstanceProfile's Tags is sent empty too ("Tags": [] in
	// test_iam_instance_profiles.snapshot.json, recorded against AWS).
	_, body := root.query("iam", iamForm("GetInstanceProfile", "InstanceProfileName", "empty"))
	for _, list := range []string{"Roles", "Tags"} {
		if n := parseXML(t, body).find("GetInstanceProfileResponse/GetInstanceProfileResult/InstanceProfile/" + list); len(n) != 1 {
			t.Errorf("GetInstanceProfile without roles and tags lacks %s:\n%s", list, body)
		}
	}

	// REST-JSON: ListAnalyzersResponse.analyzers and ValidatePolicyResponse.findings
	// are required and written as [].
	for _, c := range []struct{ method, path, body, want string }{
		{http.MethodGet, "/analyzer", "", `"analyzers":[]`},
		{http.MethodPost, "/policy/validation", `{"policyType":"IDENTITY_POLICY","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/k\"}]}"}`, `"findings":[]`},
	} {
		resp, body := root.rest(c.method, c.path, c.body)
		if resp.StatusCode != 200 || !strings.Contains(body, c.want) {
			t.Errorf("%s %s: %d %s, want %s", c.method, c.path, resp.StatusCode, body, c.want)
		}
	}
}

// orgShapeSteps is the Organizations scenario (AWS JSON 1.1): form carries
// the target in "Action" and the JSON body in "Body"; path is a membersAt
// path into the response document.
func orgShapeSteps() []shapeStep {
	body := func(action, b string) url.Values { return url.Values{"Action": {action}, "Body": {b}} }
	orgMembers := []string{"Arn", "AvailablePolicyTypes", "FeatureSet", "Id", "MasterAccountArn", "MasterAccountId"}
	summary := []string{"Arn", "AwsManaged", "Description", "Id", "Name", "Type"}
	const scp = `{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}`
	return []shapeStep{
		{form: body("CreateOrganization", `{"FeatureSet":"ALL"}`), path: "Organization", want: orgMembers,
			example: "CreateOrganization", examplePath: "Organization",
			exampleDiffers: "the bootstrap management account has no email address, so MasterAccountEmail is left out rather than invented"},
		{form: body("DescribeOrganization", `{}`), path: "Organization", want: orgMembers, source: "API_DescribeOrganization.html"},
		{form: body("ListRoots", `{}`), path: "Roots[]", want: []string{"Arn", "Id", "Name", "PolicyTypes"},
			example: "ListRoots", examplePath: "Roots[]"},
		{form: body("CreateOrganizationalUnit", `{"ParentId":"{root}","Name":"ou1"}`), path: "OrganizationalUnit",
			want: []string{"Arn", "Id", "Name"}, example: "CreateOrganizationalUnit", examplePath: "OrganizationalUnit"},
		{form: body("ListOrganizationalUnitsForParent", `{"ParentId":"{root}"}`), path: "OrganizationalUnits[]",
			want: []string{"Arn", "Id", "Name"}, example: "ListOrganizationalUnitsForParent", examplePath: "OrganizationalUnits[]"},
		{form: body("ListChildren", `{"ParentId":"{root}","ChildType":"ORGANIZATIONAL_UNIT"}`), path: "Children[]",
			want: []string{"Id", "Type"}, example: "ListChildren", examplePath: "Children[]"},
		{form: body("ListParents", `{"ChildId":"123456789012"}`), path: "Parents[]",
			want: []string{"Id", "Type"}, example: "ListParents", examplePath: "Parents[]"},
		{form: body("DescribePolicy", `{"PolicyId":"p-FullAWSAccess"}`), path: "Policy", want: []string{"Content", "PolicySummary"},
			example: "DescribePolicy", examplePath: "Policy"},
		{form: body("DescribePolicy", `{"PolicyId":"p-FullAWSAccess"}`), path: "Policy/PolicySummary", want: summary,
			example: "DescribePolicy", examplePath: "Policy/PolicySummary"},
		{form: body("CreatePolicy", `{"Name":"s3","Description":"d","Type":"SERVICE_CONTROL_POLICY","Content":"`+scp+`"}`),
			path: "Policy/PolicySummary", want: summary, example: "CreatePolicy", examplePath: "Policy/PolicySummary",
			exampleDiffers: "the example leaves out Id and AwsManaged, which DescribePolicy's example and the PolicySummary shape carry and callers need to attach the policy"},
		{form: body("ListPolicies", `{"Filter":"SERVICE_CONTROL_POLICY"}`), path: "Policies[]", want: summary,
			example: "ListPolicies", examplePath: "Policies[]"},
		{form: body("EnablePolicyType", `{"RootId":"{root}","PolicyType":"SERVICE_CONTROL_POLICY"}`), path: "Root",
			want: []string{"Arn", "Id", "Name", "PolicyTypes"}, example: "EnablePolicyType", examplePath: "Root"},
		{form: body("ListRoots", `{}`), path: "Roots[]/PolicyTypes[]", want: []string{"Status", "Type"},
			example: "ListRoots", examplePath: "Roots[]/PolicyTypes[]"},
		{form: body("ListTargetsForPolicy", `{"PolicyId":"p-FullAWSAccess"}`), path: "Targets[]",
			want: []string{"Arn", "Name", "TargetId", "Type"}, example: "ListTargetsForPolicy", examplePath: "Targets[]"},
		{form: body("CreateAccount", `{"Email":"member@example.com","AccountName":"member"}`), path: "CreateAccountStatus",
			want: []string{"AccountName", "Id", "RequestedTimestamp", "State"}, example: "ListCreateAccountStatus", examplePath: "CreateAccountStatuses[]",
			exampleDiffers: "ListCreateAccountStatus's first example is a finished request (AccountId, CompletedTimestamp); CreateAccount answers IN_PROGRESS as its second example shows"},
	}
}

// TestOrganizationsMemberSets is TestResponseMemberSets for Organizations:
// the raw JSON documents' member names.
func TestOrganizationsMemberSets(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := rawClient{t: t, url: srv.URL, keyID: testserver.RootKeyID, secretKey: testserver.RootSecretKey}
	vars := map[string]string{}
	for i, st := range orgShapeSteps() {
		action := st.form.Get("Action")
		resp, body := root.orgs(action, substitute(st.form.Get("Body"), vars))
		if resp.StatusCode != 200 {
			t.Fatalf("step %d %s: %d %s", i, action, resp.StatusCode, body)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("step %d %s: %v: %s", i, action, err, body)
		}
		if action == "ListRoots" {
			vars["{root}"] = between(body, `"Id":"`, `"`)
		}
		got, ok := membersAt(doc, st.path)
		if !ok {
			t.Errorf("step %d %s: no object at %s: %s", i, action, st.path, body)
			continue
		}
		if !slices.Equal(got, st.want) {
			t.Errorf("step %d %s %s:\n got %v\nwant %v", i, action, st.path, got, st.want)
		}
	}
}

// TestAccountAuthorizationDetailsMemberSets pins the details of
// GetAccountAuthorizationDetails for entities that have every kind of
// relation, as recorded against AWS in localstack/localstack
// tests/aws/services/iam/test_iam_account_authorization_details.snapshot.json
// (February 2026): a role's instance profiles carry no tags and list the role
// in its short form; a user's and a group's details carry their inline and
// attached policies; a policy carries its versions with their documents.
func TestAccountAuthorizationDetailsMemberSets(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := rawClient{t: t, url: srv.URL, keyID: testserver.RootKeyID, secretKey: testserver.RootSecretKey}
	pol := "arn:aws:iam::" + testserver.AccountID + ":policy/p"
	const get = "GetAccountAuthorizationDetailsResult/"
	runShapeSteps(t, root, []shapeStep{
		{form: iamForm("CreatePolicy", "PolicyName", "p", "PolicyDocument", allowAll)},
		{form: iamForm("CreateRole", "RoleName", "r", "Path", "/my-path/", "AssumeRolePolicyDocument", trustPolicy,
			"Tags.member.1.Key", "k", "Tags.member.1.Value", "v")},
		{form: iamForm("AttachRolePolicy", "RoleName", "r", "PolicyArn", pol)},
		{form: iamForm("PutRolePolicy", "RoleName", "r", "PolicyName", "inline", "PolicyDocument", allowAll)},
		{form: iamForm("CreateInstanceProfile", "InstanceProfileName", "ip")},
		{form: iamForm("AddRoleToInstanceProfile", "InstanceProfileName", "ip", "RoleName", "r")},
		{form: iamForm("CreateUser", "UserName", "u", "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")},
		{form: iamForm("CreateGroup", "GroupName", "g")},
		{form: iamForm("AddUserToGroup", "GroupName", "g", "UserName", "u")},
		{form: iamForm("AttachUserPolicy", "UserName", "u", "PolicyArn", pol)},
		{form: iamForm("PutUserPolicy", "UserName", "u", "PolicyName", "inline", "PolicyDocument", allowAll)},
		{form: iamForm("AttachGroupPolicy", "GroupName", "g", "PolicyArn", pol)},
		{form: iamForm("PutGroupPolicy", "GroupName", "g", "PolicyName", "inline", "PolicyDocument", allowAll)},
		{form: iamForm("GetAccountAuthorizationDetails", "Filter.member.1", "Role"), path: get + "RoleDetailList/member",
			want: []string{"Arn", "AssumeRolePolicyDocument", "AttachedManagedPolicies", "CreateDate", "InstanceProfileList", "Path",
				"RoleId", "RoleLastUsed", "RoleName", "RolePolicyList", "Tags"}, source: "role-filter-result"},
		{form: iamForm("GetAccountAuthorizationDetails", "Filter.member.1", "Role"), path: get + "RoleDetailList/member/InstanceProfileList/member",
			want: profileMembers, source: "role-filter-result"},
		{form: iamForm("GetAccountAuthorizationDetails", "Filter.member.1", "Role"), path: get + "RoleDetailList/member/InstanceProfileList/member/Roles/member",
			want: createRoleMembers, source: "role-filter-result"},
		{form: iamForm("GetAccountAuthorizationDetails", "Filter.member.1", "User"), path: get + "UserDetailList/member",
			want:   []string{"Arn", "AttachedManagedPolicies", "CreateDate", "GroupList", "Path", "Tags", "UserId", "UserName", "UserPolicyList"},
			source: "user-filter-result"},
		{form: iamForm("GetAccountAuthorizationDetails", "Filter.member.1", "Group"), path: get + "GroupDetailList/member",
			want:   []string{"Arn", "AttachedManagedPolicies", "CreateDate", "GroupId", "GroupName", "GroupPolicyList", "Path"},
			source: "group-filter-result"},
		{form: iamForm("GetAccountAuthorizationDetails", "Filter.member.1", "LocalManagedPolicy"), path: get + "Policies/member",
			want: []string{"Arn", "AttachmentCount", "CreateDate", "DefaultVersionId", "IsAttachable", "Path", "PermissionsBoundaryUsageCount",
				"PolicyId", "PolicyName", "PolicyVersionList", "UpdateDate"}, source: "local-managed-policy-filter-result"},
		{form: iamForm("GetAccountAuthorizationDetails", "Filter.member.1", "LocalManagedPolicy"), path: get + "Policies/member/PolicyVersionList/member",
			want: []string{"CreateDate", "Document", "IsDefaultVersion", "VersionId"}, source: "local-managed-policy-filter-result"},
	})
}
