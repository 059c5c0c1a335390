package meiliindex

import (
	"encoding/binary"
	"errors"
	"math"
	"unsafe"

	"github.com/qihang-hz/qihang/services/match/index"
)

// The engine keeps every document it wrote in memory, so that a hit needs
// no stored fields from Meilisearch. Kept decoded (three maps and a score
// of strings and slices each), 100,000 firms were about half of the live
// heap of the all-in-one process, and so about half of the marking of every
// garbage collection, which on two cores takes the CPU Meilisearch needs.
// So a document is kept packed in one byte slice, which the collector does
// not look into, and unpacked for each hit: its strings and payload point
// into the packed bytes; only the maps and one slice of keyword values are
// new.
//
// The format: version (varint), title, then text, keywords (with the
// number of values of all fields first) and numbers as a count and
// entries, then the payload. Strings are a uvarint length and the bytes.
// Counts of maps, lists and the payload are uvarints holding n+1, 0
// standing for nil, so that a document unpacks exactly as it was written.

// packDoc encodes d (its ID aside: the cache key holds it).
func packDoc(d index.Document) []byte {
	n := 16 + len(d.Title) + len(d.Payload)
	for k, v := range d.Text {
		n += 8 + len(k) + len(v)
	}
	for k, vs := range d.Keywords {
		n += 8 + len(k)
		for _, v := range vs {
			n += 4 + len(v)
		}
	}
	n += len(d.Numbers) * 16
	b := make([]byte, 0, n)
	b = binary.AppendVarint(b, d.Version)
	b = appendString(b, d.Title)
	b = appendCount(b, len(d.Text), d.Text == nil)
	for k, v := range d.Text {
		b = appendString(appendString(b, k), v)
	}
	b = appendCount(b, len(d.Keywords), d.Keywords == nil)
	if d.Keywords != nil {
		values := 0
		for _, vs := range d.Keywords {
			values += len(vs)
		}
		b = binary.AppendUvarint(b, uint64(values))
	}
	for k, vs := range d.Keywords {
		b = appendString(b, k)
		b = appendCount(b, len(vs), vs == nil)
		for _, v := range vs {
			b = appendString(b, v)
		}
	}
	b = appendCount(b, len(d.Numbers), d.Numbers == nil)
	for k, v := range d.Numbers {
		b = appendString(b, k)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	b = appendCount(b, len(d.Payload), d.Payload == nil)
	b = append(b, d.Payload...)
	// Exactly sized: the cache holds it for the document's life.
	return b[:len(b):len(b)]
}

func appendCount(b []byte, n int, isNil bool) []byte {
	if isNil {
		return binary.AppendUvarint(b, 0)
	}
	return binary.AppendUvarint(b, uint64(n)+1)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

var errPacked = errors.New("meiliindex: corrupt packed document")

// unpacker reads a packed document; the first error sticks.
type unpacker struct {
	b   []byte
	off int
	err error
}

func (u *unpacker) uvarint() uint64 {
	if u.err != nil {
		return 0
	}
	v, n := binary.Uvarint(u.b[u.off:])
	if n <= 0 {
		u.err = errPacked
		return 0
	}
	u.off += n
	return v
}

// count reads a count written by appendCount: -1 for nil.
func (u *unpacker) count() int {
	v := u.uvarint()
	if v > uint64(len(u.b)) {
		u.err = errPacked
		return -1
	}
	return int(v) - 1
}

// bytes returns the next n bytes, without copying them.
func (u *unpacker) bytes(n uint64) []byte {
	if u.err != nil || n > uint64(len(u.b)-u.off) {
		u.err = errPacked
		return nil
	}
	s := u.b[u.off : u.off+int(n) : u.off+int(n)]
	u.off += int(n)
	return s
}

// string returns the next string, pointing into the packed bytes (which
// are never written after packDoc).
func (u *unpacker) string() string {
	s := u.bytes(u.uvarint())
	if len(s) == 0 {
		return ""
	}
	return unsafe.String(&s[0], len(s))
}

// unpackDoc decodes what packDoc wrote, with id as the document's ID.
func unpackDoc(id string, b []byte) (index.Document, error) {
	u := &unpacker{b: b}
	d := index.Document{ID: id}
	v, n := binary.Varint(b)
	if n <= 0 {
		return index.Document{}, errPacked
	}
	d.Version, u.off = v, n
	d.Title = u.string()
	if c := u.count(); c >= 0 {
		d.Text = make(map[string]string, c)
		for range c {
			k := u.string()
			d.Text[k] = u.string()
		}
	}
	if c := u.count(); c >= 0 {
		d.Keywords = make(map[string][]string, c)
		// The values of all fields share one array, each field capped.
		total := u.uvarint()
		if total > uint64(len(b)) {
			return index.Document{}, errPacked
		}
		values := make([]string, 0, total)
		for range c {
			k := u.string()
			nv := u.count()
			if nv < 0 {
				d.Keywords[k] = nil
				continue
			}
			start := len(values)
			for range nv {
				values = append(values, u.string())
			}
			d.Keywords[k] = values[start:len(values):len(values)]
		}
	}
	if c := u.count(); c >= 0 {
		d.Numbers = make(map[string]float64, c)
		for range c {
			k := u.string()
			raw := u.bytes(8)
			if len(raw) == 8 {
				d.Numbers[k] = math.Float64frombits(binary.LittleEndian.Uint64(raw))
			}
		}
	}
	if c := u.count(); c >= 0 {
		d.Payload = u.bytes(uint64(c))
	}
	if u.err == nil && u.off != len(b) {
		u.err = errPacked
	}
	if u.err != nil {
		return index.Document{}, u.err
	}
	return d, nil
}
