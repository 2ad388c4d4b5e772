package trail

import (
	"encoding/json"
	"time"
)

// HiddenUserName is what a sign-in failure for a user name the account does
// not have records instead of the name typed, which may be a password or
// another private identifier (IAM User Guide, cloudtrail-integration.md,
// "Logging user sign-in events").
const HiddenUserName = "HIDDEN_DUE_TO_SECURITY_REASONS"

// SignIn is one console sign-in attempt, recorded as AWS records them:
// eventSource signin.amazonaws.com, eventName ConsoleLogin, eventType
// AwsConsoleSignIn, responseElements {"ConsoleLogin": "Success"|"Failure"},
// additionalEventData with MFAUsed (cloudtrail-integration.md, "Example
// sign-in success event", "Example sign-in failure event", "Example sign-in
// failure event caused by incorrect user name").
type SignIn struct {
	// EventID is the event's id (a fresh UUID).
	EventID string
	Time    time.Time
	// Account is the account signed in to (an alias resolved).
	Account string
	// Root reports the root user's sign-in.
	Root bool
	// UserName, UserID and ARN name the IAM user; UserID "" means the
	// account has no such user, and the name is then hidden.
	UserName, UserID, ARN       string
	Region, SourceIP, UserAgent string
	// Success is the outcome; ErrorMessage AWS's text of a failure
	// ("Failed authentication", "No username found in supplied account").
	Success      bool
	ErrorMessage string
	// MFAUsed reports that the attempt presented an MFA code.
	MFAUsed bool
	// LoginTo is the console page the sign-in leads to.
	LoginTo string
}

// SignInEntry returns the trail entry of a sign-in attempt.
func SignInEntry(s SignIn) (Entry, error) {
	ev, username, principal, err := signInEvent(s)
	if err != nil {
		return Entry{}, err
	}
	return entry(&ev, s.Time.UTC(), username, principal, indexableResources(nil), nil), nil
}

// signInEvent returns the record of a sign-in attempt, and the Username
// and Principal of its entry.
func signInEvent(s SignIn) (ev Event, username, principal string, err error) {
	ev = Event{
		EventVersion:       EventVersion,
		EventTime:          s.Time.UTC().Format(time.RFC3339),
		EventSource:        "signin.amazonaws.com",
		EventName:          "ConsoleLogin",
		AWSRegion:          s.Region,
		SourceIPAddress:    s.SourceIP,
		UserAgent:          s.UserAgent,
		ErrorMessage:       s.ErrorMessage,
		RequestParameters:  json.RawMessage("null"),
		EventID:            s.EventID,
		EventType:          "AwsConsoleSignIn",
		ManagementEvent:    true,
		RecipientAccountID: s.Account,
		EventCategory:      "Management",
	}
	outcome, mfa := "Failure", "No"
	if s.Success {
		outcome = "Success"
	}
	if s.MFAUsed {
		mfa = "Yes"
	}
	if ev.ResponseElements, err = json.Marshal(map[string]string{"ConsoleLogin": outcome}); err != nil {
		return Event{}, "", "", err
	}
	if ev.AdditionalEventData, err = json.Marshal(map[string]string{"LoginTo": s.LoginTo, "MobileVersion": "No", "MFAUsed": mfa}); err != nil {
		return Event{}, "", "", err
	}
	username, principal = s.UserName, s.ARN
	switch {
	case s.Root:
		ev.UserIdentity = UserIdentity{Type: "Root", PrincipalID: s.Account, ARN: s.ARN, AccountID: s.Account}
		username = "root"
	case s.UserID == "":
		ev.UserIdentity = UserIdentity{Type: "IAMUser", AccountID: s.Account, UserName: HiddenUserName}
		username, principal = HiddenUserName, ""
	default:
		ev.UserIdentity = UserIdentity{Type: "IAMUser", PrincipalID: s.UserID, ARN: s.ARN, AccountID: s.Account, UserName: s.UserName}
	}
	return ev, username, principal, nil
}
