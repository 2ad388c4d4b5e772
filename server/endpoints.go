package server

import (
	"github.com/gatehouse-iam/gatehouse/api/analyzercodec"
	"github.com/gatehouse-iam/gatehouse/api/cloudtrailcodec"
	"github.com/gatehouse-iam/gatehouse/api/iamcodec"
	"github.com/gatehouse-iam/gatehouse/api/orgcodec"
	"github.com/gatehouse-iam/gatehouse/api/s3codec"
	"github.com/gatehouse-iam/gatehouse/api/stscodec"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/sigv4"
	"github.com/gatehouse-iam/gatehouse/workload"
)

// initEndpoints registers every service the configuration holds, each with
// its codec, its verifier (one lookup of secrets for all) and its
// operations.
func (s *Server) initEndpoints(c Config, lookup sigv4.LookupFunc) error {
	s.byScope = map[string]*endpoint{}
	s.byTarget = map[string]*endpoint{}
	add := func(name string, cd codec, ops map[string]operation.Op) (*endpoint, error) {
		_, isS3 := cd.(s3Codec)
		v, err := sigv4.NewVerifier(sigv4.Options{Lookup: lookup, Now: c.Now, Service: name, S3: isS3})
		if err != nil {
			return nil, err
		}
		ep := &endpoint{name: name, codec: cd, verifier: v, ops: ops}
		s.byScope[name] = ep
		return ep, nil
	}
	iamAPI, stsAPI := iamcodec.Service(), stscodec.Service()
	if _, err := add(iamAPI.Name, queryCodec{api: iamAPI}, c.IAM.Ops()); err != nil {
		return err
	}
	if _, err := add(stsAPI.Name, queryCodec{api: stsAPI}, c.STS.Ops()); err != nil {
		return err
	}
	orgAPI := orgcodec.Service()
	s.jsonFallback = &endpoint{name: "unknown", codec: jsonCodec{api: orgAPI}}
	if c.Organizations != nil {
		ep, err := add(orgAPI.Name, jsonCodec{api: orgAPI}, c.Organizations.Ops())
		if err != nil {
			return err
		}
		s.byTarget[orgAPI.TargetPrefix] = ep
	}
	if c.CloudTrail != nil {
		api := cloudtrailcodec.Service()
		ep, err := add(api.Name, jsonCodec{api: api, throttling: "ThrottlingException"}, c.CloudTrail.Ops())
		if err != nil {
			return err
		}
		for _, p := range api.Prefixes() {
			s.byTarget[p] = ep
		}
	}
	if c.AccessAnalyzer != nil {
		api := analyzercodec.Service()
		if _, err := add(api.Name, restCodec{api: api}, c.AccessAnalyzer.Ops()); err != nil {
			return err
		}
	}
	if c.S3 != nil {
		api := s3codec.Service()
		if _, err := add(api.Name, s3Codec{api: api, domain: s.s3Domain, cors: c.S3.CORSHeaders}, c.S3.Ops()); err != nil {
			return err
		}
	}
	if c.Workloads != nil {
		if _, err := add(workload.SigningName, workloadCodec{routes: workload.Routes()}, c.Workloads.Ops()); err != nil {
			return err
		}
	}
	return nil
}
