package console

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// page is what every template receives.
type page struct {
	Title string
	// S is the signed-in session (nil on the sign-in pages).
	S *sess
	// CSRF is the token forms carry.
	CSRF string
	// Nav is the active section.
	Nav string
	// Flash is a one-time notice (the outcome of the last action).
	Flash string
	// Err is the AWS error of the page's own call, shown in the page.
	Err *apiError
	// Data is the page's own content.
	Data any
	// HasS3 and HasCloudTrail show the S3 and activity pages.
	HasS3, HasCloudTrail bool
	// Open shows the page's form open: its submission failed.
	Open bool
}

// apiError is an AWS error as a page shows it: AWS's code and message.
type apiError struct {
	Code    string
	Message string
	Status  int
}

// apiErrorOf turns an SDK error into its AWS code, message and status.
func apiErrorOf(err error) *apiError {
	e := &apiError{Code: "InternalError", Message: "The request could not be completed.", Status: http.StatusInternalServerError}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.Code, e.Message = ae.ErrorCode(), ae.ErrorMessage()
		e.Status = http.StatusBadRequest
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		e.Status = re.HTTPStatusCode()
	}
	return e
}

// handler is a page of a signed-in session.
type handler func(w http.ResponseWriter, r *http.Request, s *sess, cl *clients)

// authed wraps a page: a session is required (else the sign-in page), a
// state-changing request must carry the session's CSRF token (else 403),
// and a session that must change its password gets only that page.
func (c *Console) authed(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := c.session(r)
		if err != nil {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				http.Error(w, "Your session has ended. Sign in again.", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/ui/signin", http.StatusSeeOther)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			if !csrfOK(s.CSRF, submittedCSRF(r)) {
				http.Error(w, "Forbidden: the request's security token is missing or wrong. Reload the page.", http.StatusForbidden)
				return
			}
		}
		if s.MustChangePassword && r.URL.Path != "/ui/password" && r.URL.Path != "/ui/signout" {
			http.Redirect(w, r, "/ui/password", http.StatusSeeOther)
			return
		}
		h(w, r, s, c.clientsFor(s))
	}
}

// routes registers the pages.
func (c *Console) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /ui/signin", c.signInPage)
	m.HandleFunc("POST /ui/signin", c.signIn)
	m.HandleFunc("POST /ui/signin/mfa", c.signInMFA)
	m.HandleFunc("POST /ui/signout", c.authed(c.signOut))
	m.HandleFunc("GET /ui/password", c.authed(c.passwordPage))
	m.HandleFunc("POST /ui/password", c.authed(c.changePassword))
	m.HandleFunc("GET /ui/{$}", c.authed(c.dashboard))
	c.pageRoutes(m)
	c.moreRoutes(m)
	c.providerRoutes(m)
	m.HandleFunc("/ui/", func(w http.ResponseWriter, r *http.Request) {
		c.render(w, r, "notfound", http.StatusNotFound, &page{Title: "Not found"})
	})
	c.mux = m
}

// render executes a page into a buffer first, so a template failure is a
// clean 500 rather than half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, name string, status int, p *page) {
	if p.Flash == "" {
		if ck, err := r.Cookie("gh_flash"); err == nil {
			if v, err := url.QueryUnescape(ck.Value); err == nil {
				p.Flash = v
			}
			http.SetCookie(w, &http.Cookie{Name: "gh_flash", Path: "/ui/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
		}
	}
	if p.S != nil && p.CSRF == "" {
		p.CSRF = p.S.CSRF
	}
	p.HasS3, p.HasCloudTrail = c.hasS3, c.hasCT
	t := c.pages[name]
	var buf bytes.Buffer
	if t == nil {
		c.log.Error("console: no such template", "name", name)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	if err := t.Execute(&buf, p); err != nil {
		c.log.Error("console: rendering a page", "page", name, "err", err)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away
}

// fail answers an internal failure; its cause goes to the log only.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	c.log.Error("console request failed", "path", r.URL.Path, "err", err)
	c.render(w, r, "error", http.StatusInternalServerError, &page{Title: "Error",
		Err: &apiError{Code: "InternalError", Message: "The console could not complete the request."}})
}

// redirectFlash redirects after a successful action, with a notice for
// the next page.
func (c *Console) redirectFlash(w http.ResponseWriter, r *http.Request, to, msg string) {
	http.SetCookie(w, &http.Cookie{Name: "gh_flash", Value: url.QueryEscape(msg), Path: "/ui/", MaxAge: 60,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// showError renders a page with the AWS error of its call in place of its
// content: AccessDenied reads as AWS wrote it.
func (c *Console) showError(w http.ResponseWriter, r *http.Request, s *sess, name, title, nav string, err error) {
	c.showErrorOpen(w, r, s, name, title, nav, err, false)
}

// showErrorOpen is showError with the page's form open when open (the
// form's own submission failed).
func (c *Console) showErrorOpen(w http.ResponseWriter, r *http.Request, s *sess, name, title, nav string, err error, open bool) {
	ae := apiErrorOf(err)
	switch ae.Code {
	case "InternalError":
		c.log.Error("console call failed", "path", r.URL.Path, "err", err)
	case "InvalidClientTokenId", "ExpiredToken":
		// The session's credentials no longer work (the user was deleted,
		// the key ring lost the key): the session is over.
		clearCookie(w, r, sessionCookie)
		http.Redirect(w, r, "/ui/signin", http.StatusSeeOther)
		return
	}
	c.render(w, r, name, ae.Status, &page{Title: title, S: s, Nav: nav, Err: ae, Open: open})
}

// back is the page a form returns to: the posted "back" when it is a
// console path, else def.
func back(r *http.Request, def string) string {
	b := r.PostFormValue("back")
	if strings.HasPrefix(b, "/ui/") && !strings.HasPrefix(b, "//") && !strings.Contains(b, "\\") {
		return b
	}
	return def
}
