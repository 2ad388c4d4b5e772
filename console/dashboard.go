package console

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"time"

	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

// recommendation is one finding of the dashboard's security checks.
type recommendation struct {
	// Level is "ok", "warn" or "bad".
	Level  string
	Title  string
	Detail string
	// Link is the page that fixes it, if any.
	Link string
}

// dashboardData is the dashboard's content.
type dashboardData struct {
	Summary         map[string]int32
	Recommendations []recommendation
	// ReportErr is the error of the credential report, when it could not
	// be read (its checks are then missing).
	ReportErr *apiError
	ReportAt  time.Time
}

// staleAfter is the age of a key or password use past which a credential
// counts as old or unused (IAM User Guide, best practices: rotate keys,
// remove unused credentials — 90 days as in the CIS benchmark).
const staleAfter = 90 * 24 * time.Hour

// dashboard shows the account summary and the security recommendations:
// root MFA and root access keys (GetAccountSummary), users without MFA,
// access keys older than the maximum access key age and credentials
// unused for 90 days (the credential report).
func (c *Console) dashboard(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	sum, err := cl.IAM.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	if err != nil {
		c.showError(w, r, s, "dashboard", "Dashboard", "dashboard", err)
		return
	}
	d := dashboardData{Summary: sum.SummaryMap}
	if sum.SummaryMap["AccountMFAEnabled"] == 1 {
		d.Recommendations = append(d.Recommendations, recommendation{Level: "ok", Title: "The root user has MFA"})
	} else {
		d.Recommendations = append(d.Recommendations, recommendation{Level: "bad", Title: "Add MFA for the root user",
			Detail: "The root user can do anything in the account; protect it with a second factor."})
	}
	if sum.SummaryMap["AccountAccessKeysPresent"] == 1 {
		d.Recommendations = append(d.Recommendations, recommendation{Level: "warn", Title: "The root user has access keys",
			Detail: "Use IAM users or roles for programmatic access and delete the root user's keys once the console needs none."})
	} else {
		d.Recommendations = append(d.Recommendations, recommendation{Level: "ok", Title: "The root user has no access keys"})
	}
	rep, err := cl.IAM.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	if err != nil && (apiErrorOf(err).Code == "ReportNotPresent" || apiErrorOf(err).Code == "ReportExpired") {
		if _, err = cl.IAM.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{}); err == nil {
			rep, err = cl.IAM.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
		}
	}
	if err != nil {
		d.ReportErr = apiErrorOf(err)
	} else {
		if rep.GeneratedTime != nil {
			d.ReportAt = *rep.GeneratedTime
		}
		d.Recommendations = append(d.Recommendations, reportChecks(rep.Content, c.now(), c.maxAge)...)
	}
	c.render(w, r, "dashboard", http.StatusOK, &page{Title: "Dashboard", S: s, Nav: "dashboard", Data: d})
}

// reportChecks reads the credential report: users with a password but no
// MFA, active keys created more than maxKeyAge ago (their
// access_key_N_last_rotated: the keys of the unused access analyzer's
// IAMUserAccessKeyNotRotated findings), passwords and keys unused for
// staleAfter.
func reportChecks(content []byte, now time.Time, maxKeyAge time.Duration) []recommendation {
	rows, err := csv.NewReader(bytes.NewReader(content)).ReadAll()
	if err != nil || len(rows) < 1 {
		return nil
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	get := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return row[i]
		}
		return ""
	}
	olderThan := func(v string, age time.Duration) bool {
		t, err := time.Parse(time.RFC3339, v)
		return err == nil && t.Before(now.Add(-age))
	}
	old := func(v string) bool { return olderThan(v, staleAfter) }
	var noMFA, oldKeys, unused []string
	for _, row := range rows[1:] {
		user := get(row, "user")
		if user == "<root_account>" {
			continue
		}
		if get(row, "password_enabled") == "true" && get(row, "mfa_active") != "true" {
			noMFA = append(noMFA, user)
		}
		stale := false
		for _, k := range []string{"1", "2"} {
			if get(row, "access_key_"+k+"_active") != "true" {
				continue
			}
			if olderThan(get(row, "access_key_"+k+"_last_rotated"), maxKeyAge) {
				oldKeys = append(oldKeys, user)
			}
			used := get(row, "access_key_"+k+"_last_used_date")
			if used == "N/A" && old(get(row, "access_key_"+k+"_last_rotated")) || old(used) {
				stale = true
			}
		}
		if get(row, "password_enabled") == "true" {
			used := get(row, "password_last_used")
			if (used == "no_information" || used == "N/A") && old(get(row, "user_creation_time")) || old(used) {
				stale = true
			}
		}
		if stale {
			unused = append(unused, user)
		}
	}
	var out []recommendation
	add := func(names []string, okTitle, badTitle, detail string) {
		if len(names) == 0 {
			out = append(out, recommendation{Level: "ok", Title: okTitle})
			return
		}
		out = append(out, recommendation{Level: "warn", Title: badTitle, Detail: detail + " " + list(names), Link: "/ui/users"})
	}
	add(noMFA, "Every user with a console password has MFA", "Users with a console password but no MFA", "Enrol an MFA device for:")
	days := fmt.Sprintf("%d days", int(maxKeyAge/(24*time.Hour)))
	add(oldKeys, "No active access key is older than "+days, "Access keys older than "+days, "Rotate the keys of:")
	add(unused, "No credentials unused for 90 days", "Credentials unused for 90 days", "Remove or deactivate the unused credentials of:")
	return out
}

// list names up to ten users.
func list(names []string) string {
	out := ""
	for i, n := range names {
		if i == 10 {
			return out + " and " + itoa(len(names)-10) + " more"
		}
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}
