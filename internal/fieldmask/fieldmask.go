// Package fieldmask handles the update masks of PATCH requests the same way
// in every service.
//
// Over HTTP, grpc-gateway derives the mask from the JSON body: it names the
// id and etag the body carries to address the object, and nested paths for
// nested objects ("benefit.max_amount_fen"). Services here treat a message
// field as a unit: a nested path selects its whole top-level field, which is
// then replaced with the request's value and validated as a whole, so a
// partial nested object is an error rather than a silent merge.
package fieldmask

import (
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/qihang-hz/qihang/internal/apperr"
)

// addressing are the fields a body carries to say which object at which
// version it changes; they are never changed by an update.
var addressing = []string{"id", "etag"}

// TopLevel returns the distinct top-level fields named by paths, without the
// addressing fields, in first-seen order.
func TopLevel(paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		top, _, _ := strings.Cut(p, ".")
		if top == "" || slices.Contains(addressing, top) || slices.Contains(out, top) {
			continue
		}
		out = append(out, top)
	}
	return out
}

// Check validates top-level paths against the writable fields: the mask may
// not be empty, and each path must be writable; readOnly fields get their own
// message. field names the mask in errors ("update_mask").
func Check(field string, paths, writable, readOnly []string) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if len(paths) == 0 {
		v.Add(field, "请指定要修改的字段（update_mask）")
	}
	for _, p := range paths {
		switch {
		case slices.Contains(writable, p):
		case slices.Contains(readOnly, p):
			v.Add(field, "字段“%s”为只读，不能修改", p)
		default:
			v.Add(field, "未知字段“%s”，可修改的字段：%s", p, strings.Join(writable, "、"))
		}
	}
	return v
}

// Apply copies the named top-level fields from src to dst (messages of the
// same type); a field unset in src is cleared in dst. Paths must have passed
// Check.
func Apply(dst, src proto.Message, paths []string) {
	d, s := dst.ProtoReflect(), src.ProtoReflect()
	fields := d.Descriptor().Fields()
	for _, p := range paths {
		fd := fields.ByName(protoreflect.Name(p))
		if fd == nil {
			continue
		}
		if !s.Has(fd) {
			d.Clear(fd)
			continue
		}
		switch {
		case fd.IsList():
			dl := d.Mutable(fd).List()
			dl.Truncate(0)
			sl := s.Get(fd).List()
			for i := 0; i < sl.Len(); i++ {
				dl.Append(cloneValue(fd, sl.Get(i)))
			}
		case fd.Message() != nil:
			d.Set(fd, protoreflect.ValueOfMessage(proto.Clone(s.Get(fd).Message().Interface()).ProtoReflect()))
		default:
			d.Set(fd, s.Get(fd))
		}
	}
}

func cloneValue(fd protoreflect.FieldDescriptor, v protoreflect.Value) protoreflect.Value {
	if fd.Message() != nil {
		return protoreflect.ValueOfMessage(proto.Clone(v.Message().Interface()).ProtoReflect())
	}
	return v
}

// Paths returns the mask without the addressing fields and without paths
// already covered by a shorter one ("validity" covers "validity.end_time"),
// in first-seen order. Unlike TopLevel it keeps nested paths, for services
// that update nested fields one by one (ApplyNested).
func Paths(paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		top, _, _ := strings.Cut(p, ".")
		if p == "" || slices.Contains(addressing, top) || slices.Contains(out, p) {
			continue
		}
		out = append(out, p)
	}
	covered := func(p string) bool {
		for _, q := range out {
			if q != p && strings.HasPrefix(p, q+".") {
				return true
			}
		}
		return false
	}
	return slices.DeleteFunc(out, covered)
}

// CheckNested validates paths that may be nested: the top-level field of each
// must be writable and every further segment must name a field of the
// message it descends into (desc is the resource's message).
func CheckNested(field string, paths, writable, readOnly []string, desc protoreflect.MessageDescriptor) *apperr.ValidationError {
	tops := TopLevel(paths)
	v := Check(field, tops, writable, readOnly)
	for _, p := range paths {
		d := desc
		for i, seg := range strings.Split(p, ".") {
			fd := d.Fields().ByName(protoreflect.Name(seg))
			if fd == nil {
				if i > 0 {
					v.Add(field, "未知字段“%s”", p)
				}
				break
			}
			if fd.Message() == nil || fd.IsList() || fd.IsMap() {
				if i < len(strings.Split(p, "."))-1 {
					v.Add(field, "字段“%s”不能再细分", p)
				}
				break
			}
			d = fd.Message()
		}
	}
	return v
}

// ApplyNested copies the fields named by paths from src to dst: a top-level
// path replaces the whole field (as Apply does), a nested path such as
// "validity.end_time" replaces only that field inside the message, keeping
// its siblings. Paths must have passed CheckNested.
func ApplyNested(dst, src proto.Message, paths []string) {
	for _, p := range paths {
		applyPath(dst.ProtoReflect(), src.ProtoReflect(), strings.Split(p, "."))
	}
}

func applyPath(d, s protoreflect.Message, segs []string) {
	fd := d.Descriptor().Fields().ByName(protoreflect.Name(segs[0]))
	if fd == nil {
		return
	}
	if len(segs) == 1 {
		Apply(d.Interface(), s.Interface(), []string{segs[0]})
		return
	}
	if !s.Has(fd) {
		// The request leaves the parent unset: nothing inside it to copy
		// but the cleared leaf.
		if d.Has(fd) {
			applyPath(d.Mutable(fd).Message(), s.Get(fd).Message(), segs[1:])
		}
		return
	}
	applyPath(d.Mutable(fd).Message(), s.Get(fd).Message(), segs[1:])
}
