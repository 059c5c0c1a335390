package auth

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LoadOrCreateKey reads the base64 Ed25519 seed at path, creating it (mode
// 0600) with a new key when the file does not exist. The local launcher keeps
// its token signing key in the data directory this way, so tokens survive a
// restart.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := DecodePrivateKey(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("auth: read key: %w", err)
	}
	_, priv, err := GenerateKey()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("auth: key dir: %w", err)
	}
	if err := os.WriteFile(path, []byte(EncodePrivateKey(priv)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("auth: write key: %w", err)
	}
	return priv, nil
}
