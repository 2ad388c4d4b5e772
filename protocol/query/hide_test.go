package query_test

import (
	"net/url"
	"testing"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/api/iamcodec"
	"github.com/gatehouse-iam/gatehouse/api/stscodec"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/query"
)

// TestListMemberConstraints pins that the elements of a list of scalars are
// reported once, for the list, with every constraint of the member shape
// and, for tagKeys, "Member must not be null" (as AWS reports it; see
// server/validation_test.go for the recorded messages), and that
// HideValues drops the quoted values, IAM's form, where the STS form quotes
// them as Java prints them.
func TestListMemberConstraints(t *testing.T) {
	const constraint = `failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, ` +
		`Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]`
	form := url.Values{"UserName": {"u"}, "TagKeys.member.1": {"ok"}, "TagKeys.member.2": {"a*b"}, "TagKeys.member.3": {""}}
	tests := []struct {
		name string
		hide bool
		want string
	}{
		{"quoted", false, "1 validation error detected: Value '[ok, a*b, ]' at 'tagKeys' " + constraint},
		{"hidden", true, "1 validation error detected: Value at 'tagKeys' " + constraint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := query.NewDecoder(form)
			if tt.hide {
				d.HideValues()
			}
			in := new(iamapi.UntagUserRequest)
			decodeAny(d, in)
			ae, ok := awserr.As(d.Err())
			if !ok || ae.Code != "ValidationError" || ae.Message != tt.want {
				t.Errorf("got %v\nwant %s", d.Err(), tt.want)
			}
		})
	}
	// Valid elements pass, and decode.
	d := query.NewDecoder(url.Values{"UserName": {"u"}, "TagKeys.member.1": {"a"}, "TagKeys.member.2": {"b"}})
	in := new(iamapi.UntagUserRequest)
	decodeAny(d, in)
	if d.Err() != nil || len(in.TagKeys) != 2 || in.TagKeys[1] != "b" {
		t.Errorf("valid list: %v %v", d.Err(), in.TagKeys)
	}
}

// TestServiceHidesValues pins the generated choice per service: IAM's
// messages leave the value out ("Value at 'userName'", and a missing member
// is "Value at", not "Value null at"), STS's quote it.
func TestServiceHidesValues(t *testing.T) {
	if !iamcodec.Service().HideValues || stscodec.Service().HideValues {
		t.Fatal("IAM hides values, STS does not")
	}
	iam := iamcodec.Service()
	op, _ := iamcodec.LookupOperation("CreateUser")
	_, err := iam.Decode(op, &query.Request{Action: "CreateUser", Params: url.Values{"Path": {""}, "UserName": {"a b"}}})
	// In the model's member order: Path, then UserName.
	want := "2 validation errors detected: Value at 'path' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
		`Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`
	if ae, ok := awserr.As(err); !ok || ae.Message != want {
		t.Errorf("IAM: got %v\nwant %s", err, want)
	}
	sts := stscodec.Service()
	op, _ = stscodec.LookupOperation("GetSessionToken")
	_, err = sts.Decode(op, &query.Request{Action: "GetSessionToken", Params: url.Values{"DurationSeconds": {"899"}}})
	want = "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
	if ae, ok := awserr.As(err); !ok || ae.Message != want {
		t.Errorf("STS: got %v\nwant %s", err, want)
	}
}
