package console

import (
	"strings"
	"testing"
	"time"
)

// TestReportChecksKeyAge: the dashboard reports the active keys whose
// access_key_N_last_rotated is older than the maximum access key age it
// is given (serve --max-access-key-age), and says the age.
func TestReportChecksKeyAge(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	at := func(days int) string { return now.AddDate(0, 0, -days).Format("2006-01-02T15:04:05+00:00") }
	// The checks read the columns by name: the ones they use suffice.
	header := "user,user_creation_time,password_enabled,mfa_active,access_key_1_active,access_key_1_last_rotated," +
		"access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date"
	row := func(user, active1, rotated1, active2, rotated2 string) string {
		return user + "," + at(400) + ",false,false," + active1 + "," + rotated1 + ",N/A," + active2 + "," + rotated2 + ",N/A"
	}
	report := strings.Join([]string{header,
		row("fresh", "true", at(10), "false", "N/A"),
		row("month", "true", at(40), "false", "N/A"),
		row("inactive", "false", at(200), "false", "N/A"),
		row("second", "true", at(1), "true", at(100)),
	}, "\n")
	for _, c := range []struct {
		days  int
		title string
		users []string
	}{
		{30, "Access keys older than 30 days", []string{"month", "second"}},
		{90, "Access keys older than 90 days", []string{"second"}},
		{365, "No active access key is older than 365 days", nil},
	} {
		var got *recommendation
		for _, r := range reportChecks([]byte(report), now, time.Duration(c.days)*24*time.Hour) {
			if strings.Contains(r.Title, "access key") || strings.Contains(r.Title, "Access keys") {
				got = &r
			}
		}
		if got == nil || got.Title != c.title {
			t.Fatalf("age %d: %+v, want %q", c.days, got, c.title)
		}
		for _, u := range []string{"fresh", "month", "inactive", "second"} {
			want := false
			for _, w := range c.users {
				want = want || w == u
			}
			if strings.Contains(got.Detail, u) != want {
				t.Errorf("age %d: %q names %s: %v, want %v", c.days, got.Detail, u, !want, want)
			}
		}
	}
}
