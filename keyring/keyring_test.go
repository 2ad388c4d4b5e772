package keyring

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// testKey returns a fixed key whose bytes are all b.
func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func mustNew(t *testing.T, keys ...[]byte) *Keyring {
	t.Helper()
	k, err := New(rand.Reader, keys...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := mustNew(t, testKey(1))
	tests := []struct {
		name      string
		plaintext []byte
		ad        []byte
	}{
		{"secret access key", []byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), []byte("AKIAIOSFODNN7EXAMPLE")},
		{"empty plaintext", []byte{}, []byte("ad")},
		{"nil associated data", []byte("seed"), nil},
		{"binary", []byte{0, 255, 0, 1}, []byte{0}},
		{"64 KiB", bytes.Repeat([]byte("x"), 1<<16), []byte("big")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sealed, err := k.Seal(tc.plaintext, tc.ad)
			if err != nil {
				t.Fatalf("Seal: %v", err)
			}
			if len(sealed) != len(tc.plaintext)+Overhead {
				t.Errorf("sealed length = %d, want %d", len(sealed), len(tc.plaintext)+Overhead)
			}
			if len(tc.plaintext) >= 8 && bytes.Contains(sealed, tc.plaintext[:8]) {
				t.Errorf("sealed value contains the plaintext")
			}
			got, err := k.Open(sealed, tc.ad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tc.plaintext) {
				t.Errorf("Open = %q, want %q", got, tc.plaintext)
			}
		})
	}
}

func TestSealUsesInjectedRandomness(t *testing.T) {
	fixed := func() *Keyring {
		k, err := New(bytes.NewReader(bytes.Repeat([]byte{7}, 100)), testKey(1))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	a, err := fixed().Seal([]byte("p"), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fixed().Seal([]byte("p"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("same nonce stream gave different output: the nonce is not from the injected reader")
	}
	if !bytes.Equal(a[headerSize:headerSize+nonceSize], bytes.Repeat([]byte{7}, nonceSize)) {
		t.Errorf("nonce = %x, want the injected bytes", a[headerSize:headerSize+nonceSize])
	}
	// Real randomness: two seals of the same plaintext differ.
	k := mustNew(t, testKey(1))
	x, _ := k.Seal([]byte("p"), nil)
	y, _ := k.Seal([]byte("p"), nil)
	if bytes.Equal(x, y) {
		t.Errorf("two seals are identical")
	}
	// A failing reader is an error, not a zero nonce.
	bad, err := New(iotest.ErrReader(errors.New("no entropy")), testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.Seal([]byte("p"), nil); err == nil {
		t.Errorf("Seal with a failing reader succeeded")
	}
}

func TestOpenDetectsTampering(t *testing.T) {
	k := mustNew(t, testKey(1))
	ad := []byte("AKIAIOSFODNN7EXAMPLE")
	sealed, err := k.Seal([]byte("secret"), ad)
	if err != nil {
		t.Fatal(err)
	}
	// Every single-bit flip, anywhere, is caught.
	for i := range sealed {
		for bit := range 8 {
			c := bytes.Clone(sealed)
			c[i] ^= 1 << bit
			if _, err := k.Open(c, ad); err == nil {
				t.Fatalf("Open accepted a flip of bit %d of byte %d", bit, i)
			}
		}
	}
	tests := []struct {
		name    string
		sealed  []byte
		ad      []byte
		wantErr error
	}{
		{"other associated data", sealed, []byte("AKIAIOSFODNN7EXAMPLF"), ErrDecrypt},
		{"missing associated data", sealed, nil, ErrDecrypt},
		{"truncated tag", sealed[:len(sealed)-1], ad, ErrDecrypt},
		{"too short", sealed[:Overhead-1], ad, ErrDecrypt},
		{"empty", nil, ad, ErrDecrypt},
		{"extended", append(bytes.Clone(sealed), 0), ad, ErrDecrypt},
		{"unknown version", append([]byte{2}, sealed[1:]...), ad, ErrUnsupportedVersion},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := k.Open(tc.sealed, tc.ad); !errors.Is(err, tc.wantErr) {
				t.Errorf("Open: err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestWrongKeyAndRotation(t *testing.T) {
	oldRing := mustNew(t, testKey(1))
	otherRing := mustNew(t, testKey(2))
	sealedOld, err := oldRing.Seal([]byte("secret"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := otherRing.Open(sealedOld, []byte("ad")); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Open with another key: err = %v, want ErrUnknownKey", err)
	}
	// A forged key id does not help: the header is authenticated and the
	// key differs.
	forged := bytes.Clone(sealedOld)
	copy(forged[1:headerSize], mustID(t, otherRing))
	if _, err := otherRing.Open(forged, []byte("ad")); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Open of a forged key id: err = %v, want ErrDecrypt", err)
	}

	// After rotation the new key seals and the old one still opens.
	rotated := mustNew(t, testKey(1), testKey(2))
	if rotated.CurrentKeyID() != otherRing.CurrentKeyID() {
		t.Errorf("rotated keyring seals with %s, want the last key %s", rotated.CurrentKeyID(), otherRing.CurrentKeyID())
	}
	if got, err := rotated.Open(sealedOld, []byte("ad")); err != nil || string(got) != "secret" {
		t.Errorf("rotated keyring cannot open an old value: %q, %v", got, err)
	}
	sealedNew, err := rotated.Seal([]byte("new"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oldRing.Open(sealedNew, nil); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("old keyring opened a value sealed with the new key: %v", err)
	}
	if _, err := otherRing.Open(sealedNew, nil); err != nil {
		t.Errorf("new key alone cannot open its value: %v", err)
	}
}

func mustID(t *testing.T, k *Keyring) []byte {
	t.Helper()
	b, err := hex.DecodeString(k.CurrentKeyID())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		rand bool
		keys [][]byte
	}{
		{"no keys", true, nil},
		{"short key", true, [][]byte{make([]byte, 16)}},
		{"long key", true, [][]byte{make([]byte, 33)}},
		{"duplicate key", true, [][]byte{testKey(1), testKey(1)}},
		{"no randomness", false, [][]byte{testKey(1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.Reader
			if !tc.rand {
				r = nil
			}
			if _, err := New(r, tc.keys...); err == nil {
				t.Errorf("New accepted %s", tc.name)
			}
		})
	}
}

// secretForms are the printable forms of key in which it must never appear.
func secretForms(key []byte) []string {
	return []string{
		base64.StdEncoding.EncodeToString(key),
		base64.RawStdEncoding.EncodeToString(key),
		hex.EncodeToString(key),
		strings.ToUpper(hex.EncodeToString(key)),
		fmt.Sprint(key),
		string(key),
	}
}

func TestFormattingRevealsNoKey(t *testing.T) {
	key := []byte("0123456789abcdefghijklmnopqrstuv")
	k := mustNew(t, key)
	k.source = SourceEnv
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("loaded", "keyring", k)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("loaded", "keyring", k)
	outputs := []string{logged.String(), k.String(), k.GoString()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		outputs = append(outputs, fmt.Sprintf(verb, k), fmt.Sprintf(verb, *k), fmt.Sprintf(verb, []*Keyring{k}))
	}
	for _, out := range outputs {
		for _, form := range secretForms(key) {
			if strings.Contains(out, form) {
				t.Fatalf("output reveals the key: %q", out)
			}
		}
		// The key schedule starts with the key itself.
		if strings.Contains(out, "0123456789") || strings.Contains(out, "30313233") {
			t.Fatalf("output reveals key bytes: %q", out)
		}
	}
	if !strings.Contains(k.String(), k.CurrentKeyID()) || !strings.Contains(k.String(), "env") {
		t.Errorf("String = %q, want the key id and source", k.String())
	}
}

// writeFile writes a key file with mode perm (set explicitly: umask applies
// to WriteFile).
func writeFile(t *testing.T, path, content string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

func TestLoad(t *testing.T) {
	k1, k2 := testKey(1), testKey(2)
	enc1, enc2 := EncodeKey(k1), EncodeKey(k2)
	dir := t.TempDir()
	file := func(name, content string, perm os.FileMode) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, content, perm)
		return p
	}
	good := file("good.key", enc1+"\n", 0o600)
	rotated := file("rotated.key", "# old\n"+enc1+"\n\n# new\n"+enc2+"\n", 0o400)
	groupReadable := file("group.key", enc1, 0o640)
	worldReadable := file("world.key", enc1, 0o604)
	empty := file("empty.key", "# nothing\n\n", 0o600)
	garbage := file("garbage.key", "not base64 at all!\n", 0o600)
	short := file("short.key", base64.StdEncoding.EncodeToString(make([]byte, 16)), 0o600)

	tests := []struct {
		name        string
		opts        Options
		wantID      []byte // the key that must seal
		wantSource  Source
		wantErrText string
	}{
		{name: "key file", opts: Options{KeyFile: good}, wantID: k1, wantSource: SourceFile},
		{name: "key file with rotation", opts: Options{KeyFile: rotated}, wantID: k2, wantSource: SourceFile},
		{name: "env", opts: Options{EnvValue: enc2}, wantID: k2, wantSource: SourceEnv},
		{name: "env unpadded with spaces", opts: Options{EnvValue: " " + strings.TrimRight(enc2, "=") + "\n"}, wantID: k2, wantSource: SourceEnv},
		{name: "file wins over data dir", opts: Options{KeyFile: good, DataDir: dir}, wantID: k1, wantSource: SourceFile},
		{name: "file and env", opts: Options{KeyFile: good, EnvValue: enc2}, wantErrText: "give one"},
		{name: "group-readable file", opts: Options{KeyFile: groupReadable}, wantErrText: "chmod 600"},
		{name: "world-readable file", opts: Options{KeyFile: worldReadable}, wantErrText: "chmod 600"},
		{name: "missing file", opts: Options{KeyFile: filepath.Join(dir, "nope")}, wantErrText: "open key file"},
		{name: "directory as file", opts: Options{KeyFile: dir}, wantErrText: "key file"},
		{name: "empty file", opts: Options{KeyFile: empty}, wantErrText: "no key"},
		{name: "garbage file", opts: Options{KeyFile: garbage}, wantErrText: "line 1: keyring: key is not valid base64"},
		{name: "short key in file", opts: Options{KeyFile: short}, wantErrText: "16 bytes, want 32"},
		{name: "env not base64", opts: Options{EnvValue: "%%%secret%%%"}, wantErrText: "not valid base64"},
		{name: "env short", opts: Options{EnvValue: base64.StdEncoding.EncodeToString([]byte("sixteen byte key"))}, wantErrText: "16 bytes, want 32"},
		{name: "env long", opts: Options{EnvValue: base64.StdEncoding.EncodeToString(make([]byte, 64))}, wantErrText: "64 bytes, want 32"},
		{name: "nothing", opts: Options{}, wantErrText: "no master key"},
		{name: "no randomness", opts: Options{EnvValue: enc1, Rand: nil}, wantErrText: "randomness"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name != "no randomness" {
				tc.opts.Rand = rand.Reader
			}
			k, err := Load(tc.opts)
			if tc.wantErrText != "" {
				if err == nil {
					t.Fatalf("Load succeeded, want an error mentioning %q", tc.wantErrText)
				}
				if !strings.Contains(err.Error(), tc.wantErrText) {
					t.Errorf("err = %v, want it to mention %q", err, tc.wantErrText)
				}
				for _, secret := range []string{tc.opts.EnvValue, "secret", "sixteen"} {
					if secret != "" && strings.Contains(err.Error(), strings.TrimSpace(secret)) {
						t.Errorf("error %q quotes the key material", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if want := mustNew(t, tc.wantID).CurrentKeyID(); k.CurrentKeyID() != want {
				t.Errorf("sealing key id = %s, want %s", k.CurrentKeyID(), want)
			}
			if k.Source() != tc.wantSource {
				t.Errorf("Source = %q, want %q", k.Source(), tc.wantSource)
			}
		})
	}
}

func TestLoadGeneratesOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	k1, err := Load(Options{DataDir: dir, Rand: rand.Reader})
	if err != nil {
		t.Fatalf("first Load: %v", err)
	}
	if k1.Source() != SourceGenerated {
		t.Errorf("Source = %q, want %q", k1.Source(), SourceGenerated)
	}
	path := filepath.Join(dir, FileName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("key file not created: %v", err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", perm)
	}
	if di, err := os.Stat(dir); err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode = %v, %v; want 0700", di.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only %s (temp file left behind?)", len(entries), FileName)
	}
	sealed, err := k1.Seal([]byte("secret"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}

	// A second start reads the same key instead of generating a new one.
	k2, err := Load(Options{DataDir: dir, Rand: rand.Reader})
	if err != nil {
		t.Fatalf("second Load: %v", err)
	}
	if got, err := k2.Open(sealed, []byte("ad")); err != nil || string(got) != "secret" {
		t.Errorf("reloaded keyring cannot open: %q, %v", got, err)
	}

	// The generated file is a valid --master-key-file.
	if k3, err := Load(Options{KeyFile: path, Rand: rand.Reader}); err != nil || k3.CurrentKeyID() != k1.CurrentKeyID() {
		t.Errorf("generated file as key file: %v", err)
	}

	// A generated file that became readable by others is refused.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(Options{DataDir: dir, Rand: rand.Reader}); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("Load of a world-readable generated key: err = %v", err)
	}
}

func TestLoadGenerateFailingRandomness(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(Options{DataDir: dir, Rand: iotest.ErrReader(errors.New("no entropy"))}); err == nil {
		t.Fatal("Load generated a key from a failing reader")
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err == nil {
		t.Error("a key file was written despite the failure")
	}
}

func TestDecodeEncodeKey(t *testing.T) {
	key := testKey(9)
	got, err := DecodeKey(EncodeKey(key))
	if err != nil || !bytes.Equal(got, key) {
		t.Errorf("DecodeKey(EncodeKey(k)) = %x, %v", got, err)
	}
	gen, err := GenerateKey(bytes.NewReader(bytes.Repeat([]byte{3}, KeySize)))
	if err != nil || !bytes.Equal(gen, bytes.Repeat([]byte{3}, KeySize)) {
		t.Errorf("GenerateKey did not use the injected reader: %x, %v", gen, err)
	}
	if _, err := GenerateKey(bytes.NewReader(make([]byte, 5))); err == nil {
		t.Error("GenerateKey accepted a short read")
	}
}

func BenchmarkSeal(b *testing.B) {
	k, err := New(rand.Reader, testKey(1))
	if err != nil {
		b.Fatal(err)
	}
	secret := []byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	for b.Loop() {
		if _, err := k.Seal(secret, []byte("AKIAIOSFODNN7EXAMPLE")); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	k, err := New(rand.Reader, testKey(1))
	if err != nil {
		b.Fatal(err)
	}
	ad := []byte("AKIAIOSFODNN7EXAMPLE")
	sealed, err := k.Seal([]byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), ad)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := k.Open(sealed, ad); err != nil {
			b.Fatal(err)
		}
	}
}
