package store

// Kind names an entity kind: a namespace of records within an account.
type Kind string

// The entity kinds Gatehouse stores. Global kinds are stored with Account "";
// all others with the owning account's id.
const (
	// KindAccount: global; key = account id; value [Account].
	KindAccount Kind = "account"
	// KindAccountAlias: global, so an alias is unique across accounts;
	// key = alias; value [AccountAlias].
	KindAccountAlias Kind = "account-alias"
	// KindUser: key [UserKey]; value [User].
	KindUser Kind = "user"
	// KindGroup: key [GroupKey]; value [Group].
	KindGroup Kind = "group"
	// KindRole: key [RoleKey]; value [Role].
	KindRole Kind = "role"
	// KindPolicy: customer managed policies in their account, AWS managed
	// policies in [AWSAccount]; key [PolicyKey]; value [ManagedPolicy].
	KindPolicy Kind = "policy"
	// KindPolicyVersion: key [PolicyVersionKey]; value [PolicyVersion].
	KindPolicyVersion Kind = "policy-version"
	// KindInlinePolicy: key [InlinePolicyKey]; value [InlinePolicy].
	KindInlinePolicy Kind = "inline-policy"
	// KindAttachment: managed policy attachments indexed by entity; key
	// [AttachmentKey]; value [Attachment]. Written together with
	// KindPolicyAttachment.
	KindAttachment Kind = "attachment"
	// KindPolicyAttachment: the same attachments indexed by policy, in the
	// entity's account; key [PolicyAttachmentKey]; value [Attachment].
	KindPolicyAttachment Kind = "policy-attachment"
	// KindMembership: group memberships indexed by group; key
	// [MembershipKey]; value [GroupMembership]. Written together with
	// KindUserMembership.
	KindMembership Kind = "membership"
	// KindUserMembership: the same memberships indexed by user; key
	// [UserMembershipKey]; value [GroupMembership].
	KindUserMembership Kind = "user-membership"
	// KindAccessKey: global, so SigV4 can find a key by id alone; key =
	// access key id; value [AccessKey].
	KindAccessKey Kind = "access-key"
	// KindUserAccessKey: a user's (or the root's) access keys in the
	// owning account; key [UserAccessKeyKey]; value [AccessKeyRef].
	KindUserAccessKey Kind = "user-access-key"
	// KindInstanceProfile: key [InstanceProfileKey]; value [InstanceProfile].
	KindInstanceProfile Kind = "instance-profile"
	// KindMFADevice: key [MFADeviceKey]; value [MFADevice].
	KindMFADevice Kind = "mfa-device"
	// KindLoginProfile: key [LoginProfileKey]; value [LoginProfile].
	KindLoginProfile Kind = "login-profile"
	// KindUniqueID: global index of AWS unique ids (AIDA…, AROA…, …),
	// which are unique across accounts; key = the id; value [UniqueIDRef].
	KindUniqueID Kind = "unique-id"
	// KindBucket: global, as S3 bucket names are unique across the server;
	// key = bucket name; value [Bucket].
	KindBucket Kind = "s3-bucket"
	// KindAccountBucket: the buckets an account owns, in the account; key =
	// bucket name; value [AccountBucket]. Written together with KindBucket.
	KindAccountBucket Kind = "s3-account-bucket"
	// KindAccountS3: an account's S3 settings (its Block Public Access);
	// key [AccountS3Key]; value [AccountS3].
	KindAccountS3 Kind = "s3-account"
	// KindWorkload: a workload bound to an instance profile; key = the
	// workload id (i-…); value [Workload].
	KindWorkload Kind = "workload"
	// KindWorkloadID: global index of workload ids, so a workload token
	// finds its workload's account; key = the workload id; value
	// [WorkloadRef]. Written together with KindWorkload.
	KindWorkloadID Kind = "workload-id"
)

// AccountS3Key is the key of an account's one [AccountS3] record.
const AccountS3Key = "settings"
