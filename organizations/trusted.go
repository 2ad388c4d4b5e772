package organizations

// trustedService is an AWS service that integrates with Organizations: its
// service principal can be given trusted access (EnableAWSServiceAccess) and,
// when the service supports it, a member account can be registered as its
// delegated administrator.
type trustedService struct {
	// Delegation says the service supports delegated administrators
	// (the "Supports Delegated Administrator" column).
	Delegation bool
	// MaxAdmins is how many delegated administrators the service takes at
	// once (0: one).
	MaxAdmins int
}

// trustedServices is the catalogue of service principals that Organizations
// recognizes, from the Organizations User Guide's "AWS services that you can
// use with AWS Organizations"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services_list.html)
// and each service's page there ("Service principals used by the
// service-linked roles", services-that-can-integrate-*.html). A principal
// not listed is refused with UNRECOGNIZED_SERVICE_PRINCIPAL, as AWS refuses
// e.g. stacksets.cloudformation.amazonaws.com (pepperize/cdk-organizations
// issue 1718: StackSets' principal is member.org.stacksets.…).
var trustedServices = map[string]trustedService{
	"access-analyzer.amazonaws.com":                      {Delegation: true},
	"account.amazonaws.com":                              {Delegation: true},
	"auditmanager.amazonaws.com":                         {Delegation: true},
	"aws-artifact-account-sync.amazonaws.com":            {},
	"backup.amazonaws.com":                               {Delegation: true},
	"billing-cost-management.amazonaws.com":              {},
	"cloudtrail.amazonaws.com":                           {Delegation: true},
	"compute-optimizer.amazonaws.com":                    {Delegation: true},
	"config.amazonaws.com":                               {Delegation: true},
	"config-multiaccountsetup.amazonaws.com":             {Delegation: true},
	"controltower.amazonaws.com":                         {},
	"cost-optimization-hub.bcm.amazonaws.com":            {Delegation: true},
	"detective.amazonaws.com":                            {Delegation: true},
	"devops-guru.amazonaws.com":                          {Delegation: true},
	"ds.amazonaws.com":                                   {},
	"fms.amazonaws.com":                                  {Delegation: true},
	"guardduty.amazonaws.com":                            {Delegation: true},
	"malware-protection.guardduty.amazonaws.com":         {Delegation: true},
	"health.amazonaws.com":                               {Delegation: true},
	"iam.amazonaws.com":                                  {Delegation: true},
	"inspector2.amazonaws.com":                           {Delegation: true},
	"ipam.amazonaws.com":                                 {Delegation: true},
	"license-management.marketplace.amazonaws.com":       {Delegation: true},
	"license-manager.amazonaws.com":                      {Delegation: true},
	"license-manager.member-account.amazonaws.com":       {Delegation: true},
	"license-manager-linux-subscriptions.amazonaws.com":  {Delegation: true},
	"macie.amazonaws.com":                                {Delegation: true},
	"mgn.amazonaws.com":                                  {Delegation: true},
	"networkmanager.amazonaws.com":                       {Delegation: true},
	"observabilityadmin.amazonaws.com":                   {Delegation: true},
	"q.amazonaws.com":                                    {},
	"ram.amazonaws.com":                                  {},
	"reachabilityanalyzer.networkinsights.amazonaws.com": {Delegation: true},
	"reporting.trustedadvisor.amazonaws.com":             {Delegation: true},
	"resource-explorer-2.amazonaws.com":                  {Delegation: true},
	"securityhub.amazonaws.com":                          {Delegation: true},
	"securitylake.amazonaws.com":                         {Delegation: true},
	"servicecatalog.amazonaws.com":                       {Delegation: true},
	"servicequotas.amazonaws.com":                        {},
	"sso.amazonaws.com":                                  {Delegation: true},
	"ssm.amazonaws.com":                                  {Delegation: true},
	"storage-lens.s3.amazonaws.com":                      {Delegation: true},
	"tagpolicies.tag.amazonaws.com":                      {},
	"wellarchitected.amazonaws.com":                      {Delegation: true},
	// CloudFormation StackSets takes up to five delegated administrators
	// (AWS CloudFormation User Guide, "Register a delegated administrator").
	"member.org.stacksets.cloudformation.amazonaws.com": {Delegation: true, MaxAdmins: 5},
}

// maxAdmins returns how many delegated administrators service takes.
func (t trustedService) maxAdmins() int {
	if t.MaxAdmins > 0 {
		return t.MaxAdmins
	}
	return 1
}

// lookupService returns the catalogue entry of a service principal, or
// InvalidInputException (UNRECOGNIZED_SERVICE_PRINCIPAL) with AWS's message
// (localstack/localstack issue 8559 quotes it from AWS).
func lookupService(principal string) (trustedService, error) {
	t, ok := trustedServices[principal]
	if !ok {
		return t, invalidInput("UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified an unrecognized service principal.")
	}
	return t, nil
}
