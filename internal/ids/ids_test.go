package ids

import "testing"

func TestNew(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for range 1000 {
		id := New()
		if !Valid(id) {
			t.Fatalf("New() = %q is not Valid", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
		if id[:6] < prev {
			t.Fatalf("time prefix went backwards: %q after %q", id[:6], prev)
		}
		prev = id[:6]
	}
	for _, bad := range []string{"", "short", "ABCDEFGHJKMNPQRSTVWX", "0123456789abcdefghjkl"} {
		if Valid(bad) {
			t.Errorf("Valid(%q) = true", bad)
		}
	}
}
