package iam

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"image/png"
	"net/url"
	"strconv"
	"time"

	"github.com/pquerna/otp"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Virtual MFA devices: TOTP (RFC 6238) with HMAC-SHA1, six digits and a
// 30-second step, as AWS's virtual devices (and every authenticator app) use.
// Seeds are 20 random bytes sealed by the keyring with the serial number as
// associated data; a code is accepted once (the device remembers the last
// accepted time step).
const (
	totpStep   = 30
	totpDigits = 6
	seedSize   = 20
	// maxMFADevicesPerUser is IAM's quota of MFA devices per user.
	maxMFADevicesPerUser = 8
	// verifyWindow is how many steps a code may lag or lead the clock when
	// used to sign in or obtain credentials; enableWindow is how far back two
	// consecutive codes may be when enabling a device, resyncWindow when
	// resynchronizing one.
	verifyWindow = 1
	enableWindow = 10
	resyncWindow = 240
)

// totp computes the code of seed for time step counter.
func totp(seed []byte, counter int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	m := hmac.New(sha1.New, seed)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	s := strconv.FormatUint(uint64(v%1_000_000), 10)
	for len(s) < totpDigits {
		s = "0" + s
	}
	return s
}

// codeMatches compares codes in constant time.
func codeMatches(seed []byte, counter int64, code string) bool {
	return subtle.ConstantTimeCompare([]byte(totp(seed, counter)), []byte(code)) == 1
}

// stepOf is the TOTP time step of t.
func stepOf(t time.Time) int64 { return t.Unix() / totpStep }

// consecutive finds the step n, after last and within window steps before
// now (or one after), at which code1 and code2 are the codes of n and n+1.
func consecutive(seed []byte, now time.Time, last int64, window int64, code1, code2 string) (int64, bool) {
	cur := stepOf(now)
	for n := cur - window; n <= cur; n++ {
		if n <= last {
			continue
		}
		if codeMatches(seed, n, code1) && codeMatches(seed, n+1, code2) {
			return n + 1, true
		}
	}
	return 0, false
}

func invalidCode() *awserr.Error {
	return awserr.InvalidAuthenticationCode("Authentication code for device is not valid.")
}

func noSuchMFA(serial string) *awserr.Error {
	return awserr.NoSuchEntity("VirtualMFADevice with serial number %s does not exist.", serial)
}

// getMFA reads an MFA device of the account, or NoSuchEntity.
func getMFA(ctx context.Context, tx store.ReadTx, account, serial string) (store.MFADevice, error) {
	d, err := store.GetJSON[store.MFADevice](ctx, tx, store.KindMFADevice, account, store.MFADeviceKey(serial))
	if isNotFound(err) {
		return d, noSuchMFA(serial)
	}
	return d, err
}

// openSeed unseals a device's seed.
func (s *Service) openSeed(d store.MFADevice) ([]byte, error) {
	seed, err := s.keys.Open(d.SeedCiphertext, []byte(d.SerialNumber))
	if err != nil {
		return nil, fmtErr("opening the seed of an MFA device: %w", err)
	}
	return seed, nil
}

// isRootDevice reports whether serial is the account root's virtual device.
func isRootDevice(account, serial string) bool { return serial == rootMFASerial(account) }

// VerifyMFA checks a one-time code of the MFA device serial enabled for user
// userName ("" for the root user) of account, for STS (AssumeRole,
// GetSessionToken). A code is accepted once. Failures are AccessDenied with
// AWS's messages.
func (s *Service) VerifyMFA(ctx context.Context, account, userName, serial, code string) error {
	unknown := awserr.AccessDenied("MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.")
	return s.update(ctx, func(tx store.Tx) error {
		d, err := store.GetJSON[store.MFADevice](ctx, tx, store.KindMFADevice, account, store.MFADeviceKey(serial))
		if isNotFound(err) {
			return unknown
		}
		if err != nil {
			return err
		}
		owned := !d.EnableDate.IsZero() && store.UserKey(d.UserName) == store.UserKey(userName) && (userName != "" || isRootDevice(account, serial))
		if !owned {
			return unknown
		}
		seed, err := s.openSeed(d)
		if err != nil {
			return err
		}
		cur := stepOf(s.now())
		for n := cur - verifyWindow; n <= cur+verifyWindow; n++ {
			if n > d.LastCounter && codeMatches(seed, n, code) {
				d.LastCounter = n
				return store.PutJSON(ctx, tx, store.KindMFADevice, account, store.MFADeviceKey(serial), d)
			}
		}
		return awserr.AccessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code. ")
	})
}

func (s *Service) mfaOps() []Op {
	return []Op{
		op("CreateVirtualMFADevice", func(ctx context.Context, c *identity.Caller, in *iamapi.CreateVirtualMFADeviceRequest) (Authz, error) {
			return Authz{Action: "iam:CreateVirtualMFADevice", Resource: arn.MFADevice(c.Account, pathOr(in.Path), in.VirtualMFADeviceName), Context: requestTagContext(in.Tags)}, nil
		}, s.createVirtualMFADevice),
		op("EnableMFADevice", func(ctx context.Context, c *identity.Caller, in *iamapi.EnableMFADeviceRequest) (Authz, error) {
			return s.mfaUserAuthz(ctx, c, "iam:EnableMFADevice", &in.UserName, in.SerialNumber)
		}, s.enableMFADevice),
		op("ResyncMFADevice", func(ctx context.Context, c *identity.Caller, in *iamapi.ResyncMFADeviceRequest) (Authz, error) {
			return s.mfaUserAuthz(ctx, c, "iam:ResyncMFADevice", &in.UserName, in.SerialNumber)
		}, s.resyncMFADevice),
		op("DeactivateMFADevice", func(ctx context.Context, c *identity.Caller, in *iamapi.DeactivateMFADeviceRequest) (Authz, error) {
			return s.mfaUserAuthz(ctx, c, "iam:DeactivateMFADevice", in.UserName, in.SerialNumber)
		}, s.deactivateMFADevice),
		op("DeleteVirtualMFADevice", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteVirtualMFADeviceRequest) (Authz, error) {
			return Authz{Action: "iam:DeleteVirtualMFADevice", Resource: in.SerialNumber}, nil
		}, s.deleteVirtualMFADevice),
		op("ListMFADevices", func(ctx context.Context, c *identity.Caller, in *iamapi.ListMFADevicesRequest) (Authz, error) {
			return s.mfaUserAuthz(ctx, c, "iam:ListMFADevices", in.UserName, "")
		}, s.listMFADevices),
		op("GetMFADevice", func(ctx context.Context, c *identity.Caller, in *iamapi.GetMFADeviceRequest) (Authz, error) {
			return s.mfaUserAuthz(ctx, c, "iam:GetMFADevice", in.UserName, in.SerialNumber)
		}, s.getMFADevice),
		op("ListVirtualMFADevices", func(ctx context.Context, c *identity.Caller, in *iamapi.ListVirtualMFADevicesRequest) (Authz, error) {
			return Authz{Action: "iam:ListVirtualMFADevices", Resource: "*"}, nil
		}, s.listVirtualMFADevices),
		op("TagMFADevice", func(ctx context.Context, c *identity.Caller, in *iamapi.TagMFADeviceRequest) (Authz, error) {
			a, err := s.mfaAuthz(ctx, c, "iam:TagMFADevice", in.SerialNumber)
			a.Context = mergeContext(a.Context, requestTagContext(in.Tags))
			return a, err
		}, s.tagMFADevice),
		op("UntagMFADevice", func(ctx context.Context, c *identity.Caller, in *iamapi.UntagMFADeviceRequest) (Authz, error) {
			a, err := s.mfaAuthz(ctx, c, "iam:UntagMFADevice", in.SerialNumber)
			a.Context = withKey(a.Context, "aws:TagKeys", in.TagKeys...)
			return a, err
		}, s.untagMFADevice),
		op("ListMFADeviceTags", func(ctx context.Context, c *identity.Caller, in *iamapi.ListMFADeviceTagsRequest) (Authz, error) {
			return s.mfaAuthz(ctx, c, "iam:ListMFADeviceTags", in.SerialNumber)
		}, s.listMFADeviceTags),
	}
}

// mfaUserAuthz authorizes a call on the MFA devices of a user: the user's
// ARN (the caller itself when UserName is absent; the root for its device).
func (s *Service) mfaUserAuthz(ctx context.Context, c *identity.Caller, action string, name *string, serial string) (Authz, error) {
	if c.IsRoot() && (isRootDevice(c.Account, serial) || name == nil || *name == "") {
		return Authz{Action: action, Resource: c.ARN()}, nil
	}
	user, err := callerUserName(c, name)
	if err != nil {
		return Authz{}, err
	}
	return s.userAuthz(ctx, c, action, user)
}

// mfaAuthz describes a call on a virtual MFA device, with its tags.
func (s *Service) mfaAuthz(ctx context.Context, c *identity.Caller, action, serial string) (Authz, error) {
	a := Authz{Action: action, Resource: serial}
	err := s.view(ctx, func(tx store.ReadTx) error {
		d, err := store.GetJSON[store.MFADevice](ctx, tx, store.KindMFADevice, c.Account, store.MFADeviceKey(serial))
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		a.Context = resourceTagContext(a.Context, d.Tags)
		return nil
	})
	return a, err
}

func (s *Service) createVirtualMFADevice(ctx context.Context, c *identity.Caller, in *iamapi.CreateVirtualMFADeviceRequest) (*iamapi.CreateVirtualMFADeviceResponse, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	serial := arn.MFADevice(c.Account, pathOr(in.Path), in.VirtualMFADeviceName)
	seed := make([]byte, seedSize)
	if _, err := s.rand.Read(seed); err != nil {
		return nil, fmtErr("generating an MFA seed: %w", err)
	}
	sealed, err := s.keys.Seal(seed, []byte(serial))
	if err != nil {
		return nil, fmtErr("sealing an MFA seed: %w", err)
	}
	d := store.MFADevice{SerialNumber: serial, SeedCiphertext: sealed, CreateDate: s.now().UTC().Truncate(time.Second), Tags: storeTags(in.Tags)}
	err = s.update(ctx, func(tx store.Tx) error {
		if err := store.CreateJSON(ctx, tx, store.KindMFADevice, c.Account, store.MFADeviceKey(serial), d); err != nil {
			if isExists(err) {
				return awserr.EntityAlreadyExists("MFADevice entity at the same path and name already exists.")
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	b32 := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(seed)
	png, err := qrCodePNG(in.VirtualMFADeviceName, c.Account, b32)
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateVirtualMFADeviceResponse{VirtualMFADevice: iamapi.VirtualMFADevice{
		SerialNumber: serial, Base32StringSeed: []byte(b32), QRCodePNG: png, Tags: tagsOut(d.Tags),
	}}, nil
}

// qrCodePNG renders the otpauth URI of a virtual MFA device as a QR code PNG, as
// AWS returns it for authenticator apps to scan:
// otpauth://totp/Amazon Web Services:NAME@ACCOUNT?secret=SEED&issuer=Amazon Web Services.
func qrCodePNG(name, account, b32 string) ([]byte, error) {
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/Amazon Web Services:" + name + "@" + account,
		RawQuery: url.Values{"secret": {b32}, "issuer": {"Amazon Web Services"}}.Encode()}
	key, err := otp.NewKeyFromURL(u.String())
	if err != nil {
		return nil, fmtErr("building the otpauth URI: %w", err)
	}
	img, err := key.Image(256, 256)
	if err != nil {
		return nil, fmtErr("rendering the QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmtErr("encoding the QR code: %w", err)
	}
	return buf.Bytes(), nil
}

// deviceOwner resolves whose device an Enable/Resync/Deactivate call means:
// the root user ("") for the root's device called by the root, else the user.
func deviceOwner(c *identity.Caller, name *string, serial string) (string, error) {
	if c.IsRoot() && isRootDevice(c.Account, serial) {
		return "", nil
	}
	return callerUserName(c, name)
}

func (s *Service) enableMFADevice(ctx context.Context, c *identity.Caller, in *iamapi.EnableMFADeviceRequest) (*noOutput, error) {
	owner, err := deviceOwner(c, &in.UserName, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	if isRootDevice(c.Account, in.SerialNumber) && owner != "" {
		return nil, awserr.InvalidInput("The root account MFA device can be enabled only by the root user.")
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		if owner != "" {
			if _, err := getUser(ctx, tx, c.Account, owner); err != nil {
				return err
			}
		}
		d, err := getMFA(ctx, tx, c.Account, in.SerialNumber)
		if err != nil {
			return err
		}
		if !d.EnableDate.IsZero() {
			return awserr.EntityAlreadyExists("MFA Device is already in use.")
		}
		if owner != "" {
			all, err := store.ListValues[store.MFADevice](ctx, tx, store.ListOptions{Kind: store.KindMFADevice, Account: c.Account})
			if err != nil {
				return err
			}
			n := 0
			for _, o := range all {
				if !o.EnableDate.IsZero() && o.UserName != "" && store.UserKey(o.UserName) == store.UserKey(owner) {
					n++
				}
			}
			if n >= maxMFADevicesPerUser {
				return awserr.LimitExceeded("Cannot exceed quota for MFADevicesPerUser: %d", maxMFADevicesPerUser)
			}
		}
		seed, err := s.openSeed(d)
		if err != nil {
			return err
		}
		last, ok := consecutive(seed, s.now(), d.LastCounter, enableWindow, in.AuthenticationCode1, in.AuthenticationCode2)
		if !ok {
			return invalidCode()
		}
		d.UserName, d.EnableDate, d.LastCounter = owner, s.now().UTC().Truncate(time.Second), last
		return store.PutJSON(ctx, tx, store.KindMFADevice, c.Account, store.MFADeviceKey(d.SerialNumber), d)
	}))
}

// enabledFor reads a device and checks that it is enabled for owner.
func enabledFor(ctx context.Context, tx store.ReadTx, account, owner, serial string) (store.MFADevice, error) {
	d, err := store.GetJSON[store.MFADevice](ctx, tx, store.KindMFADevice, account, store.MFADeviceKey(serial))
	if isNotFound(err) || (err == nil && (d.EnableDate.IsZero() || store.UserKey(d.UserName) != store.UserKey(owner))) {
		return d, awserr.NoSuchEntity("MFA Device with serial number %s does not exist.", serial)
	}
	return d, err
}

func (s *Service) resyncMFADevice(ctx context.Context, c *identity.Caller, in *iamapi.ResyncMFADeviceRequest) (*noOutput, error) {
	owner, err := deviceOwner(c, &in.UserName, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		d, err := enabledFor(ctx, tx, c.Account, owner, in.SerialNumber)
		if err != nil {
			return err
		}
		seed, err := s.openSeed(d)
		if err != nil {
			return err
		}
		last, ok := consecutive(seed, s.now(), d.LastCounter, resyncWindow, in.AuthenticationCode1, in.AuthenticationCode2)
		if !ok {
			return invalidCode()
		}
		d.LastCounter = last
		return store.PutJSON(ctx, tx, store.KindMFADevice, c.Account, store.MFADeviceKey(d.SerialNumber), d)
	}))
}

func (s *Service) deactivateMFADevice(ctx context.Context, c *identity.Caller, in *iamapi.DeactivateMFADeviceRequest) (*noOutput, error) {
	owner, err := deviceOwner(c, in.UserName, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		d, err := enabledFor(ctx, tx, c.Account, owner, in.SerialNumber)
		if err != nil {
			return err
		}
		// The device stays, unassigned; its last accepted step is kept so
		// that no code is ever accepted twice.
		d.UserName, d.EnableDate = "", time.Time{}
		return store.PutJSON(ctx, tx, store.KindMFADevice, c.Account, store.MFADeviceKey(d.SerialNumber), d)
	}))
}

func (s *Service) deleteVirtualMFADevice(ctx context.Context, c *identity.Caller, in *iamapi.DeleteVirtualMFADeviceRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		d, err := getMFA(ctx, tx, c.Account, in.SerialNumber)
		if err != nil {
			return err
		}
		if !d.EnableDate.IsZero() {
			return awserr.DeleteConflict("MFA device is still in use and must be deactivated first.")
		}
		return tx.Delete(ctx, store.KindMFADevice, c.Account, store.MFADeviceKey(d.SerialNumber))
	}))
}

func (s *Service) listMFADevices(ctx context.Context, c *identity.Caller, in *iamapi.ListMFADevicesRequest) (*iamapi.ListMFADevicesResponse, error) {
	owner := ""
	if !(c.IsRoot() && (in.UserName == nil || *in.UserName == "")) {
		var err error
		if owner, err = callerUserName(c, in.UserName); err != nil {
			return nil, err
		}
	}
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListMFADevicesResponse{MFADevices: []iamapi.MFADevice{}}
	err = s.view(ctx, func(tx store.ReadTx) error {
		if owner != "" {
			if _, err := getUser(ctx, tx, c.Account, owner); err != nil {
				return err
			}
		}
		ds, truncated, marker, err := listPage(ctx, tx, store.ListOptions{Kind: store.KindMFADevice, Account: c.Account}, p, func(d store.MFADevice) bool {
			if d.EnableDate.IsZero() {
				return false
			}
			if owner == "" {
				return d.UserName == "" && isRootDevice(c.Account, d.SerialNumber)
			}
			return store.UserKey(d.UserName) == store.UserKey(owner)
		})
		if err != nil {
			return err
		}
		for _, d := range ds {
			name := d.UserName
			if name == "" {
				name = c.Account
			}
			out.MFADevices = append(out.MFADevices, iamapi.MFADevice{UserName: name, SerialNumber: d.SerialNumber, EnableDate: d.EnableDate})
		}
		out.IsTruncated, out.Marker = truncatedOut(truncated, marker)
		return nil
	})
	return out, err
}

func (s *Service) listVirtualMFADevices(ctx context.Context, c *identity.Caller, in *iamapi.ListVirtualMFADevicesRequest) (*iamapi.ListVirtualMFADevicesResponse, error) {
	status := iamapi.AssignmentStatusTypeAny
	if in.AssignmentStatus != nil {
		status = *in.AssignmentStatus
	}
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListVirtualMFADevicesResponse{VirtualMFADevices: []iamapi.VirtualMFADevice{}}
	err = s.view(ctx, func(tx store.ReadTx) error {
		ds, truncated, marker, err := listPage(ctx, tx, store.ListOptions{Kind: store.KindMFADevice, Account: c.Account}, p, func(d store.MFADevice) bool {
			switch status {
			case iamapi.AssignmentStatusTypeAssigned:
				return !d.EnableDate.IsZero()
			case iamapi.AssignmentStatusTypeUnassigned:
				return d.EnableDate.IsZero()
			}
			return true
		})
		if err != nil {
			return err
		}
		for _, d := range ds {
			// "this operation does not return tags, even though they are an
			// attribute of the returned object" (API_ListVirtualMFADevices.html).
			v := iamapi.VirtualMFADevice{SerialNumber: d.SerialNumber}
			if !d.EnableDate.IsZero() {
				v.EnableDate = ptr(d.EnableDate)
				if d.UserName == "" {
					v.User = &iamapi.User{Path: "/", UserName: c.Account, UserId: c.Account, Arn: arn.Root(c.Account), CreateDate: d.EnableDate}
				} else if u, err := store.GetJSON[store.User](ctx, tx, store.KindUser, c.Account, store.UserKey(d.UserName)); err == nil {
					v.User = userListOut(u)
				} else if !isNotFound(err) {
					return err
				}
			}
			out.VirtualMFADevices = append(out.VirtualMFADevices, v)
		}
		out.IsTruncated, out.Marker = truncatedOut(truncated, marker)
		return nil
	})
	return out, err
}

// modifyMFA applies fn to a device in a transaction.
func (s *Service) modifyMFA(ctx context.Context, account, serial string, fn func(d *store.MFADevice) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		d, err := getMFA(ctx, tx, account, serial)
		if err != nil {
			return err
		}
		if err := fn(&d); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, store.KindMFADevice, account, store.MFADeviceKey(d.SerialNumber), d)
	})
}

func (s *Service) tagMFADevice(ctx context.Context, c *identity.Caller, in *iamapi.TagMFADeviceRequest) (*noOutput, error) {
	return done(s.modifyMFA(ctx, c.Account, in.SerialNumber, func(d *store.MFADevice) error {
		tags, err := mergeTags(d.Tags, in.Tags)
		d.Tags = tags
		return err
	}))
}

func (s *Service) untagMFADevice(ctx context.Context, c *identity.Caller, in *iamapi.UntagMFADeviceRequest) (*noOutput, error) {
	return done(s.modifyMFA(ctx, c.Account, in.SerialNumber, func(d *store.MFADevice) error {
		d.Tags = removeTags(d.Tags, in.TagKeys)
		return nil
	}))
}

func (s *Service) listMFADeviceTags(ctx context.Context, c *identity.Caller, in *iamapi.ListMFADeviceTagsRequest) (*iamapi.ListMFADeviceTagsResponse, error) {
	var d store.MFADevice
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		d, err = getMFA(ctx, tx, c.Account, in.SerialNumber)
		return err
	})
	if err != nil {
		return nil, err
	}
	return listTagsPage(d.Tags, in.Marker, in.MaxItems, func(tags []iamapi.Tag, truncated *bool, marker *string) *iamapi.ListMFADeviceTagsResponse {
		return &iamapi.ListMFADeviceTagsResponse{Tags: tags, IsTruncated: truncated, Marker: marker}
	})
}

// getMFADevice returns an MFA device enabled for a user (the caller when
// UserName is absent; the root user for its own device). AWS documents the
// operation for FIDO security keys, whose certifications it reports
// (API_GetMFADevice); Gatehouse's devices are virtual and have none, so
// Certifications is absent.
func (s *Service) getMFADevice(ctx context.Context, c *identity.Caller, in *iamapi.GetMFADeviceRequest) (*iamapi.GetMFADeviceResponse, error) {
	owner, err := deviceOwner(c, in.UserName, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	var d store.MFADevice
	err = s.view(ctx, func(tx store.ReadTx) error {
		if owner != "" {
			if _, err := getUser(ctx, tx, c.Account, owner); err != nil {
				return err
			}
		}
		d, err = enabledFor(ctx, tx, c.Account, owner, in.SerialNumber)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &iamapi.GetMFADeviceResponse{SerialNumber: d.SerialNumber, EnableDate: ptr(d.EnableDate)}
	if d.UserName != "" {
		out.UserName = ptr(d.UserName)
	}
	return out, nil
}
