// Package ids makes object ids: 20 lower-case base32 characters, the first
// eight from the creation time in milliseconds so ids sort roughly by age,
// the rest random.
package ids

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"time"
)

var enc = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// New returns a new id.
func New() string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<24)
	_, _ = rand.Read(b[5:])
	return enc.EncodeToString(b[:])[:20]
}

// Valid reports whether s looks like an id from New (a cheap check before a
// lookup).
func Valid(s string) bool {
	if len(s) != 20 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefghjkmnpqrstvwxyz", r) {
			return false
		}
	}
	return true
}
