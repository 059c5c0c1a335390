// Package uscc validates the Unified Social Credit Code (统一社会信用代码) of
// GB 32100-2015, the natural key of associations and firms.
//
// A code has 18 characters from "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I, O, S,
// V or Z): the registration authority, the entity category, a six-digit
// administrative division, the nine-character organisation code and a check
// character. The check character c18 satisfies
// c18 = (31 - Σ value(ci)·3^(i-1) mod 31) mod 31 over i = 1..17.
package uscc

import (
	"fmt"
	"strings"
)

const (
	// Length is the number of characters in a code.
	Length   = 18
	alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
)

// weights[i] is 3^i mod 31.
var weights = func() [Length - 1]int {
	var w [Length - 1]int
	p := 1
	for i := range w {
		w[i] = p
		p = p * 3 % 31
	}
	return w
}()

// value returns the numeric value of a code character, or -1.
func value(c byte) int {
	return strings.IndexByte(alphabet, c)
}

// Normalize trims surrounding spaces (including full-width ones) and upper-
// cases, the way people type codes from paper certificates.
func Normalize(s string) string {
	s = strings.TrimSpace(strings.Trim(s, "\u3000 \t"))
	return strings.ToUpper(s)
}

// Error says which rule a code breaks, in Chinese.
type Error struct {
	Code string
	Rule string
}

func (e *Error) Error() string { return e.Rule }

// Validate checks a normalized code and returns an *Error naming the broken
// rule, or nil.
func Validate(code string) error {
	if code == "" {
		return &Error{Code: code, Rule: "统一社会信用代码不能为空"}
	}
	if n := len([]rune(code)); n != Length || len(code) != Length {
		return &Error{Code: code, Rule: fmt.Sprintf("统一社会信用代码须为18位，当前为%d位", n)}
	}
	sum := 0
	for i := 0; i < Length; i++ {
		v := value(code[i])
		if v < 0 {
			return &Error{Code: code, Rule: fmt.Sprintf("统一社会信用代码第%d位“%c”不是允许的字符（数字或除I、O、S、V、Z外的大写字母）", i+1, code[i])}
		}
		if i >= 2 && i < 8 && v > 9 {
			return &Error{Code: code, Rule: fmt.Sprintf("统一社会信用代码第3至8位是行政区划码，须为数字，第%d位为“%c”", i+1, code[i])}
		}
		if i < Length-1 {
			sum += v * weights[i]
		}
	}
	want := alphabet[(31-sum%31)%31]
	if code[Length-1] != want {
		return &Error{Code: code, Rule: "统一社会信用代码校验位不正确，请核对是否抄错"}
	}
	return nil
}

// Valid reports whether code is a valid normalized code.
func Valid(code string) bool { return Validate(code) == nil }

// CheckChar returns the check character for the first 17 characters of a
// code, and false if they are not from the alphabet. Demo data and tests use
// it to make valid codes.
func CheckChar(first17 string) (byte, bool) {
	if len(first17) != Length-1 {
		return 0, false
	}
	sum := 0
	for i := 0; i < Length-1; i++ {
		v := value(first17[i])
		if v < 0 {
			return 0, false
		}
		sum += v * weights[i]
	}
	return alphabet[(31-sum%31)%31], true
}
