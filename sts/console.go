package sts

import (
	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/session"
)

// ConsoleDuration is how long a console session of an IAM user lasts: AWS's
// console signs users out after 12 hours (id_credentials_passwords: "console
// sessions ... 12 hours"); the root user's lasts one hour, as its
// GetSessionToken credentials do.
const ConsoleDuration = defaultTokenDuration

// ConsoleCredentials issues the temporary credentials of a console sign-in
// by the IAM user userName ("" for the root user) of account, sealed like
// GetSessionToken's: the caller is still the user (arn:…:user/NAME),
// aws:MultiFactorAuthPresent is mfa, and unlike GetSessionToken's without
// MFA they may call IAM. restrict, when not "", is a session policy that
// bounds them (a user whose password must change gets only
// iam:ChangePassword). The caller (the console) has authenticated the user.
func (s *Service) ConsoleCredentials(account, userName string, mfa bool, restrict string) (*stsapi.Credentials, error) {
	if _, ok := s.dir.Account(account); !ok {
		return nil, invalidToken()
	}
	if restrict != "" {
		if _, err := policy.Parse(restrict, policy.KindSession); err != nil {
			return nil, awserr.InternalFailure(err)
		}
	}
	dur := int32(ConsoleDuration)
	if userName == "" {
		dur = rootMaxDuration
	}
	sess := &session.Session{Account: account, Kind: session.KindUser, UserName: userName, MFA: mfa, Console: true, Policy: restrict}
	return s.issue(sess, s.now(), dur)
}
