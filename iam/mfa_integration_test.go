package iam_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// mfaCode computes an RFC 6238 code (SHA-1, 6 digits, 30 s) independently of
// the server.
func mfaCode(t *testing.T, seed []byte, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(seed))
	if err != nil {
		t.Fatal(err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	h := m.Sum(nil)
	o := h[19] & 15
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(h[o:o+4])&0x7fffffff)%1000000)
}

func TestMFADeviceLifecycle(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	dev, err := root.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	v := dev.VirtualMFADevice
	serial := *v.SerialNumber
	if serial != "arn:aws:iam::"+testserver.AccountID+":mfa/alice-phone" || len(v.Base32StringSeed) != 32 {
		t.Fatalf("device %s, seed %d chars", serial, len(v.Base32StringSeed))
	}
	seed := v.Base32StringSeed
	_, err = root.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone")})
	wantCode(t, err, "EntityAlreadyExists")

	un, err := root.ListVirtualMFADevices(ctx, &awsiam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned})
	if err != nil || len(un.VirtualMFADevices) != 1 {
		t.Fatalf("unassigned %+v %v", un, err)
	}
	now := time.Now()
	// Two codes that are not consecutive, or wrong: InvalidAuthenticationCode.
	_, err = root.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(mfaCode(t, seed, now)), AuthenticationCode2: aws.String(mfaCode(t, seed, now.Add(-30*time.Second)))})
	wantCode(t, err, "InvalidAuthenticationCode")
	_, err = root.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String("000000"), AuthenticationCode2: aws.String("000000")})
	wantCode(t, err, "InvalidAuthenticationCode")
	c1, c2 := mfaCode(t, seed, now.Add(-30*time.Second)), mfaCode(t, seed, now)
	if _, err := root.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)}); err != nil {
		t.Fatal(err)
	}
	list, err := root.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: aws.String("alice")})
	if err != nil || len(list.MFADevices) != 1 || *list.MFADevices[0].SerialNumber != serial || *list.MFADevices[0].UserName != "alice" {
		t.Fatalf("ListMFADevices %+v %v", list, err)
	}
	as, err := root.ListVirtualMFADevices(ctx, &awsiam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned})
	if err != nil || len(as.VirtualMFADevices) != 1 || as.VirtualMFADevices[0].User == nil || *as.VirtualMFADevices[0].User.UserName != "alice" ||
		as.VirtualMFADevices[0].EnableDate == nil || len(as.VirtualMFADevices[0].Base32StringSeed) != 0 {
		t.Fatalf("assigned %+v %v", as, err)
	}
	// An enabled device cannot be deleted, nor its user.
	_, err = root.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	wantCode(t, err, "DeleteConflict")
	_, err = root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alice")})
	wantCode(t, err, "DeleteConflict")
	// Resync: the codes already used are refused; later ones work.
	_, err = root.ResyncMFADevice(ctx, &awsiam.ResyncMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
	wantCode(t, err, "InvalidAuthenticationCode")
	// Tags.
	if _, err := root.TagMFADevice(ctx, &awsiam.TagMFADeviceInput{SerialNumber: aws.String(serial), Tags: []types.Tag{{Key: aws.String("k2"), Value: aws.String("v2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.UntagMFADevice(ctx, &awsiam.UntagMFADeviceInput{SerialNumber: aws.String(serial), TagKeys: []string{"k"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := root.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: aws.String(serial)})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "k2" {
		t.Fatalf("tags %+v %v", tags, err)
	}
	// Deactivate, then delete.
	if _, err := root.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial)}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial)})
	wantCode(t, err, "NoSuchEntity")
	if _, err := root.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	wantCode(t, err, "NoSuchEntity")
	if _, err := root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatalf("DeleteUser after the device is gone: %v", err)
	}
}

func TestMFARootDevice(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	dev, err := root.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("root-account-mfa-device")})
	if err != nil {
		t.Fatal(err)
	}
	serial := *dev.VirtualMFADevice.SerialNumber
	if serial != "arn:aws:iam::"+testserver.AccountID+":mfa/root-account-mfa-device" {
		t.Fatalf("serial %s", serial)
	}
	seed := dev.VirtualMFADevice.Base32StringSeed
	now := time.Now()
	if _, err := root.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String(testserver.AccountID), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(mfaCode(t, seed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(mfaCode(t, seed, now))}); err != nil {
		t.Fatal(err)
	}
	list, err := root.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{})
	if err != nil || len(list.MFADevices) != 1 || *list.MFADevices[0].SerialNumber != serial {
		t.Fatalf("root devices %+v %v", list, err)
	}
	sum, err := root.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	if err != nil || sum.SummaryMap["AccountMFAEnabled"] != 1 {
		t.Fatalf("summary %v %v", sum.SummaryMap, err)
	}
	// The root user obtains MFA-authenticated session credentials (root's
	// sessions last at most one hour).
	st, err := srv.STSClient(testserver.RootKeyID, testserver.RootSecretKey).GetSessionToken(ctx, &sts.GetSessionTokenInput{
		DurationSeconds: aws.Int32(7200), SerialNumber: aws.String(serial), TokenCode: aws.String(mfaCode(t, seed, now.Add(30*time.Second)))})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(*st.Credentials.Expiration); d > time.Hour+time.Minute {
		t.Errorf("root session lasts %v", d)
	}
}

// TestVirtualMFADeviceQRCode: CreateVirtualMFADevice returns a scannable PNG
// beside the Base32 seed, as AWS does.
func TestVirtualMFADeviceQRCode(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	out, err := srv.RootIAM().CreateVirtualMFADevice(context.Background(), &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("qr")})
	if err != nil {
		t.Fatal(err)
	}
	png := out.VirtualMFADevice.QRCodePNG
	if len(png) < 100 || string(png[1:4]) != "PNG" {
		t.Fatalf("QRCodePNG is not a PNG (%d bytes)", len(png))
	}
	if len(out.VirtualMFADevice.Base32StringSeed) == 0 {
		t.Fatal("no Base32StringSeed")
	}
}

// GetMFADevice "Retrieves information about an MFA device for a specified
// user" (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetMFADevice.html):
// the user, serial number and enable date of a device enabled for the user
// (the caller when UserName is absent); NoSuchEntity otherwise.
func TestGetMFADevice(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	dev := srv.NewUserWithKey(t, "alice")
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	out, err := root.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone")})
	if err != nil {
		t.Fatal(err)
	}
	serial, seed := out.VirtualMFADevice.SerialNumber, out.VirtualMFADevice.Base32StringSeed
	// Not yet enabled: no user's device.
	_, err = root.GetMFADevice(ctx, &awsiam.GetMFADeviceInput{UserName: aws.String("alice"), SerialNumber: serial})
	wantCodeMessage(t, err, "NoSuchEntity", "MFA Device with serial number "+*serial+" does not exist.")
	now := time.Now()
	if _, err := root.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: serial,
		AuthenticationCode1: aws.String(mfaCode(t, seed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(mfaCode(t, seed, now))}); err != nil {
		t.Fatal(err)
	}
	got, err := root.GetMFADevice(ctx, &awsiam.GetMFADeviceInput{UserName: aws.String("alice"), SerialNumber: serial})
	if err != nil || *got.SerialNumber != *serial || aws.ToString(got.UserName) != "alice" || got.EnableDate == nil || len(got.Certifications) != 0 {
		t.Fatalf("GetMFADevice %+v %v", got, err)
	}
	if d := time.Since(*got.EnableDate); d < 0 || d > time.Minute {
		t.Errorf("enable date %v", got.EnableDate)
	}
	// Another user's device, an unknown serial and an unknown user.
	_, err = root.GetMFADevice(ctx, &awsiam.GetMFADeviceInput{UserName: aws.String("bob"), SerialNumber: serial})
	wantCode(t, err, "NoSuchEntity")
	_, err = root.GetMFADevice(ctx, &awsiam.GetMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String("arn:aws:iam::123456789012:mfa/none")})
	wantCode(t, err, "NoSuchEntity")
	_, err = root.GetMFADevice(ctx, &awsiam.GetMFADeviceInput{UserName: aws.String("nobody"), SerialNumber: serial})
	wantCodeMessage(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")

	// The caller's own device, authorized on its ARN (iam:GetMFADevice on
	// resource type user).
	_, err = dev.GetMFADevice(ctx, &awsiam.GetMFADeviceInput{SerialNumber: serial})
	wantCode(t, err, "AccessDenied")
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetMFADevice","Resource":"arn:aws:iam::123456789012:user/${aws:username}"}}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("mfa"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	got, err = dev.GetMFADevice(ctx, &awsiam.GetMFADeviceInput{SerialNumber: serial})
	if err != nil || aws.ToString(got.UserName) != "alice" {
		t.Fatalf("GetMFADevice as the caller %+v %v", got, err)
	}
}
