package etag

import "testing"

func TestParse(t *testing.T) {
	if v, err := Parse("etag", Format(7), false); err != nil || v != 7 {
		t.Errorf("round trip = %d, %v", v, err)
	}
	if v, err := Parse("etag", "", true); err != nil || v != 0 {
		t.Errorf("optional empty = %d, %v", v, err)
	}
	for _, bad := range []string{"", "0", "-1", "W/\"3\"", "x"} {
		if _, err := Parse("etag", bad, false); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}
