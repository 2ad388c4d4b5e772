package query_test

import (
	"net/url"
	"testing"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/query"
)

// FuzzDecode feeds hostile forms to the generated decoders: they must never
// panic, and every failure must be an *awserr.Error.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"UserName=bob&Tags.member.1.Key=k&Tags.member.1.Value=v",
		"Tags.member.99999999.Key=k&Tags.member.-1.Key=x&Tags.member.01.Key=y&Tags.member..Key=z",
		"PolicyInputList.member.1=%7B%7D&ContextEntries.member.1.ContextKeyName=aws:x&ContextEntries.member.1.ContextKeyValues.member.2=v&ContextEntries.member.1.ContextKeyType=string",
		"RoleArn=arn:aws:iam::1:role/x&RoleSessionName=s&DurationSeconds=+900&PolicyArns.member.1.arn=arn:aws:iam::aws:policy/x&Tags.member.1.Key=%FF",
		"A.entry.1.key=k&A.entry.1.value=v&....=&.member.1=x&member.1=y",
		"MaxItems=99999999999999999999&Marker=%00",
	} {
		f.Add(s)
	}
	newInputs := []func() any{
		func() any { return new(iamapi.CreateUserRequest) },
		func() any { return new(iamapi.SimulateCustomPolicyRequest) },
		func() any { return new(iamapi.PutUserPolicyRequest) },
		func() any { return new(iamapi.ListUsersRequest) },
		func() any { return new(iamapi.UpdateAccountPasswordPolicyRequest) },
		func() any { return new(iamapi.GetAccountAuthorizationDetailsRequest) },
		func() any { return new(stsapi.AssumeRoleRequest) },
		func() any { return new(stsapi.AssumeRoleWithSAMLRequest) },
	}
	f.Fuzz(func(t *testing.T, raw string) {
		form, _ := url.ParseQuery(raw) // partial results are decoded too
		for _, n := range newInputs {
			err := query.Decode(form, n(), decodeAny)
			if err == nil {
				continue
			}
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("error %v is not *awserr.Error", err)
			}
		}
	})
}
