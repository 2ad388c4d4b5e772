package keyring

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// FileName is the name of the generated key file in the data directory.
const FileName = "master.key"

// Source says where a Keyring's keys came from.
type Source string

// The key sources, in order of preference.
const (
	SourceFile      Source = "file"
	SourceEnv       Source = "env"
	SourceGenerated Source = "datadir"
)

// Options says where Load finds the master key.
type Options struct {
	// KeyFile is the --master-key-file path, if given.
	KeyFile string
	// EnvValue is the value of GATEHOUSE_MASTER_KEY (see EnvVar), if set:
	// the standard base64 encoding of 32 bytes. The caller reads the
	// environment; this package does not.
	EnvValue string
	// DataDir is the data directory. When neither KeyFile nor EnvValue is
	// given, the key is read from DataDir/master.key, which is generated
	// (mode 0600, directory 0700) if missing.
	DataDir string
	// Rand supplies generated keys and nonces: crypto/rand.Reader in
	// production.
	Rand io.Reader
}

// Load builds the Keyring that opts describe. Giving both KeyFile and
// EnvValue is an error rather than a silent choice. Key files readable by
// group or others are refused.
func Load(opts Options) (*Keyring, error) {
	var (
		keys [][]byte
		src  Source
		err  error
	)
	switch {
	case opts.KeyFile != "" && opts.EnvValue != "":
		return nil, fmt.Errorf("keyring: both a master key file and %s are set; give one", EnvVar)
	case opts.KeyFile != "":
		keys, err = readKeyFile(opts.KeyFile)
		src = SourceFile
	case opts.EnvValue != "":
		var key []byte
		key, err = DecodeKey(opts.EnvValue)
		if err != nil {
			err = fmt.Errorf("%s: %w", EnvVar, err)
		}
		keys, src = [][]byte{key}, SourceEnv
	case opts.DataDir != "":
		keys, err = loadOrGenerate(opts.DataDir, opts.Rand)
		src = SourceGenerated
	default:
		return nil, fmt.Errorf("keyring: no master key: give a key file, %s or a data directory", EnvVar)
	}
	if err != nil {
		return nil, err
	}
	defer wipe(keys)
	k, err := New(opts.Rand, keys...)
	if err != nil {
		return nil, err
	}
	k.source = src
	return k, nil
}

func wipe(keys [][]byte) {
	for _, k := range keys {
		clear(k)
	}
}

// readKeyFile reads a key file after checking that only its owner can
// read it.
func readKeyFile(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keyring: open key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keyring: stat key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("keyring: key file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("keyring: key file %s has mode %04o; it must not be accessible to group or others (chmod 600)", path, perm)
	}
	data, err := io.ReadAll(io.LimitReader(f, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("keyring: read key file: %w", err)
	}
	defer clear(data)
	keys, err := parseKeyFile(data)
	if err != nil {
		return nil, fmt.Errorf("keyring: key file %s: %w", path, err)
	}
	return keys, nil
}

// loadOrGenerate reads dir/master.key, creating it first if it does not
// exist. The new file is written under a temporary name and linked into
// place, so a concurrent starter never reads a partial key: whoever links
// first wins and the other reads the winner's key.
func loadOrGenerate(dir string, rand io.Reader) ([][]byte, error) {
	path := filepath.Join(dir, FileName)
	keys, err := readKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return keys, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keyring: create data directory: %w", err)
	}
	key, err := GenerateKey(rand)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	if err := writeNewKeyFile(path, key); err != nil {
		return nil, err
	}
	return readKeyFile(path)
}

func writeNewKeyFile(path string, key []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), FileName+".tmp-*")
	if err != nil {
		return fmt.Errorf("keyring: create key file: %w", err)
	}
	defer os.Remove(tmp.Name()) // the link, if made, keeps the file
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("keyring: create key file: %w", err)
	}
	text := "# Gatehouse master key. Keep it secret and back it up: without it the\n" +
		"# stored secret access keys and MFA seeds cannot be decrypted.\n" +
		EncodeKey(key) + "\n"
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		return fmt.Errorf("keyring: write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("keyring: sync key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("keyring: close key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("keyring: install key file: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync() //nolint:errcheck // best effort: make the new name durable
		d.Close()
	}
	return nil
}
