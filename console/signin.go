package console

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/trail"
)

// Messages of the sign-in page. A failure never says which part was wrong.
const (
	msgSignInFailed = "Your authentication information is incorrect. Please try again."
	msgTooMany      = "Too many failed sign-in attempts. Wait a moment and try again."
	msgExpired      = "Your password has expired and the account's password policy does not let you change it. Ask your administrator to reset it."
	msgMFAFailed    = "The MFA code is incorrect. Please try again."
	msgSignInAgain  = "Your sign-in took too long. Please start again."
)

// changePasswordOnly is the session policy of a user who must change their
// password: ChangePassword (and reading the policy it must meet), nothing
// else, whatever the user's own policies allow.
const changePasswordOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
	`"Action":["iam:ChangePassword","iam:GetAccountPasswordPolicy"],"Resource":"*"}]}`

// signInForm is what the sign-in page shows.
type signInForm struct {
	Account  string
	UserName string
	Root     bool
	Error    string
	// MFA is set on the MFA step.
	MFA bool
}

// ipOf is the client address without its port, the key of IP backoff.
func ipOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// preToken returns the sign-in form's CSRF token, setting its cookie.
func (c *Console) preToken(w http.ResponseWriter, r *http.Request) (string, error) {
	if ck, err := r.Cookie(preCookie); err == nil && len(ck.Value) == 43 {
		return ck.Value, nil
	}
	tok, err := c.randomToken(32)
	if err != nil {
		return "", err
	}
	setCookie(w, r, preCookie, tok, time.Time{})
	return tok, nil
}

func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	if _, err := c.session(r); err == nil {
		http.Redirect(w, r, "/ui/", http.StatusSeeOther)
		return
	}
	c.renderSignIn(w, r, http.StatusOK, signInForm{Account: r.URL.Query().Get("account")})
}

func (c *Console) renderSignIn(w http.ResponseWriter, r *http.Request, status int, f signInForm) {
	tok, err := c.preToken(w, r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, "signin", status, &page{Title: "Sign in", CSRF: tok, Data: f})
}

// signIn checks the first factor: an IAM user's password, or the root
// user's access key.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	ck, err := r.Cookie(preCookie)
	if err != nil || !csrfOK(ck.Value, r.PostFormValue("csrf")) {
		http.Error(w, "Forbidden: the form's security token is missing or wrong. Reload the page.", http.StatusForbidden)
		return
	}
	f := signInForm{Account: strings.TrimSpace(r.PostFormValue("account")), UserName: strings.TrimSpace(r.PostFormValue("username")),
		Root: r.PostFormValue("root") == "on"}
	now := c.now()
	userKey := "u|" + strings.ToLower(f.Account) + "|" + strings.ToLower(f.UserName)
	if f.Root {
		userKey = "r|" + strings.ToLower(f.Account)
	}
	ipKey := "ip|" + ipOf(r)
	if c.byIP.wait(ipKey, now) > 0 || c.byUser.wait(userKey, now) > 0 {
		f.Error = msgTooMany
		c.renderSignIn(w, r, http.StatusTooManyRequests, f)
		return
	}
	var in iam.SignIn
	if f.Root {
		in, err = c.iam.SignInAsRoot(r.Context(), f.Account, strings.TrimSpace(r.PostFormValue("accesskey")), r.PostFormValue("secret"))
	} else {
		in, err = c.iam.SignInWithPassword(r.Context(), f.Account, f.UserName, r.PostFormValue("password"))
	}
	switch {
	case errors.Is(err, iam.ErrSignInFailed):
		msg := "Failed authentication"
		if !f.Root && in.UserID == "" {
			msg = "No username found in supplied account"
		}
		c.audit(r, in, f.Root, false, msg, false)
		c.byIP.fail(ipKey, now)
		c.byUser.fail(userKey, now)
		c.log.Info("console sign-in failed", "account", in.Account, "root", f.Root, "source_ip", ipOf(r))
		f.Error = msgSignInFailed
		c.renderSignIn(w, r, http.StatusUnauthorized, f)
		return
	case errors.Is(err, iam.ErrPasswordExpired):
		c.audit(r, in, false, false, "Failed authentication", false)
		f.Error = msgExpired
		c.renderSignIn(w, r, http.StatusUnauthorized, f)
		return
	case err != nil:
		c.fail(w, r, err)
		return
	}
	c.byUser.succeed(userKey)
	if len(in.MFASerials) > 0 {
		tok, err := c.randomToken(32)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		p := pending{Account: in.Account, UserName: in.UserName, UserID: in.UserID, ARN: in.ARN, Serials: in.MFASerials, MustChangePassword: in.MustChangePassword,
			Expires: now.Add(pendingTTL), CSRF: tok}
		v, err := c.seal(p, adPending)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		setCookie(w, r, pendingCookie, v, p.Expires)
		c.render(w, r, "signin", http.StatusOK, &page{Title: "Multi-factor authentication", CSRF: tok,
			Data: signInForm{Account: f.Account, UserName: f.UserName, Root: f.Root, MFA: true}})
		return
	}
	c.audit(r, in, f.Root, true, "", false)
	c.startSession(w, r, in.Account, in.UserName, false, in.MustChangePassword)
}

// signInMFA checks the MFA code of a pending sign-in.
func (c *Console) signInMFA(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	var p pending
	now := c.now()
	if err := c.open(r, pendingCookie, adPending, &p); err != nil || !now.Before(p.Expires) {
		c.renderSignIn(w, r, http.StatusUnauthorized, signInForm{Error: msgSignInAgain})
		return
	}
	if !csrfOK(p.CSRF, r.PostFormValue("csrf")) {
		http.Error(w, "Forbidden: the form's security token is missing or wrong. Reload the page.", http.StatusForbidden)
		return
	}
	userKey := "u|" + p.Account + "|" + strings.ToLower(p.UserName)
	ipKey := "ip|" + ipOf(r)
	again := &page{Title: "Multi-factor authentication", CSRF: p.CSRF, Data: signInForm{UserName: p.UserName, MFA: true}}
	if c.byIP.wait(ipKey, now) > 0 || c.byUser.wait(userKey, now) > 0 {
		again.Data = signInForm{UserName: p.UserName, MFA: true, Error: msgTooMany}
		c.render(w, r, "signin", http.StatusTooManyRequests, again)
		return
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	ok := false
	for _, serial := range p.Serials {
		if len(code) == 6 && c.iam.VerifyMFA(r.Context(), p.Account, p.UserName, serial, code) == nil {
			ok = true
			break
		}
	}
	signedIn := iam.SignIn{Account: p.Account, UserName: p.UserName, UserID: p.UserID, ARN: p.ARN}
	if !ok {
		c.audit(r, signedIn, p.UserName == "", false, "Failed authentication", true)
		c.byIP.fail(ipKey, now)
		c.byUser.fail(userKey, now)
		again.Data = signInForm{UserName: p.UserName, MFA: true, Error: msgMFAFailed}
		c.render(w, r, "signin", http.StatusUnauthorized, again)
		return
	}
	c.byUser.succeed(userKey)
	c.audit(r, signedIn, p.UserName == "", true, "", true)
	clearCookie(w, r, pendingCookie)
	c.startSession(w, r, p.Account, p.UserName, true, p.MustChangePassword)
}

// startSession mints the session's credentials, learns the caller's ARN
// through the pipeline (GetCallerIdentity) and sets the session cookie.
func (c *Console) startSession(w http.ResponseWriter, r *http.Request, account, userName string, mfa, mustChange bool) {
	restrict := ""
	if mustChange {
		restrict = changePasswordOnly
	}
	creds, err := c.sts.ConsoleCredentials(account, userName, mfa, restrict)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	id, err := c.randomToken(16)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	csrf, err := c.randomToken(32)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	s := &sess{ID: id, Account: account, UserName: userName, AccessKeyID: creds.AccessKeyId, Secret: creds.SecretAccessKey,
		Token: creds.SessionToken, Expires: creds.Expiration, CSRF: csrf, MFA: mfa, MustChangePassword: mustChange}
	who, err := c.clientsFor(s).STS.GetCallerIdentity(apiContext(r), &awssts.GetCallerIdentityInput{})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	s.ARN = aws.ToString(who.Arn)
	v, err := c.seal(s, adSession)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	setCookie(w, r, sessionCookie, v, s.Expires)
	clearCookie(w, r, preCookie)
	c.log.Info("console sign-in", "arn", s.ARN, "mfa", mfa, "source_ip", ipOf(r))
	if mustChange {
		http.Redirect(w, r, "/ui/password", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/ui/", http.StatusSeeOther)
}

// signOut ends the session on every node: its id is revoked (revoke) and
// its cookie cleared. When the store cannot record it, the cookie is
// cleared and this node refuses it all the same, and the page says the
// sign-out may not hold elsewhere.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request, s *sess, _ *clients) {
	err := c.revoke(r.Context(), s)
	clearCookie(w, r, sessionCookie)
	if err != nil {
		c.log.Error("console sign-out not recorded for the cluster", "err", err)
		c.render(w, r, "error", http.StatusServiceUnavailable, &page{Title: "Signed out on this server",
			// wording: not found in AWS docs (the console's own message).
			Err: &apiError{Code: "ServiceUnavailable", Message: "You are signed out on this server only: the sign-out could not be recorded for the cluster's other servers, where this session stays valid until it expires."}})
		return
	}
	http.Redirect(w, r, "/ui/signin", http.StatusSeeOther)
}

// passwordPage shows the change-password form (the only page of a session
// that must change its password).
func (c *Console) passwordPage(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	c.render(w, r, "password", http.StatusOK, &page{Title: "Change password", S: s, CSRF: s.CSRF, Data: s.MustChangePassword})
}

// changePassword calls ChangePassword; a session that had to change its
// password then gets its full credentials.
func (c *Console) changePassword(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	pg := &page{Title: "Change password", S: s, CSRF: s.CSRF, Data: s.MustChangePassword}
	if r.PostFormValue("new") != r.PostFormValue("confirm") {
		pg.Flash = "The new passwords do not match."
		c.render(w, r, "password", http.StatusBadRequest, pg)
		return
	}
	_, err := cl.IAM.ChangePassword(apiContext(r), &awsiam.ChangePasswordInput{
		OldPassword: aws.String(r.PostFormValue("old")), NewPassword: aws.String(r.PostFormValue("new"))})
	if err != nil {
		pg.Err = apiErrorOf(err)
		c.render(w, r, "password", pg.Err.Status, pg)
		return
	}
	if s.MustChangePassword {
		if err := c.revoke(r.Context(), s); err != nil {
			c.fail(w, r, err)
			return
		}
		c.startSession(w, r, s.Account, s.UserName, s.MFA, false)
		return
	}
	c.redirectFlash(w, r, "/ui/", "Your password was changed.")
}

// audit records a sign-in attempt in the trail (when there is one and the
// account named exists). A failure to record is logged: the person's
// answer does not wait on it.
func (c *Console) audit(r *http.Request, in iam.SignIn, root, success bool, errMsg string, mfa bool) {
	if c.trail == nil || in.Account == "" {
		return
	}
	now := c.now()
	e, err := trail.SignInEntry(trail.SignIn{EventID: trail.NewEventID(now), Time: now, Account: in.Account, Root: root,
		UserName: in.UserName, UserID: in.UserID, ARN: in.ARN, Region: c.region, SourceIP: ipOf(r),
		UserAgent: r.Header.Get("User-Agent"), Success: success, ErrorMessage: errMsg, MFAUsed: mfa, LoginTo: "/ui/"})
	if err == nil {
		err = c.trail.Record(r.Context(), []trail.Entry{e})
	}
	if err != nil {
		c.log.Error("console: recording a sign-in in the audit trail", "err", err)
	}
}
