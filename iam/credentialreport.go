package iam

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
)

// The credential report (id_credentials_getting-report.md): one CSV row per
// user, the account root first, with the state of its password, MFA and
// access keys. IAM keeps one report per account; GenerateCredentialReport
// makes a new one unless the last is under four hours old, and a report
// older than that has expired. Gatehouse builds the report within the
// GenerateCredentialReport call, so a report is never in progress.

// kindCredentialReport holds an account's latest credential report; key
// [credentialReportKey]; value [credentialReport].
const kindCredentialReport store.Kind = "credential-report"

// credentialReportKey is the key of the one report record of an account.
const credentialReportKey = "latest"

// credentialReportTTL is how long a report is reused by
// GenerateCredentialReport and served by GetCredentialReport.
const credentialReportTTL = 4 * time.Hour

// credentialReport is a generated report.
type credentialReport struct {
	GeneratedTime time.Time `json:"generatedTime"`
	// Content is the CSV document.
	Content []byte `json:"content"`
}

// credentialReportColumns are the report's columns, in AWS's order.
var credentialReportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
	"access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

// The report's special values.
const (
	reportNA            = "N/A"
	reportNotSupported  = "not_supported"
	reportNoInformation = "no_information"
	reportTrue          = "true"
	reportFalse         = "false"
)

// reportTime formats a time as the report does: ISO 8601 with a numeric offset.
func reportTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

func (s *Service) credentialReportOps() []Op {
	// Neither action has a resource type in the service authorization
	// reference, so the resource is "*".
	return []Op{
		op("GenerateCredentialReport", func(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (Authz, error) {
			return Authz{Action: "iam:GenerateCredentialReport", Resource: "*"}, nil
		}, s.generateCredentialReport),
		op("GetCredentialReport", func(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (Authz, error) {
			return Authz{Action: "iam:GetCredentialReport", Resource: "*"}, nil
		}, s.getCredentialReport),
	}
}

// generateCredentialReport reports COMPLETE when the account's report is
// recent enough to reuse, and otherwise builds a new one and reports
// STARTED, as AWS does when it starts a generation.
func (s *Service) generateCredentialReport(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (*iamapi.GenerateCredentialReportResponse, error) {
	now := s.now().UTC().Truncate(time.Second)
	started := false
	err := s.update(ctx, func(tx store.Tx) error {
		started = false
		old, err := store.GetJSON[credentialReport](ctx, tx, kindCredentialReport, c.Account, credentialReportKey)
		if err == nil && now.Sub(old.GeneratedTime) < credentialReportTTL {
			return nil
		}
		if err != nil && !isNotFound(err) {
			return err
		}
		content, err := buildCredentialReport(ctx, tx, c.Account)
		if err != nil {
			return err
		}
		started = true
		return store.PutJSON(ctx, tx, kindCredentialReport, c.Account, credentialReportKey, credentialReport{GeneratedTime: now, Content: content})
	})
	if err != nil {
		return nil, err
	}
	if started {
		return &iamapi.GenerateCredentialReportResponse{State: ptr(iamapi.ReportStateTypeSTARTED),
			Description: str("No report exists. Starting a new report generation task")}, nil
	}
	return &iamapi.GenerateCredentialReportResponse{State: ptr(iamapi.ReportStateTypeCOMPLETE)}, nil
}

func (s *Service) getCredentialReport(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (*iamapi.GetCredentialReportResponse, error) {
	var r credentialReport
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		r, err = store.GetJSON[credentialReport](ctx, tx, kindCredentialReport, c.Account, credentialReportKey)
		return notFound(err, awserr.ReportNotPresent("Credential report does not exist. To generate a credential report, use GenerateCredentialReport."))
	})
	if err != nil {
		return nil, err
	}
	if s.now().Sub(r.GeneratedTime) >= credentialReportTTL {
		return nil, awserr.ReportExpired("Credential report has expired. To generate a new credential report, use GenerateCredentialReport.")
	}
	return &iamapi.GetCredentialReportResponse{Content: r.Content, ReportFormat: ptr(iamapi.ReportFormatTypeTextcsv), GeneratedTime: ptr(r.GeneratedTime)}, nil
}

// reportKey is what the report says of one access key.
type reportKey struct {
	active                          bool
	lastRotated                     time.Time
	lastUsed                        time.Time
	lastUsedRegion, lastUsedService string
}

// buildCredentialReport reads the account's users and credentials and
// writes the CSV document.
func buildCredentialReport(ctx context.Context, tx store.ReadTx, account string) ([]byte, error) {
	acct, err := getAccount(ctx, tx, account)
	if err != nil {
		return nil, err
	}
	pol, custom, err := getPasswordPolicy(ctx, tx, account)
	if err != nil {
		return nil, err
	}
	users, err := store.ListValues[store.User](ctx, tx, store.ListOptions{Kind: store.KindUser, Account: account})
	if err != nil {
		return nil, err
	}
	// Access keys by owner (the folded user name; "" for the root user).
	keys := map[string][]reportKey{}
	refs, err := store.ListJSON[store.AccessKeyRef](ctx, tx, store.ListOptions{Kind: store.KindUserAccessKey, Account: account})
	if err != nil {
		return nil, err
	}
	for _, ref := range refs {
		owner, _, _ := strings.Cut(ref.Key, store.Sep)
		k, err := store.GetJSON[store.AccessKey](ctx, tx, store.KindAccessKey, "", ref.Value.AccessKeyID)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		keys[owner] = append(keys[owner], reportKey{active: k.Status == store.StatusActive, lastRotated: k.CreateDate,
			lastUsed: k.LastUsed.Date, lastUsedRegion: k.LastUsed.Region, lastUsedService: k.LastUsed.Service})
	}
	for owner := range keys {
		slices.SortStableFunc(keys[owner], func(a, b reportKey) int { return a.lastRotated.Compare(b.lastRotated) })
	}
	// Signing certificates by owner, oldest first: cert_N_active is "TRUE"
	// when the certificate's status is Active, cert_N_last_rotated when it
	// "was created or last changed", N/A without an active one
	// (id_credentials_getting-report.md).
	certs := map[string][]reportKey{}
	scs, err := store.ListJSON[store.SigningCertificate](ctx, tx, store.ListOptions{Kind: store.KindSigningCertificate, Account: account})
	if err != nil {
		return nil, err
	}
	for _, sc := range scs {
		owner, _, _ := strings.Cut(sc.Key, store.Sep)
		certs[owner] = append(certs[owner], reportKey{active: sc.Value.Status == store.StatusActive, lastRotated: sc.Value.UploadDate})
	}
	for owner := range certs {
		slices.SortStableFunc(certs[owner], func(a, b reportKey) int { return a.lastRotated.Compare(b.lastRotated) })
	}
	// Enabled MFA devices by owner.
	mfa := map[string]bool{}
	devices, err := store.ListValues[store.MFADevice](ctx, tx, store.ListOptions{Kind: store.KindMFADevice, Account: account})
	if err != nil {
		return nil, err
	}
	for _, d := range devices {
		if d.EnableDate.IsZero() {
			continue
		}
		if d.UserName == "" && isRootDevice(account, d.SerialNumber) {
			mfa[""] = true
		} else if d.UserName != "" {
			mfa[store.UserKey(d.UserName)] = true
		}
	}

	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(credentialReportColumns); err != nil {
		return nil, err
	}
	rootRow := []string{"<root_account>", arn.Root(account), reportTime(acct.CreateDate),
		reportNotSupported, reportNA, reportNotSupported, reportNotSupported, reportBool(mfa[""])}
	if err := w.Write(append(rootRow, keyColumns(keys[""], certs[""])...)); err != nil {
		return nil, err
	}
	for _, u := range users {
		row := []string{u.Name, u.ARN, reportTime(u.CreateDate)}
		lp, err := store.GetJSON[store.LoginProfile](ctx, tx, store.KindLoginProfile, account, store.LoginProfileKey(u.Name))
		switch {
		case isNotFound(err):
			row = append(row, reportFalse, reportNA, reportNA, reportNA)
		case err != nil:
			return nil, err
		default:
			st, err := getPasswordState(ctx, tx, account, u.ID)
			if err != nil {
				return nil, err
			}
			changed := st.LastChanged
			if changed.IsZero() {
				changed = lp.CreateDate
			}
			used, next := reportNoInformation, reportNA
			if !u.PasswordLastUsed.IsZero() {
				used = reportTime(u.PasswordLastUsed)
			}
			if custom && pol.MaxPasswordAge > 0 {
				next = reportTime(changed.AddDate(0, 0, pol.MaxPasswordAge))
			}
			row = append(row, reportTrue, used, reportTime(changed), next)
		}
		row = append(row, reportBool(mfa[store.UserKey(u.Name)]))
		if err := w.Write(append(row, keyColumns(keys[store.UserKey(u.Name)], certs[store.UserKey(u.Name)])...)); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// keyColumns are the columns of a user's first two access keys and first two
// signing certificates (oldest first).
func keyColumns(keys, certs []reportKey) []string {
	var cols []string
	for i := range 2 {
		if i >= len(keys) {
			cols = append(cols, reportFalse, reportNA, reportNA, reportNA, reportNA)
			continue
		}
		k := keys[i]
		rotated, used, region, service := reportNA, reportNA, reportNA, reportNA
		if k.active {
			rotated = reportTime(k.lastRotated)
		}
		if !k.lastUsed.IsZero() {
			used = reportTime(k.lastUsed)
			if k.lastUsedRegion != "" {
				region = k.lastUsedRegion
			}
			if k.lastUsedService != "" {
				service = k.lastUsedService
			}
		}
		cols = append(cols, reportBool(k.active), rotated, used, region, service)
	}
	for i := range 2 {
		if i >= len(certs) || !certs[i].active {
			cols = append(cols, reportFalse, reportNA)
			continue
		}
		cols = append(cols, reportTrue, reportTime(certs[i].lastRotated))
	}
	return cols
}

func reportBool(b bool) string {
	if b {
		return reportTrue
	}
	return reportFalse
}
