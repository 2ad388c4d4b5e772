package awserr_test

import (
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/awserr"
)

func TestConstructors(t *testing.T) {
	tests := []struct {
		err    *awserr.Error
		code   string
		status int
		typ    string
	}{
		// Codes and statuses generated from the models' error shapes.
		{awserr.NoSuchEntity("x"), "NoSuchEntity", 404, "Sender"},
		{awserr.EntityAlreadyExists("x"), "EntityAlreadyExists", 409, "Sender"},
		{awserr.LimitExceeded("x"), "LimitExceeded", 409, "Sender"},
		{awserr.DeleteConflict("x"), "DeleteConflict", 409, "Sender"},
		{awserr.MalformedPolicyDocument("x"), "MalformedPolicyDocument", 400, "Sender"},
		{awserr.InvalidInput("x"), "InvalidInput", 400, "Sender"},
		{awserr.UnmodifiableEntity("x"), "UnmodifiableEntity", 400, "Sender"},
		{awserr.ConcurrentModification("x"), "ConcurrentModification", 409, "Sender"},
		{awserr.ServiceFailure("x"), "ServiceFailure", 500, "Receiver"},
		{awserr.ReportInProgress("x"), "ReportInProgress", 404, "Sender"},
		{awserr.ExpiredTokenException("x"), "ExpiredTokenException", 400, "Sender"},
		{awserr.IDPRejectedClaim("x"), "IDPRejectedClaim", 403, "Sender"},
		// An exception shape without an error trait: code = shape name, 400.
		{awserr.OrganizationNotFoundException("x"), "OrganizationNotFoundException", 400, "Sender"},
		// Common errors.
		{awserr.ValidationError("x"), "ValidationError", 400, "Sender"},
		{awserr.MissingParameter("x"), "MissingParameter", 400, "Sender"},
		{awserr.AccessDenied("x"), "AccessDenied", 403, "Sender"},
		{awserr.InvalidAction("x"), "InvalidAction", 400, "Sender"},
		{awserr.InternalFailure(errors.New("boom")), "InternalFailure", 500, "Receiver"},
	}
	for _, tt := range tests {
		if tt.err.Code != tt.code || tt.err.Status != tt.status || tt.err.Type() != tt.typ {
			t.Errorf("%s: got %s %d %s", tt.code, tt.err.Code, tt.err.Status, tt.err.Type())
		}
		status, sender, ok := awserr.Lookup(tt.code)
		if !ok || status != tt.status || sender != (tt.typ == "Sender") {
			t.Errorf("Lookup(%s) = %d %t %t", tt.code, status, sender, ok)
		}
	}
	if _, _, ok := awserr.Lookup("NoSuchCode"); ok {
		t.Error("Lookup of an unknown code succeeded")
	}
	if e := awserr.New("NoSuchCode", "m"); e.Status != 400 || !e.Sender {
		t.Errorf("New unknown: %#v", e)
	}
	if e := awserr.New("NoSuchEntity", "m"); e.Status != 404 {
		t.Errorf("New known: %#v", e)
	}
}

func TestWrapping(t *testing.T) {
	sentinel := errors.New("row not found")
	e := awserr.NoSuchEntity("The user with name %s cannot be found.", "bob").WithCause(fmt.Errorf("get user: %w", sentinel))
	if e.Message != "The user with name bob cannot be found." {
		t.Fatalf("message %q", e.Message)
	}
	if !errors.Is(e, sentinel) {
		t.Fatal("errors.Is must see the cause")
	}
	wrapped := fmt.Errorf("service: %w", e)
	got, ok := awserr.As(wrapped)
	if !ok || got != e {
		t.Fatal("As must find the *Error")
	}
	if s := e.Error(); !strings.Contains(s, "NoSuchEntity") || !strings.Contains(s, "row not found") {
		t.Fatalf("Error() = %q", s)
	}
	if _, ok := awserr.As(sentinel); ok {
		t.Fatal("As on a plain error")
	}
}

// TestStdlibOnly checks that the package imports the standard library only.
func TestStdlibOnly(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if first := strings.Split(path, "/")[0]; strings.Contains(first, ".") {
				t.Errorf("%s imports non-standard %s", f, path)
			}
		}
	}
}

// TestOf: an *Error (wrapped or not) is itself; anything else is the
// protocol's internal error with the cause kept for the log only.
func TestOf(t *testing.T) {
	denied := &awserr.Error{Code: "AccessDenied", Status: 403, Sender: true, Message: "no"}
	internal := awserr.Error{Code: "InternalError", Status: 500, Message: "We encountered an internal error."}
	cause := errors.New("disk on fire")
	for _, tt := range []struct {
		name           string
		err            error
		of, ofProtocol string
	}{
		{"error", denied, "AccessDenied", "AccessDenied"},
		{"wrapped", fmt.Errorf("op: %w", denied), "AccessDenied", "AccessDenied"},
		{"other", cause, awserr.CodeInternalFailure, "InternalError"},
		{"internal failure", awserr.InternalFailure(cause), awserr.CodeInternalFailure, "InternalError"},
	} {
		if got := awserr.Of(tt.err); got.Code != tt.of {
			t.Errorf("%s: Of = %s, want %s", tt.name, got.Code, tt.of)
		}
		got := awserr.OfProtocol(tt.err, internal)
		if got.Code != tt.ofProtocol {
			t.Errorf("%s: OfProtocol = %s, want %s", tt.name, got.Code, tt.ofProtocol)
		}
		if got.Code == "InternalError" && (!errors.Is(got, cause) || got.Message != internal.Message) {
			t.Errorf("%s: OfProtocol = %+v, want the cause kept and the template's message", tt.name, got)
		}
	}
	if internal.Err != nil {
		t.Error("OfProtocol changed its template")
	}
}
