package refdata

import "fmt"

// ValidateHSCode checks an HS (Harmonized System) commodity code as used on
// Chinese customs declarations: 6 to 10 digits, the first two being a chapter
// from 01 to 97 (chapter 77 is reserved). It returns the rule broken, in
// Chinese, or "".
func ValidateHSCode(code string) string {
	if len(code) < 6 || len(code) > 10 {
		return fmt.Sprintf("HS编码须为6至10位数字，“%s”为%d位", code, len([]rune(code)))
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return fmt.Sprintf("HS编码须为6至10位数字，“%s”含非数字字符", code)
		}
	}
	ch := int(code[0]-'0')*10 + int(code[1]-'0')
	if ch < 1 || ch > 97 || ch == 77 {
		return fmt.Sprintf("HS编码前两位是章号，须在01至97之间（77章保留），“%s”的章号为%02d", code, ch)
	}
	return ""
}

// HSChapter returns the two-digit chapter of a valid HS code.
func HSChapter(code string) string {
	if len(code) < 2 {
		return ""
	}
	return code[:2]
}
