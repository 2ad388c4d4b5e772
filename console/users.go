package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// pageSize is how many rows a list page asks for (MaxItems).
const pageSize = 100

// listing is a table page: its rows, the filter and the next page's marker.
type listing[T any] struct {
	Items []T
	Query string
	// Next is the marker of the next page ("" on the last).
	Next string
	// Extra carries what a page adds (a scope, options).
	Extra any
}

// matches reports whether any of the fields contains q (case-insensitive).
func matches(q string, fields ...string) bool {
	if q == "" {
		return true
	}
	q = strings.ToLower(q)
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

func marker(r *http.Request) *string {
	if m := r.URL.Query().Get("marker"); m != "" {
		return &m
	}
	return nil
}

func (c *Console) users(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	out, err := cl.IAM.ListUsers(apiContext(r), &awsiam.ListUsersInput{Marker: marker(r), MaxItems: aws.Int32(pageSize)})
	if err != nil {
		c.showError(w, r, s, "users", "Users", "users", err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	l := listing[types.User]{Query: q}
	for _, u := range out.Users {
		if matches(q, aws.ToString(u.UserName), aws.ToString(u.Arn)) {
			l.Items = append(l.Items, u)
		}
	}
	if out.IsTruncated {
		l.Next = aws.ToString(out.Marker)
	}
	c.render(w, r, "users", http.StatusOK, &page{Title: "Users", S: s, Nav: "users", Data: l})
}

// createUser creates a user, with a console password when one is given
// (the user must change it at first sign-in unless unticked).
func (c *Console) createUser(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	in := &awsiam.CreateUserInput{UserName: aws.String(name)}
	if p := strings.TrimSpace(r.PostFormValue("path")); p != "" {
		in.Path = aws.String(p)
	}
	if _, err := cl.IAM.CreateUser(ctx, in); err != nil {
		c.showErrorOpen(w, r, s, "users", "Users", "users", err, true)
		return
	}
	if pw := r.PostFormValue("password"); pw != "" {
		if _, err := cl.IAM.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String(pw),
			PasswordResetRequired: r.PostFormValue("reset") == "on"}); err != nil {
			c.showErrorOpen(w, r, s, "users", "Users", "users", err, true)
			return
		}
	}
	c.redirectFlash(w, r, "/ui/users/"+url.PathEscape(name), "User "+name+" created.")
}

// keyInfo is an access key with its last use.
type keyInfo struct {
	types.AccessKeyMetadata
	LastUsed *types.AccessKeyLastUsed
	// AgeDays is the key's age in days.
	AgeDays int
}

// userData is the user page's content.
type userData struct {
	User       types.User
	Groups     []types.Group
	AllGroups  []types.Group
	Attached   []types.AttachedPolicy
	Inline     []string
	Keys       []keyInfo
	MFA        []types.MFADevice
	Login      *types.LoginProfile
	Boundary   string
	OldKey     string
	NewKey     string
	RotateStep int
}

// loadUser reads everything the user page shows, each an IAM call.
func (c *Console) loadUser(r *http.Request, cl *clients, name string) (*userData, error) {
	ctx := apiContext(r)
	u, err := cl.IAM.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	d := &userData{User: *u.User}
	if u.User.PermissionsBoundary != nil {
		d.Boundary = aws.ToString(u.User.PermissionsBoundary.PermissionsBoundaryArn)
	}
	g, err := cl.IAM.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	d.Groups = g.Groups
	ap, err := cl.IAM.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	d.Attached = ap.AttachedPolicies
	ip, err := cl.IAM.ListUserPolicies(ctx, &awsiam.ListUserPoliciesInput{UserName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	d.Inline = ip.PolicyNames
	ks, err := cl.IAM.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	for _, k := range ks.AccessKeyMetadata {
		ki := keyInfo{AccessKeyMetadata: k}
		if k.CreateDate != nil {
			ki.AgeDays = int(c.now().Sub(*k.CreateDate).Hours() / 24)
		}
		lu, err := cl.IAM.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})
		if err != nil {
			return nil, err
		}
		ki.LastUsed = lu.AccessKeyLastUsed
		d.Keys = append(d.Keys, ki)
	}
	m, err := cl.IAM.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	d.MFA = m.MFADevices
	lp, err := cl.IAM.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String(name)})
	if err == nil {
		d.Login = lp.LoginProfile
	} else if apiErrorOf(err).Code != "NoSuchEntity" {
		return nil, err
	}
	return d, nil
}

func (c *Console) user(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	name := r.PathValue("name")
	d, err := c.loadUser(r, cl, name)
	if err != nil {
		c.showError(w, r, s, "user", "User "+name, "users", err)
		return
	}
	if gs, err := cl.IAM.ListGroups(apiContext(r), &awsiam.ListGroupsInput{MaxItems: aws.Int32(pageSize)}); err == nil {
		d.AllGroups = gs.Groups
	}
	c.render(w, r, "user", http.StatusOK, &page{Title: "User " + name, S: s, Nav: "users", Data: d})
}

// deleteUser deletes a user as the console does: first what IAM's
// DeleteUser refuses to leave behind (DeleteConflict) — console password,
// access keys, MFA devices, group memberships, attached and inline policies.
func (c *Console) deleteUser(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	name := r.PathValue("name")
	fail := func(err error) { c.showError(w, r, s, "user", "User "+name, "users", err) }
	d, err := c.loadUser(r, cl, name)
	if err != nil {
		fail(err)
		return
	}
	n := aws.String(name)
	if d.Login != nil {
		if _, err := cl.IAM.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: n}); err != nil {
			fail(err)
			return
		}
	}
	for _, k := range d.Keys {
		if _, err := cl.IAM.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: n, AccessKeyId: k.AccessKeyId}); err != nil {
			fail(err)
			return
		}
	}
	for _, m := range d.MFA {
		if _, err := cl.IAM.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: n, SerialNumber: m.SerialNumber}); err != nil {
			fail(err)
			return
		}
		if _, err := cl.IAM.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: m.SerialNumber}); err != nil {
			fail(err)
			return
		}
	}
	for _, g := range d.Groups {
		if _, err := cl.IAM.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{UserName: n, GroupName: g.GroupName}); err != nil {
			fail(err)
			return
		}
	}
	for _, p := range d.Attached {
		if _, err := cl.IAM.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: n, PolicyArn: p.PolicyArn}); err != nil {
			fail(err)
			return
		}
	}
	for _, p := range d.Inline {
		if _, err := cl.IAM.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: n, PolicyName: aws.String(p)}); err != nil {
			fail(err)
			return
		}
	}
	if _, err := cl.IAM.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: n}); err != nil {
		fail(err)
		return
	}
	c.redirectFlash(w, r, "/ui/users", "User "+name+" deleted.")
}

// keyCreated is the one page that shows a new secret access key.
type keyCreated struct {
	UserName string
	Key      types.AccessKey
	// Rotate continues the rotation of this old key.
	Rotate string
}

// createKey creates an access key and shows its secret once (the page is
// no-store, and the secret is never shown again).
func (c *Console) createKey(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	name := r.PathValue("name")
	out, err := cl.IAM.CreateAccessKey(apiContext(r), &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		c.showError(w, r, s, "user", "User "+name, "users", err)
		return
	}
	c.render(w, r, "keycreated", http.StatusOK, &page{Title: "Access key created", S: s, Nav: "users",
		Data: keyCreated{UserName: name, Key: *out.AccessKey, Rotate: r.PostFormValue("rotate")}})
}

func (c *Console) keyStatus(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	name, id := r.PathValue("name"), r.PathValue("id")
	st := types.StatusTypeInactive
	if r.PostFormValue("status") == "Active" {
		st = types.StatusTypeActive
	}
	if _, err := cl.IAM.UpdateAccessKey(apiContext(r), &awsiam.UpdateAccessKeyInput{UserName: aws.String(name), AccessKeyId: aws.String(id), Status: st}); err != nil {
		c.showError(w, r, s, "user", "User "+name, "users", err)
		return
	}
	verb := "deactivated"
	if st == types.StatusTypeActive {
		verb = "activated"
	}
	c.redirectFlash(w, r, back(r, "/ui/users/"+url.PathEscape(name)), "Access key "+id+" "+verb+".")
}

func (c *Console) deleteKey(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	name, id := r.PathValue("name"), r.PathValue("id")
	if _, err := cl.IAM.DeleteAccessKey(apiContext(r), &awsiam.DeleteAccessKeyInput{UserName: aws.String(name), AccessKeyId: aws.String(id)}); err != nil {
		c.showError(w, r, s, "user", "User "+name, "users", err)
		return
	}
	c.redirectFlash(w, r, back(r, "/ui/users/"+url.PathEscape(name)), "Access key "+id+" deleted.")
}

// rotate is the IAM User Guide's key rotation as one page
// (id_credentials_access-keys.html#rotating_access_keys_console): create a
// second key, update the applications and check the old key is no longer
// used (its last use), deactivate the old key, and delete it.
func (c *Console) rotate(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	name := r.PathValue("name")
	d, err := c.loadUser(r, cl, name)
	if err != nil {
		c.showError(w, r, s, "rotate", "Rotate access key", "users", err)
		return
	}
	d.OldKey = r.URL.Query().Get("old")
	found := false
	for _, k := range d.Keys {
		id := aws.ToString(k.AccessKeyId)
		if id == d.OldKey {
			found = true
			if k.Status == types.StatusTypeInactive {
				d.RotateStep = 4
			}
		} else if d.NewKey == "" {
			d.NewKey = id
		}
	}
	switch {
	case !found:
		d.RotateStep = 5 // the old key is gone: done (or never existed)
	case d.RotateStep == 4:
	case d.NewKey == "":
		d.RotateStep = 1
	default:
		d.RotateStep = 2
	}
	c.render(w, r, "rotate", http.StatusOK, &page{Title: "Rotate access key", S: s, Nav: "users", Data: d})
}

// setPassword creates or updates a user's console password, or deletes it.
func (c *Console) setPassword(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	name := r.PathValue("name")
	n := aws.String(name)
	var err error
	msg := "Console password updated."
	switch {
	case r.PostFormValue("delete") == "on":
		_, err = cl.IAM.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: n})
		msg = "Console access disabled."
	default:
		reset := r.PostFormValue("reset") == "on"
		pw := r.PostFormValue("password")
		_, err = cl.IAM.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: n})
		if err != nil && apiErrorOf(err).Code == "NoSuchEntity" {
			_, err = cl.IAM.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: n, Password: aws.String(pw), PasswordResetRequired: reset})
		} else if err == nil {
			_, err = cl.IAM.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: n, Password: aws.String(pw), PasswordResetRequired: aws.Bool(reset)})
		}
	}
	if err != nil {
		c.showError(w, r, s, "user", "User "+name, "users", err)
		return
	}
	c.redirectFlash(w, r, "/ui/users/"+url.PathEscape(name), msg)
}

// mfaEnrol is the virtual MFA enrolment page's content.
type mfaEnrol struct {
	UserName string
	Serial   string
	QR       []byte
	Seed     string
}

// createMFA creates a virtual MFA device and shows its QR code (a PNG from
// CreateVirtualMFADevice) and the form for two consecutive codes.
func (c *Console) createMFA(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	name := r.PathValue("name")
	dev := name + "-" + strconv.FormatInt(c.now().Unix(), 36)
	if len(dev) > 64 {
		dev = dev[len(dev)-64:]
	}
	out, err := cl.IAM.CreateVirtualMFADevice(apiContext(r), &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(dev)})
	if err != nil {
		c.showError(w, r, s, "user", "User "+name, "users", err)
		return
	}
	c.render(w, r, "mfa", http.StatusOK, &page{Title: "Assign MFA device", S: s, Nav: "users",
		Data: mfaEnrol{UserName: name, Serial: aws.ToString(out.VirtualMFADevice.SerialNumber), QR: out.VirtualMFADevice.QRCodePNG,
			Seed: string(out.VirtualMFADevice.Base32StringSeed)}})
}

// enableMFA enables the device with two consecutive codes; on failure the
// unassigned device is deleted, since its seed is never shown again.
func (c *Console) enableMFA(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	name := r.PathValue("name")
	serial := r.PostFormValue("serial")
	_, err := cl.IAM.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String(name), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(strings.TrimSpace(r.PostFormValue("code1"))), AuthenticationCode2: aws.String(strings.TrimSpace(r.PostFormValue("code2")))})
	if err != nil {
		_, _ = cl.IAM.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
		c.showError(w, r, s, "user", "User "+name, "users", err)
		return
	}
	c.redirectFlash(w, r, "/ui/users/"+url.PathEscape(name), "MFA device "+serial+" assigned.")
}

// attachUser attaches or detaches a managed policy, or adds the user to a
// group or removes it.
func (c *Console) userRelation(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	name := r.PathValue("name")
	n := aws.String(name)
	var err error
	var msg string
	switch r.PostFormValue("op") {
	case "attach":
		_, err = cl.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: n, PolicyArn: aws.String(strings.TrimSpace(r.PostFormValue("arn")))})
		msg = "Policy attached."
	case "detach":
		_, err = cl.IAM.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: n, PolicyArn: aws.String(r.PostFormValue("arn"))})
		msg = "Policy detached."
	case "join":
		_, err = cl.IAM.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{UserName: n, GroupName: aws.String(r.PostFormValue("group"))})
		msg = "Added to group."
	case "leave":
		_, err = cl.IAM.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{UserName: n, GroupName: aws.String(r.PostFormValue("group"))})
		msg = "Removed from group."
	default:
		http.Error(w, "unknown operation", http.StatusBadRequest)
		return
	}
	if err != nil {
		c.showError(w, r, s, "user", "User "+name, "users", err)
		return
	}
	c.redirectFlash(w, r, back(r, "/ui/users/"+url.PathEscape(name)), msg)
}

// itoa is strconv.Itoa.
func itoa(n int) string { return strconv.Itoa(n) }
