package iam

import "sort"

// serviceLinkedRole is what IAM knows of one service's service-linked role:
// the service principal CreateServiceLinkedRole names, the role name the
// service fixes, whether the service takes a CustomSuffix, and the AWS managed
// policy (under /aws-service-role/) the service attaches to it.
type serviceLinkedRole struct {
	Principal  string
	RoleName   string
	SuffixOK   bool
	PolicyName string
}

// PolicyARN is the ARN of the role's AWS managed policy.
func (r serviceLinkedRole) PolicyARN() string {
	return awsPolicyPrefix + "aws-service-role/" + r.PolicyName
}

// serviceLinkedRoles is the catalogue of services that have service-linked
// roles, sorted by principal. Its sources:
//   - the services: the IAM User Guide's "AWS services that work with IAM"
//     (reference_aws-services-that-work-with-iam.md), column "Service-linked
//     roles", and each service's "Using service-linked roles" page linked
//     there, for the principal and the role name (e.g. Amazon EC2 Auto
//     Scaling's autoscaling-service-linked-role.html, Elastic Load Balancing's
//     elb-service-linked-roles.html, IAM Access Analyzer's
//     access-analyzer-using-service-linked-roles.md);
//   - the policies: each service's page, checked against the AWS managed
//     policy catalogue (managedpolicies): every policy named here exists under
//     /aws-service-role/ (a test says so);
//   - CustomSuffix: AWS refuses it, InvalidInput "Custom suffix is not
//     allowed for <principal>", for every service recorded against AWS in
//     LocalStack's validated snapshots (github.com/localstack/localstack
//     pull/12387) except autoscaling, connect and lexv2; Amazon EC2 Auto
//     Scaling documents its suffix ("AWSServiceRoleForAutoScaling_suffix",
//     autoscaling-service-linked-role.html). A service not recorded is taken
//     to refuse a suffix, as most do.
var serviceLinkedRoles = []serviceLinkedRole{
	{"access-analyzer.amazonaws.com", "AWSServiceRoleForAccessAnalyzer", false, "AccessAnalyzerServiceRolePolicy"},
	{"accountdiscovery.ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM_AccountDiscovery", false, "AWSSystemsManagerAccountDiscoveryServicePolicy"},
	{"acm.amazonaws.com", "AWSServiceRoleForCertificateManager", false, "CertificateManagerServiceRolePolicy"},
	{"appmesh.amazonaws.com", "AWSServiceRoleForAppMesh", false, "AWSAppMeshServiceRolePolicy"},
	{"autoscaling-plans.amazonaws.com", "AWSServiceRoleForAutoScalingPlans_EC2AutoScaling", false, "AWSAutoScalingPlansEC2AutoScalingPolicy"},
	{"autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", true, "AutoScalingServiceRolePolicy"},
	{"backup.amazonaws.com", "AWSServiceRoleForBackup", false, "AWSBackupServiceLinkedRolePolicyForBackup"},
	{"batch.amazonaws.com", "AWSServiceRoleForBatch", false, "BatchServiceRolePolicy"},
	{"cassandra.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_CassandraTable", false, "AWSApplicationAutoscalingCassandraTablePolicy"},
	{"cks.kms.amazonaws.com", "AWSServiceRoleForKeyManagementServiceCustomKeyStores", false, "AWSKeyManagementServiceCustomKeyStoresServiceRolePolicy"},
	{"cloud9.amazonaws.com", "AWSServiceRoleForAWSCloud9", false, "AWSCloud9ServiceRolePolicy"},
	{"cloudtrail.amazonaws.com", "AWSServiceRoleForCloudTrail", false, "CloudTrailServiceRolePolicy"},
	{"codestar-notifications.amazonaws.com", "AWSServiceRoleForCodeStarNotifications", false, "AWSCodeStarNotificationsServiceRolePolicy"},
	{"compute-optimizer.amazonaws.com", "AWSServiceRoleForComputeOptimizer", false, "ComputeOptimizerServiceRolePolicy"},
	{"config.amazonaws.com", "AWSServiceRoleForConfig", false, "AWSConfigServiceRolePolicy"},
	{"connect.amazonaws.com", "AWSServiceRoleForAmazonConnect", true, "AmazonConnectServiceLinkedRolePolicy"},
	{"detective.amazonaws.com", "AWSServiceRoleForDetective", false, "AmazonDetectiveServiceLinkedRolePolicy"},
	{"dms-fleet-advisor.amazonaws.com", "AWSServiceRoleForDMSFleetAdvisor", false, "AWSDMSFleetAdvisorServiceRolePolicy"},
	{"dms.amazonaws.com", "AWSServiceRoleForDMSServerless", false, "AWSDMSServerlessServiceRolePolicy"},
	{"docdb-elastic.amazonaws.com", "AWSServiceRoleForDocDB-Elastic", false, "AmazonDocDB-ElasticServiceRolePolicy"},
	{"dynamodb.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable", false, "AWSApplicationAutoscalingDynamoDBTablePolicy"},
	{"ec2-instance-connect.amazonaws.com", "AWSServiceRoleForEc2InstanceConnect", false, "Ec2InstanceConnectEndpoint"},
	{"ec2.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_EC2SpotFleetRequest", false, "AWSApplicationAutoscalingEC2SpotFleetRequestPolicy"},
	{"ecr.amazonaws.com", "AWSServiceRoleForECRTemplate", false, "ECRTemplateServiceRolePolicy"},
	{"ecs.amazonaws.com", "AWSServiceRoleForECS", false, "AmazonECSServiceRolePolicy"},
	{"ecs.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_ECSService", false, "AWSApplicationAutoscalingECSServicePolicy"},
	{"eks-connector.amazonaws.com", "AWSServiceRoleForAmazonEKSConnector", false, "AmazonEKSConnectorServiceRolePolicy"},
	{"eks-fargate.amazonaws.com", "AWSServiceRoleForAmazonEKSForFargate", false, "AmazonEKSForFargateServiceRolePolicy"},
	{"eks-nodegroup.amazonaws.com", "AWSServiceRoleForAmazonEKSNodegroup", false, "AWSServiceRoleForAmazonEKSNodegroup"},
	{"eks.amazonaws.com", "AWSServiceRoleForAmazonEKS", false, "AmazonEKSServiceRolePolicy"},
	{"elasticache.amazonaws.com", "AWSServiceRoleForElastiCache", false, "ElastiCacheServiceRolePolicy"},
	{"elasticache.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_ElastiCacheRG", false, "AWSApplicationAutoscalingElastiCacheRGPolicy"},
	{"elasticbeanstalk.amazonaws.com", "AWSServiceRoleForElasticBeanstalk", false, "AWSElasticBeanstalkServiceRolePolicy"},
	{"elasticfilesystem.amazonaws.com", "AWSServiceRoleForAmazonElasticFileSystem", false, "AmazonElasticFileSystemServiceRolePolicy"},
	{"elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing", false, "AWSElasticLoadBalancingServiceRolePolicy"},
	{"email.cognito-idp.amazonaws.com", "AWSServiceRoleForAmazonCognitoIdpEmailService", false, "AmazonCognitoIdpEmailServiceRolePolicy"},
	{"emr-containers.amazonaws.com", "AWSServiceRoleForAmazonEMRContainers", false, "AmazonEMRContainersServiceRolePolicy"},
	{"es.amazonaws.com", "AWSServiceRoleForAmazonElasticsearchService", false, "AmazonElasticsearchServiceRolePolicy"},
	{"fis.amazonaws.com", "AWSServiceRoleForFIS", false, "AmazonFISServiceRolePolicy"},
	{"fms.amazonaws.com", "AWSServiceRoleForFMS", false, "FMSServiceRolePolicy"},
	{"globalaccelerator.amazonaws.com", "AWSServiceRoleForGlobalAccelerator", false, "AWSGlobalAcceleratorSLRPolicy"},
	{"grafana.amazonaws.com", "AWSServiceRoleForAmazonGrafana", false, "AmazonGrafanaServiceLinkedRolePolicy"},
	{"guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDuty", false, "AmazonGuardDutyServiceRolePolicy"},
	{"health.amazonaws.com", "AWSServiceRoleForHealth_Organizations", false, "Health_OrganizationsServiceRolePolicy"},
	{"imagebuilder.amazonaws.com", "AWSServiceRoleForImageBuilder", false, "AWSServiceRoleForImageBuilder"},
	{"inspector2.amazonaws.com", "AWSServiceRoleForAmazonInspector2", false, "AmazonInspector2ServiceRolePolicy"},
	{"kafka.amazonaws.com", "AWSServiceRoleForKafka", false, "KafkaServiceRolePolicy"},
	{"kafkaconnect.amazonaws.com", "AWSServiceRoleForKafkaConnect", false, "KafkaConnectServiceRolePolicy"},
	{"lakeformation.amazonaws.com", "AWSServiceRoleForLakeFormationDataAccess", false, "LakeFormationDataAccessServiceRolePolicy"},
	{"lambda.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency", false, "AWSApplicationAutoscalingLambdaConcurrencyPolicy"},
	{"lex.amazonaws.com", "AWSServiceRoleForLexBots", false, "LexBotPolicy"},
	{"lexv2.amazonaws.com", "AWSServiceRoleForLexV2Bots", true, "AmazonLexV2BotPolicy"},
	{"lightsail.amazonaws.com", "AWSServiceRoleForLightsail", false, "LightsailExportAccess"},
	{"macie.amazonaws.com", "AWSServiceRoleForAmazonMacie", false, "AmazonMacieServiceRolePolicy"},
	{"maintenance.elasticbeanstalk.amazonaws.com", "AWSServiceRoleForElasticBeanstalkMaintenance", false, "AWSElasticBeanstalkMaintenance"},
	{"malware-protection.guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDutyMalwareProtection", false, "AmazonGuardDutyMalwareProtectionServiceRolePolicy"},
	{"managedupdates.elasticbeanstalk.amazonaws.com", "AWSServiceRoleForElasticBeanstalkManagedUpdates", false, "AWSElasticBeanstalkManagedUpdatesServiceRolePolicy"},
	{"member.org.stacksets.cloudformation.amazonaws.com", "AWSServiceRoleForCloudFormationStackSetsOrgMember", false, "CloudFormationStackSetsOrgMemberServiceRolePolicy"},
	{"memorydb.amazonaws.com", "AWSServiceRoleForMemoryDB", false, "MemoryDBServiceRolePolicy"},
	{"mq.amazonaws.com", "AWSServiceRoleForAmazonMQ", false, "AmazonMQServiceRolePolicy"},
	{"mrk.kms.amazonaws.com", "AWSServiceRoleForKeyManagementServiceMultiRegionKeys", false, "AWSKeyManagementServiceMultiRegionKeysServiceRolePolicy"},
	{"observability.aoss.amazonaws.com", "AWSServiceRoleForAmazonOpenSearchServerless", false, "AmazonOpenSearchServerlessServiceRolePolicy"},
	{"opensearchservice.amazonaws.com", "AWSServiceRoleForAmazonOpenSearchService", false, "AmazonOpenSearchServiceRolePolicy"},
	{"ops.apigateway.amazonaws.com", "AWSServiceRoleForAPIGateway", false, "APIGatewayServiceRolePolicy"},
	{"ops.emr-serverless.amazonaws.com", "AWSServiceRoleForAmazonEMRServerless", false, "AmazonEMRServerlessServiceRolePolicy"},
	{"opsdatasync.ssm.amazonaws.com", "AWSServiceRoleForSystemsManagerOpsDataSync", false, "AWSSystemsManagerOpsDataSyncServiceRolePolicy"},
	{"opsinsights.ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM_OpsInsights", false, "AWSSSMOpsInsightsServiceRolePolicy"},
	{"organizations.amazonaws.com", "AWSServiceRoleForOrganizations", false, "AWSOrganizationsServiceTrustPolicy"},
	{"pullthroughcache.ecr.amazonaws.com", "AWSServiceRoleForECRPullThroughCache", false, "AWSECRPullThroughCache_ServiceRolePolicy"},
	{"ram.amazonaws.com", "AWSServiceRoleForResourceAccessManager", false, "AWSResourceAccessManagerServiceRolePolicy"},
	{"rds.amazonaws.com", "AWSServiceRoleForRDS", false, "AmazonRDSServiceRolePolicy"},
	{"rds.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_RDSCluster", false, "AWSApplicationAutoscalingRDSClusterPolicy"},
	{"redshift.amazonaws.com", "AWSServiceRoleForRedshift", false, "AmazonRedshiftServiceLinkedRolePolicy"},
	{"replication.cassandra.amazonaws.com", "AWSServiceRoleForKeyspacesReplication", false, "KeyspacesReplicationServiceRolePolicy"},
	{"replication.dynamodb.amazonaws.com", "AWSServiceRoleForDynamoDBReplication", false, "DynamoDBReplicationServiceRolePolicy"},
	{"replication.ecr.amazonaws.com", "AWSServiceRoleForECRReplication", false, "ECRReplicationServiceRolePolicy"},
	{"replicator.lambda.amazonaws.com", "AWSServiceRoleForLambdaReplicator", false, "AWSLambdaReplicator"},
	{"resource-explorer-2.amazonaws.com", "AWSServiceRoleForResourceExplorer", false, "AWSResourceExplorerServiceRolePolicy"},
	{"rolesanywhere.amazonaws.com", "AWSServiceRoleForRolesAnywhere", false, "AWSRolesAnywhereServicePolicy"},
	{"s3-outposts.amazonaws.com", "AWSServiceRoleForS3OnOutposts", false, "AWSS3OnOutpostsServiceRolePolicy"},
	{"sagemaker.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint", false, "AWSApplicationAutoscalingSageMakerEndpointPolicy"},
	{"securityhub.amazonaws.com", "AWSServiceRoleForSecurityHub", false, "AWSSecurityHubServiceRolePolicy"},
	{"servicequotas.amazonaws.com", "AWSServiceRoleForServiceQuotas", false, "ServiceQuotasServiceRolePolicy"},
	{"ses.amazonaws.com", "AWSServiceRoleForAmazonSES", false, "AmazonSESServiceRolePolicy"},
	{"shield.amazonaws.com", "AWSServiceRoleForAWSShield", false, "AWSShieldServiceRolePolicy"},
	{"spot.amazonaws.com", "AWSServiceRoleForEC2Spot", false, "AWSEC2SpotServiceRolePolicy"},
	{"spotfleet.amazonaws.com", "AWSServiceRoleForEC2SpotFleet", false, "AWSEC2SpotFleetServiceRolePolicy"},
	{"ssm-incidents.amazonaws.com", "AWSServiceRoleForIncidentManager", false, "AWSIncidentManagerServiceRolePolicy"},
	{"ssm-quicksetup.amazonaws.com", "AWSServiceRoleForSSMQuickSetup", false, "SSMQuickSetupRolePolicy"},
	{"ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM", false, "AmazonSSMServiceRolePolicy"},
	{"sso.amazonaws.com", "AWSServiceRoleForSSO", false, "AWSSSOServiceRolePolicy"},
	{"storagegateway.amazonaws.com", "AWSServiceRoleForStorageGateway", false, "AWSStorageGatewayServiceRolePolicy"},
	{"support.amazonaws.com", "AWSServiceRoleForSupport", false, "AWSSupportServiceRolePolicy"},
	{"transitgateway.amazonaws.com", "AWSServiceRoleForVPCTransitGateway", false, "AWSVPCTransitGatewayServiceRolePolicy"},
	{"trustedadvisor.amazonaws.com", "AWSServiceRoleForTrustedAdvisor", false, "AWSTrustedAdvisorServiceRolePolicy"},
	{"vpcorigin.cloudfront.amazonaws.com", "AWSServiceRoleForCloudFrontVPCOrigin", false, "AWSCloudFrontVPCOriginServiceRolePolicy"},
	{"waf.amazonaws.com", "AWSServiceRoleForWAFLogging", false, "WAFLoggingServiceRolePolicy"},
	{"wafv2.amazonaws.com", "AWSServiceRoleForWAFV2Logging", false, "WAFV2LoggingServiceRolePolicy"},
}

// lookupServiceLinkedRole returns the catalogue entry of a service principal.
func lookupServiceLinkedRole(principal string) (serviceLinkedRole, bool) {
	i := sort.Search(len(serviceLinkedRoles), func(i int) bool { return serviceLinkedRoles[i].Principal >= principal })
	if i < len(serviceLinkedRoles) && serviceLinkedRoles[i].Principal == principal {
		return serviceLinkedRoles[i], true
	}
	return serviceLinkedRole{}, false
}
