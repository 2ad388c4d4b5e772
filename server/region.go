package server

// globalRegion is the region AWS puts in aws:RequestedRegion for the requests
// of a global service, whatever region the client signed with: "Some global
// services, such as IAM, have a single endpoint. Because this endpoint is
// physically located in the US East (N. Virginia) Region, IAM calls are always
// made to the us-east-1 Region" (IAM User Guide, reference_policies_condition-keys,
// aws:RequestedRegion). Organizations is global in the aws partition too, with
// its single endpoint in us-east-1 (AWS Organizations User Guide, "Endpoints").
// The partition's implicitGlobalRegion (partitions.json) is us-east-1.
var globalRegion = map[string]string{
	"iam":           "us-east-1",
	"organizations": "us-east-1",
}

// defaultRegion is the region of a request to a regional service that names
// none (an unsigned AssumeRoleWithWebIdentity): STS's global endpoint,
// sts.amazonaws.com, is in us-east-1.
const defaultRegion = "us-east-1"

// requestedRegion returns the region a request to service, signed for
// signingRegion, is made to: the single region of a global service (clients
// pointed at Gatehouse with --endpoint-url sign with their own region, which
// must not decide aws:RequestedRegion), else the region the client addressed.
// aws:RequestedRegion "is always included in the request context".
func requestedRegion(service, signingRegion string) string {
	if r, ok := globalRegion[service]; ok {
		return r
	}
	if signingRegion == "" {
		return defaultRegion
	}
	return signingRegion
}
