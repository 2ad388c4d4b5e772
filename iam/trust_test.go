package iam

import (
	"errors"
	"testing"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// TestCheckTrustDocument: the checks of a trust policy beyond its grammar,
// with AWS's MalformedPolicyDocument messages (sources on checkTrustDocument).
func TestCheckTrustDocument(t *testing.T) {
	t.Parallel()
	// Gatehouse holds 111111111111 (user /dev/alice, role /Ops) and not
	// 999999999999.
	lookup := func(kind, account, path, name string) (bool, bool, error) {
		switch account {
		case "111111111111":
			return true, (kind == "user" && path == "/dev/" && name == "alice") || (kind == "role" && path == "/" && name == "Ops") || (kind == "saml-provider" && name == "idp"), nil
		case "222222222222":
			return false, false, errors.New("store down")
		}
		return false, false, nil
	}
	stmt := func(body string) string { return `{"Version":"2012-10-17","Statement":[` + body + `]}` }
	const invalid = "MalformedPolicyDocument"
	cases := []struct {
		name, doc, code, msg string
	}{
		{"service", stmt(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`), "", ""},
		{"existing user with path", stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/dev/alice"},"Action":"sts:AssumeRole"}`), "", ""},
		{"existing role", stmt(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:role/Ops","111111111111"]},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}`), "", ""},
		{"account root", stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}`), "", ""},
		// opstrace/opstrace#88: an ARN naming no role is an invalid principal.
		{"missing user", stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/nobody"},"Action":"sts:AssumeRole"}`),
			invalid, `Invalid principal in policy: "AWS":"arn:aws:iam::111111111111:user/nobody"`},
		{"missing role", stmt(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:role/Ops","arn:aws:iam::111111111111:role/Gone"]},"Action":"sts:AssumeRole"}`),
			invalid, `Invalid principal in policy: "AWS":"arn:aws:iam::111111111111:role/Gone"`},
		{"user under another path", stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"sts:AssumeRole"}`),
			invalid, `Invalid principal in policy: "AWS":"arn:aws:iam::111111111111:user/alice"`},
		// An account Gatehouse does not hold cannot be checked: accepted.
		{"unknown account", stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:user/anyone"},"Action":"sts:AssumeRole"}`), "", ""},
		{"store error", stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:user/x"},"Action":"sts:AssumeRole"}`), "store", ""},
		{"session arn", stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111111111111:assumed-role/Gone/s"},"Action":"sts:AssumeRole"}`), "", ""},
		{"federated", stmt(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/example.com"},"Action":"sts:AssumeRoleWithWebIdentity"}`), "", ""},
		{"saml", stmt(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:saml-provider/idp"},"Action":"sts:AssumeRoleWithSAML"}`), "", ""},
		// terraform-aws-modules/terraform-aws-iam#202: a federated principal
		// naming no provider.
		{"missing saml", stmt(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:saml-provider/gone"},"Action":"sts:AssumeRoleWithSAML"}`),
			invalid, "Federated principals must be valid domain names or SAML metadata ARNs"},
		{"saml of unknown account", stmt(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::999999999999:saml-provider/any"},"Action":"sts:AssumeRoleWithSAML"}`), "", ""},
		{"set context", stmt(`{"Effect":"Allow","Principal":{"Service":"sso.amazonaws.com"},"Action":["sts:AssumeRole","sts:SetContext"]}`), "", ""},
		{"sts wildcard", stmt(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole*"}`), "", ""},
		{"action case", stmt(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"STS:assumerole"}`), "", ""},
		// LocalStack's AWS-validated snapshot (test_update_assume_role_policy_errors).
		{"s3 action", stmt(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole","s3:GetObject"]}`),
			invalid, "AssumeRole policy may only specify STS AssumeRole actions."},
		{"other sts action", stmt(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:GetCallerIdentity"}`),
			invalid, "AssumeRole policy may only specify STS AssumeRole actions."},
		{"any action", stmt(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"*"}`),
			invalid, "AssumeRole policy may only specify STS AssumeRole actions."},
		{"resource", stmt(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}`),
			invalid, "Has prohibited field Resource"},
		{"not resource", stmt(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","NotResource":"arn:aws:s3:::b"}`),
			invalid, "Has prohibited field NotResource"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := policy.Parse(c.doc, policy.KindTrust)
			if err != nil {
				t.Fatal(err)
			}
			err = checkTrustDocument(d, lookup)
			switch {
			case c.code == "":
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
			case c.code == "store":
				if _, ok := awserr.As(err); err == nil || ok {
					t.Fatalf("store error not passed on: %v", err)
				}
			default:
				ae, ok := awserr.As(err)
				if !ok || ae.Code != c.code || ae.Message != c.msg {
					t.Fatalf("got %v, want %s: %s", err, c.code, c.msg)
				}
			}
		})
	}
}

// TestIAMEntityARN splits user and role ARNs with their paths.
