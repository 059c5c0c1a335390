// Package contact validates and masks contact persons' phone numbers and
// e-mail addresses, which are personal information under PIPL: stored whole,
// shown masked (138****5678) to everyone but the roles allowed to reveal them.
package contact

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// NormalizePhone removes spaces and turns full-width digits and dashes into
// ASCII, keeping one dash between a landline's area code and number. A leading
// "+86" or "0086" on a mobile number is dropped.
func NormalizePhone(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case r == '－' || r == '—' || r == '–':
			b.WriteByte('-')
		case r == ' ' || r == '\u3000' || r == '(' || r == ')' || r == '（' || r == '）':
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	for _, p := range []string{"+86-", "+86", "0086-", "0086"} {
		if rest, ok := strings.CutPrefix(out, p); ok && isMobile(rest) {
			return rest
		}
	}
	return out
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isMobile(s string) bool {
	return len(s) == 11 && allDigits(s) && s[0] == '1' && s[1] >= '3' && s[1] <= '9'
}

// isLandline accepts "0571-87654321", "057187654321" and an extension
// "0571-87654321-801".
func isLandline(s string) bool {
	parts := strings.Split(s, "-")
	switch {
	case len(parts) == 1:
		return len(s) >= 10 && len(s) <= 12 && s[0] == '0' && allDigits(s)
	case len(parts) == 2 || len(parts) == 3:
		area, num := parts[0], parts[1]
		if len(area) < 3 || len(area) > 4 || area[0] != '0' || !allDigits(area) {
			return false
		}
		if len(num) < 7 || len(num) > 8 || !allDigits(num) {
			return false
		}
		if len(parts) == 3 {
			ext := parts[2]
			return len(ext) >= 1 && len(ext) <= 6 && allDigits(ext)
		}
		return true
	}
	return false
}

// ValidatePhone checks a normalized phone: a mainland mobile (11 digits from
// 13x to 19x) or a landline with area code. It returns the rule broken, in
// Chinese, or "".
func ValidatePhone(s string) string {
	if isMobile(s) || isLandline(s) {
		return ""
	}
	return "电话格式不正确：须为11位手机号（如13812345678）或带区号的座机（如0571-87654321）"
}

// MaskPhone keeps the first three and last four digits of a mobile
// (138****5678) and the area code and last four digits of a landline
// (0571-****4321). Anything else keeps only its last two characters.
func MaskPhone(s string) string {
	if s == "" {
		return ""
	}
	if isMobile(s) {
		return s[:3] + "****" + s[7:]
	}
	if isLandline(s) {
		parts := strings.Split(s, "-")
		if len(parts) >= 2 {
			return parts[0] + "-****" + parts[1][len(parts[1])-4:]
		}
		return s[:4] + "****" + s[len(s)-4:]
	}
	n := utf8.RuneCountInString(s)
	if n <= 2 {
		return "**"
	}
	r := []rune(s)
	return strings.Repeat("*", n-2) + string(r[n-2:])
}

// IsMaskedPhone reports whether s looks like the output of MaskPhone, i.e. a
// client sent back a masked number it read.
func IsMaskedPhone(s string) bool { return strings.Contains(s, "****") }

// ValidateEmail checks a bare address such as "wang@example.cn". It returns
// the rule broken, in Chinese, or "".
func ValidateEmail(s string) string {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "邮箱格式不正确，应如wang@example.com"
	}
	return ""
}

// MaskEmail keeps the first character of the local part and the domain:
// w***@example.cn.
func MaskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		if s == "" {
			return ""
		}
		return "***"
	}
	first, _ := utf8.DecodeRuneInString(s)
	return string(first) + "***" + s[at:]
}

// IsMaskedEmail reports whether s looks like the output of MaskEmail.
func IsMaskedEmail(s string) bool { return strings.Contains(s, "***@") || s == "***" }
