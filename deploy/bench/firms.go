package main

import (
	"fmt"
	"math/rand/v2"
	"strings"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/internal/uscc"
)

// The material the firm generator draws from. Everything is fictional: names
// are combinations of common trade-name characters, mobiles are in the
// 1380000xxxx range, e-mails and websites use example.com/.org/.net, and every
// USCC, though it passes the GB 32100 check, carries a deliberately wrong
// GB 11714 organisation-code check digit, so it cannot be a real firm's.

// benchDistrict is one of Hangzhou's 13 county-level divisions.
type benchDistrict struct {
	d commonv1.District
	// code is the administrative division code inside USCCs.
	code string
	// short is the name as it appears inside firm names ("萧山").
	short string
	towns []string
}

var benchDistricts = []benchDistrict{
	{commonv1.District_DISTRICT_SHANGCHENG, "330102", "上城", []string{"四季青街道", "九堡街道", "笕桥街道", "丁兰街道"}},
	{commonv1.District_DISTRICT_GONGSHU, "330105", "拱墅", []string{"米市巷街道", "半山街道", "祥符街道", "康桥街道"}},
	{commonv1.District_DISTRICT_XIHU, "330106", "西湖", []string{"转塘街道", "留下街道", "三墩镇", "蒋村街道"}},
	{commonv1.District_DISTRICT_BINJIANG, "330108", "滨江", []string{"长河街道", "西兴街道", "浦沿街道"}},
	{commonv1.District_DISTRICT_XIAOSHAN, "330109", "萧山", []string{"新塘街道", "衙前镇", "瓜沥镇", "宁围街道", "党湾镇"}},
	{commonv1.District_DISTRICT_YUHANG, "330110", "余杭", []string{"仁和街道", "良渚街道", "闲林街道", "瓶窑镇"}},
	{commonv1.District_DISTRICT_LINPING, "330113", "临平", []string{"崇贤街道", "塘栖镇", "乔司街道", "星桥街道"}},
	{commonv1.District_DISTRICT_QIANTANG, "330114", "钱塘", []string{"下沙街道", "白杨街道", "义蓬街道", "临江街道"}},
	{commonv1.District_DISTRICT_FUYANG, "330111", "富阳", []string{"富春街道", "东洲街道", "场口镇", "新登镇"}},
	{commonv1.District_DISTRICT_LINAN, "330112", "临安", []string{"锦城街道", "昌化镇", "太湖源镇", "於潜镇"}},
	{commonv1.District_DISTRICT_TONGLU, "330122", "桐庐", []string{"分水镇", "桐君街道", "横村镇", "江南镇"}},
	{commonv1.District_DISTRICT_CHUNAN, "330127", "淳安", []string{"千岛湖镇", "威坪镇", "汾口镇"}},
	{commonv1.District_DISTRICT_JIANDE, "330182", "建德", []string{"新安江街道", "乾潭镇", "梅城镇", "寿昌镇"}},
}

// product is a main product with its six-digit HS subheading (empty for
// services).
type product struct {
	name string
	hs   string
}

// trade is an industry: what its firms are called, make, and where and
// through which platforms they sell.
type trade struct {
	industry  commonv1.Industry
	words     [][2]string // Chinese word in the name, English rendering
	products  []product
	markets   []string
	platforms []commonv1.SalesPlatform
}

const (
	amazon      = commonv1.SalesPlatform_SALES_PLATFORM_AMAZON
	aliexpress  = commonv1.SalesPlatform_SALES_PLATFORM_ALIEXPRESS
	alibaba     = commonv1.SalesPlatform_SALES_PLATFORM_ALIBABA_COM
	temu        = commonv1.SalesPlatform_SALES_PLATFORM_TEMU
	shein       = commonv1.SalesPlatform_SALES_PLATFORM_SHEIN
	tiktok      = commonv1.SalesPlatform_SALES_PLATFORM_TIKTOK_SHOP
	shopee      = commonv1.SalesPlatform_SALES_PLATFORM_SHOPEE
	lazada      = commonv1.SalesPlatform_SALES_PLATFORM_LAZADA
	ebay        = commonv1.SalesPlatform_SALES_PLATFORM_EBAY
	walmart     = commonv1.SalesPlatform_SALES_PLATFORM_WALMART
	ozon        = commonv1.SalesPlatform_SALES_PLATFORM_OZON
	mercado     = commonv1.SalesPlatform_SALES_PLATFORM_MERCADO_LIBRE
	etsy        = commonv1.SalesPlatform_SALES_PLATFORM_ETSY
	ownSite     = commonv1.SalesPlatform_SALES_PLATFORM_INDEPENDENT_SITE
	madeInChina = commonv1.SalesPlatform_SALES_PLATFORM_MADE_IN_CHINA
	globalSrc   = commonv1.SalesPlatform_SALES_PLATFORM_GLOBAL_SOURCES
)

var trades = []trade{
	{commonv1.Industry_INDUSTRY_APPAREL, [][2]string{{"服饰", "Apparel"}, {"服装", "Garment"}, {"制衣", "Clothing"}},
		[]product{{"女式连衣裙", "620443"}, {"针织T恤", "610910"}, {"女式衬衫", "620630"}, {"羊毛衫", "611011"}, {"运动休闲套装", "611212"}},
		[]string{"US", "GB", "DE", "FR", "AU", "JP", "AE", "SA", "MX", "BR"},
		[]commonv1.SalesPlatform{shein, temu, amazon, tiktok, ownSite, aliexpress}},
	{commonv1.Industry_INDUSTRY_SILK, [][2]string{{"丝绸", "Silk"}, {"丝绸服饰", "Silk Fashion"}},
		[]product{{"真丝围巾", "621410"}, {"真丝睡衣", "620829"}, {"桑蚕丝面料", "500720"}, {"真丝领带", "621510"}, {"蚕丝被", "940440"}},
		[]string{"US", "JP", "KR", "FR", "IT", "GB", "SG", "AE"},
		[]commonv1.SalesPlatform{amazon, ownSite, etsy, alibaba, tiktok}},
	{commonv1.Industry_INDUSTRY_DOWN_PRODUCTS, [][2]string{{"羽绒制品", "Down Products"}, {"羽绒", "Feather & Down"}},
		[]product{{"羽绒服", "620140"}, {"羽绒被", "940440"}, {"羽绒枕", "940490"}, {"羽绒睡袋", "940430"}},
		[]string{"US", "CA", "GB", "DE", "RU", "JP", "KR", "KZ"},
		[]commonv1.SalesPlatform{amazon, temu, shein, ozon, alibaba}},
	{commonv1.Industry_INDUSTRY_HOME_TEXTILES, [][2]string{{"家纺", "Home Textile"}, {"布艺", "Fabrics"}, {"纺织", "Textile"}},
		[]product{{"窗帘", "630392"}, {"床上用品四件套", "630231"}, {"毛巾浴巾", "630260"}, {"抱枕靠垫", "940490"}, {"毛毯", "630140"}},
		[]string{"US", "GB", "DE", "AU", "JP", "SA", "AE", "CA"},
		[]commonv1.SalesPlatform{amazon, temu, alibaba, walmart, ownSite}},
	{commonv1.Industry_INDUSTRY_DIGITAL_HARDWARE, [][2]string{{"电子科技", "Electronic Technology"}, {"智能科技", "Smart Technology"}},
		[]product{{"智能手表", "851762"}, {"蓝牙耳机", "851830"}, {"移动电源", "850760"}, {"网络摄像机", "852589"}, {"数据线", "854442"}},
		[]string{"US", "DE", "GB", "JP", "BR", "MX", "SA", "AE", "RU", "TH", "VN"},
		[]commonv1.SalesPlatform{amazon, aliexpress, tiktok, ownSite, walmart, mercado, ozon, shopee}},
	{commonv1.Industry_INDUSTRY_HOME_APPLIANCES, [][2]string{{"电器", "Electric Appliance"}, {"厨房电器", "Kitchen Appliance"}},
		[]product{{"吸油烟机", "841460"}, {"电饭煲", "851660"}, {"电热水壶", "851679"}, {"破壁料理机", "850940"}},
		[]string{"SA", "AE", "RU", "MY", "TH", "VN", "US", "DE"},
		[]commonv1.SalesPlatform{amazon, alibaba, shopee, lazada, ozon, aliexpress}},
	{commonv1.Industry_INDUSTRY_AUTO_PARTS, [][2]string{{"汽车零部件", "Auto Parts"}, {"汽配", "Auto Parts"}},
		[]product{{"汽车制动片", "870830"}, {"减震器", "870880"}, {"铝合金轮毂", "870870"}, {"汽车轮毂轴承", "848210"}},
		[]string{"US", "MX", "BR", "RU", "SA", "AE", "DE", "TR"},
		[]commonv1.SalesPlatform{alibaba, amazon, ebay, madeInChina, mercado, ozon}},
	{commonv1.Industry_INDUSTRY_MACHINERY, [][2]string{{"机电", "Mechanical & Electrical"}, {"机械", "Machinery"}},
		[]product{{"离心泵", "841370"}, {"工业阀门", "848180"}, {"齿轮减速机", "848340"}, {"三相异步电动机", "850152"}},
		[]string{"RU", "VN", "IN", "ID", "BR", "TR", "US"},
		[]commonv1.SalesPlatform{alibaba, madeInChina, globalSrc, ownSite}},
	{commonv1.Industry_INDUSTRY_HARDWARE_TOOLS, [][2]string{{"五金工具", "Tools"}, {"五金", "Hardware"}},
		[]product{{"扳手套装", "820411"}, {"螺丝刀", "820540"}, {"电钻", "846721"}, {"钢卷尺", "901780"}},
		[]string{"US", "DE", "GB", "AU", "CA", "MX", "BR"},
		[]commonv1.SalesPlatform{amazon, alibaba, walmart, ebay, madeInChina}},
	{commonv1.Industry_INDUSTRY_WRITING_INSTRUMENTS, [][2]string{{"笔业", "Pen"}, {"文具", "Stationery"}},
		[]product{{"圆珠笔", "960810"}, {"记号笔", "960820"}, {"自动铅笔", "960840"}, {"木杆铅笔", "960910"}},
		[]string{"US", "BR", "MX", "AE", "RU", "NG", "SA"},
		[]commonv1.SalesPlatform{alibaba, amazon, temu, aliexpress, mercado}},
	{commonv1.Industry_INDUSTRY_SPORTING_GOODS, [][2]string{{"体育用品", "Sporting Goods"}, {"户外用品", "Outdoor Products"}},
		[]product{{"羽毛球拍", "950659"}, {"户外帐篷", "630622"}, {"钓鱼竿", "950710"}, {"瑜伽垫", "950691"}},
		[]string{"US", "DE", "GB", "JP", "MY", "ID", "AU"},
		[]commonv1.SalesPlatform{amazon, aliexpress, shopee, temu, ownSite}},
	{commonv1.Industry_INDUSTRY_TEA, [][2]string{{"茶业", "Tea"}, {"茶叶", "Tea"}},
		[]product{{"西湖龙井", "090210"}, {"红茶", "090230"}, {"袋泡茶", "090210"}, {"速溶茶粉", "210120"}},
		[]string{"JP", "MA", "US", "DE", "RU", "UZ", "MY"},
		[]commonv1.SalesPlatform{amazon, alibaba, ownSite, tiktok}},
	{commonv1.Industry_INDUSTRY_FOOD_SNACKS, [][2]string{{"食品", "Food"}, {"炒货", "Roasted Nuts"}},
		[]product{{"手剥山核桃", "200819"}, {"每日坚果", "200819"}, {"带壳核桃", "080231"}},
		[]string{"MY", "SG", "TH", "KR", "JP", "US", "HK"},
		[]commonv1.SalesPlatform{tiktok, shopee, lazada, amazon}},
	{commonv1.Industry_INDUSTRY_BEAUTY_PERSONAL_CARE, [][2]string{{"化妆品", "Cosmetics"}, {"日化", "Daily Chemical"}},
		[]product{{"面膜", "330499"}, {"洗发水", "330510"}, {"口红", "330410"}, {"化妆刷", "960330"}},
		[]string{"US", "MY", "TH", "VN", "ID", "PH", "SG", "JP"},
		[]commonv1.SalesPlatform{tiktok, shopee, lazada, amazon, temu}},
	{commonv1.Industry_INDUSTRY_PET_PRODUCTS, [][2]string{{"宠物用品", "Pet Products"}},
		[]product{{"宠物牵引绳", "420100"}, {"宠物窝垫", "940490"}, {"宠物玩具", "392690"}, {"猫砂盆", "392490"}},
		[]string{"US", "GB", "DE", "JP", "AU", "CA"},
		[]commonv1.SalesPlatform{amazon, temu, tiktok, walmart, ownSite}},
	{commonv1.Industry_INDUSTRY_NEW_ENERGY, [][2]string{{"新能源科技", "New Energy Technology"}, {"储能科技", "Energy Storage Technology"}},
		[]product{{"户外储能电源", "850760"}, {"光伏组件", "854143"}, {"光伏逆变器", "850440"}},
		[]string{"DE", "NL", "AU", "US", "JP", "BR", "ZA"},
		[]commonv1.SalesPlatform{amazon, alibaba, ownSite, madeInChina}},
	{commonv1.Industry_INDUSTRY_ECOMMERCE_SERVICES, [][2]string{{"供应链管理", "Supply Chain Management"}, {"电子商务", "E-commerce"}},
		[]product{{"跨境电商代运营", ""}, {"海外仓一件代发", ""}, {"跨境物流专线", ""}},
		[]string{"US", "GB", "DE", "JP", "MY", "TH", "SA"},
		[]commonv1.SalesPlatform{amazon, temu, tiktok, shopee, ownSite}},
}

// tradeName holds the characters of trade names (字号) with their pinyin.
var tradeName = [][2]string{
	{"恒", "Heng"}, {"盛", "Sheng"}, {"华", "Hua"}, {"鑫", "Xin"}, {"瑞", "Rui"}, {"丰", "Feng"}, {"达", "Da"},
	{"源", "Yuan"}, {"泰", "Tai"}, {"嘉", "Jia"}, {"联", "Lian"}, {"宏", "Hong"}, {"德", "De"}, {"新", "Xin"},
	{"锦", "Jin"}, {"诚", "Cheng"}, {"创", "Chuang"}, {"天", "Tian"}, {"越", "Yue"}, {"钱", "Qian"}, {"江", "Jiang"},
	{"湖", "Hu"}, {"之", "Zhi"}, {"浙", "Zhe"}, {"富", "Fu"}, {"春", "Chun"}, {"安", "An"}, {"康", "Kang"},
	{"明", "Ming"}, {"光", "Guang"}, {"远", "Yuan"}, {"航", "Hang"}, {"通", "Tong"}, {"利", "Li"}, {"信", "Xin"},
	{"永", "Yong"}, {"兴", "Xing"}, {"隆", "Long"}, {"百", "Bai"}, {"顺", "Shun"}, {"美", "Mei"}, {"佳", "Jia"},
	{"卓", "Zhuo"}, {"振", "Zhen"}, {"益", "Yi"}, {"中", "Zhong"}, {"正", "Zheng"}, {"海", "Hai"},
}

var nameSuffixes = []struct{ cn, en string }{
	{"有限公司", "Co., Ltd."}, {"有限公司", "Co., Ltd."}, {"有限公司", "Co., Ltd."},
	{"股份有限公司", "Co., Ltd."}, {"进出口有限公司", "Import & Export Co., Ltd."}, {"实业有限公司", "Industrial Co., Ltd."},
}

var (
	surnames   = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "沈", "钱", "楼", "俞", "傅"}
	givenNames = []string{"丽", "伟", "芳", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "建华", "晓东", "海燕", "佳琪", "志强", "雪梅", "浩然", "一鸣", "思远"}
	titles     = []string{"外贸经理", "总经理", "跨境电商主管", "董事长", "运营总监", "销售经理", "外贸业务员", "副总经理"}
	roads      = []string{"文一路", "建设一路", "钱江路", "市心北路", "江南大道", "金城路", "富春路", "迎宾路", "新安路", "人民路", "工业路", "创业路"}
	mailHosts  = []string{"example.com", "example.org", "example.net"}
)

// badDistrictLabels are district values people write that the import does
// not accept: districts merged away in 2021, a missing 区, the city, or a
// town appended.
var badDistrictLabels = []string{"下城区", "江干区", "萧山", "杭州市", "余杭区塘栖镇", "西溪区"}

// firmGen makes plausible, unique member firms as spreadsheet cells.
type firmGen struct {
	r     *rand.Rand
	usccs map[string]bool
	names map[string]bool
}

func newFirmGen(seed uint64) *firmGen {
	return &firmGen{
		r:     rand.New(rand.NewPCG(seed, 0x71686e67)), // "qhng"
		usccs: map[string]bool{},
		names: map[string]bool{},
	}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// pickN returns up to n distinct elements, preferring the head of xs (the
// tables list the most common first).
func pickN[T comparable](r *rand.Rand, xs []T, n int) []T {
	n = min(n, len(xs))
	out := make([]T, 0, n)
	for len(out) < n {
		// Square the uniform draw to favour low indexes.
		f := r.Float64()
		x := xs[int(f*f*float64(len(xs)))]
		dup := false
		for _, y := range out {
			if y == x {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

// orgAlphabet is the USCC alphabet; organisation codes use its characters.
const orgAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// gb11714Check returns the GB 11714 check character of an eight-character
// organisation code body.
func gb11714Check(body string) byte {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 8 {
		c := body[i]
		v := int(c - '0')
		if c >= 'A' {
			v = int(c-'A') + 10
		}
		sum += v * weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// newUSCC returns an unused valid USCC of a firm (category 91) registered in
// the division code div.
func (g *firmGen) newUSCC(div string) string {
	for {
		var body string
		if g.r.IntN(3) == 0 { // pre-2015 eight-digit organisation code
			body = fmt.Sprintf("%08d", 10_000_000+g.r.IntN(89_999_999))
		} else { // post-2015 codes: MA2 + area letter + four characters
			b := []byte("MA2")
			b = append(b, "78ABCGHJK"[g.r.IntN(9)])
			for range 4 {
				b = append(b, orgAlphabet[g.r.IntN(len(orgAlphabet))])
			}
			body = string(b)
		}
		// A wrong organisation-code check digit keeps the code fictional.
		right := gb11714Check(body)
		wrong := byte('0' + g.r.IntN(10))
		if wrong == right {
			wrong = '0' + (wrong-'0'+1)%10
		}
		first17 := "91" + div + body + string(wrong)
		check, ok := uscc.CheckChar(first17)
		if !ok {
			panic("bench: bad USCC alphabet in " + first17) // the generator's own bug
		}
		code := first17 + string(check)
		if !g.usccs[code] {
			g.usccs[code] = true
			return code
		}
	}
}

// firmCells is one firm as the spreadsheet cells of its row, keyed by
// canonical column header. ExportWan is the only numeric cell.
type firmCells struct {
	text      map[string]string
	exportWan *float64
}

func (c *firmCells) clone() *firmCells {
	out := &firmCells{text: make(map[string]string, len(c.text)), exportWan: c.exportWan}
	for k, v := range c.text {
		out.text[k] = v
	}
	return out
}

// newFirm returns a valid firm.
func (g *firmGen) newFirm() *firmCells {
	r := g.r
	d := pick(r, benchDistricts)
	t := pick(r, trades)
	word := pick(r, t.words)
	suffix := pick(r, nameSuffixes)

	var name, nameEN string
	for {
		n := 2
		if r.IntN(5) == 0 {
			n = 3
		}
		var cn, en strings.Builder
		used := map[string]bool{}
		for cn.Len() < 3*n {
			c := pick(r, tradeName)
			if used[c[0]] {
				continue
			}
			used[c[0]] = true
			cn.WriteString(c[0])
			en.WriteString(c[1])
		}
		brandEN := strings.ToUpper(en.String()[:1]) + strings.ToLower(en.String()[1:])
		switch x := r.IntN(20); {
		case x < 11:
			name = "杭州" + cn.String() + word[0] + suffix.cn
			nameEN = "Hangzhou " + brandEN + " " + word[1] + " " + suffix.en
		case x < 14:
			name = "浙江" + cn.String() + word[0] + suffix.cn
			nameEN = "Zhejiang " + brandEN + " " + word[1] + " " + suffix.en
		default:
			name = "杭州" + d.short + cn.String() + word[0] + suffix.cn
			nameEN = "Hangzhou " + brandEN + " " + word[1] + " " + suffix.en
		}
		if !g.names[name] {
			g.names[name] = true
			break
		}
	}

	prods := pickN(r, t.products, 1+r.IntN(3))
	var prodNames, hs []string
	for _, p := range prods {
		prodNames = append(prodNames, p.name)
		if p.hs == "" {
			continue
		}
		code := p.hs
		switch r.IntN(10) {
		case 0: // a ten-digit China tariff code
			code += "0090"
		case 1: // written with the dot of the printed tariff
			code = code[:4] + "." + code[4:]
		}
		hs = append(hs, code)
	}

	stage := commonv1.CrossBorderStage(1 + r.IntN(6))
	var platforms []string
	if stage >= commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_STORE_OPENED {
		for _, p := range pickN(r, t.platforms, 1+r.IntN(3)) {
			platforms = append(platforms, refdata.Label(p))
		}
	}
	var markets []string
	for _, m := range pickN(r, t.markets, 1+r.IntN(4)) {
		name := refdata.MarketName(m)
		if back, ok := refdata.ParseMarket(name); name == "" || !ok || back != m || r.IntN(5) == 0 {
			name = m // ISO code, as some people write it
		}
		markets = append(markets, name)
	}
	needs := pickN(r, []commonv1.NeedTag{
		commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING, commonv1.NeedTag_NEED_TAG_LOGISTICS,
		commonv1.NeedTag_NEED_TAG_OVERSEAS_WAREHOUSE, commonv1.NeedTag_NEED_TAG_PAYMENT_FX,
		commonv1.NeedTag_NEED_TAG_MARKET_PLANNING, commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX,
		commonv1.NeedTag_NEED_TAG_BRAND_IP, commonv1.NeedTag_NEED_TAG_TALENT, commonv1.NeedTag_NEED_TAG_FINANCING,
		commonv1.NeedTag_NEED_TAG_CUSTOMS, commonv1.NeedTag_NEED_TAG_MARKETING,
	}, 1+r.IntN(3))
	needLabels := make([]string, len(needs))
	for i, n := range needs {
		needLabels[i] = refdata.Label(n)
	}

	size := r.IntN(5) // 0 small … 4 large; revenue and staff follow it
	revenue := commonv1.RevenueBand(1 + min(4, max(0, size+r.IntN(3)-1)))
	staff := commonv1.EmployeesBand(1 + min(4, max(0, size+r.IntN(3)-1)))

	c := &firmCells{text: map[string]string{}}
	set := func(col, v string) { c.text[col] = v }
	set(colUSCC, g.newUSCC(pick(r, []string{d.code, d.code, d.code, "330100"})))
	set(colName, name)
	if r.IntN(2) == 0 {
		set(colNameEN, nameEN)
	}
	set(colDistrict, refdata.Label(d.d))
	set(colIndustry, refdata.Label(t.industry))
	set(colMainProducts, strings.Join(prodNames, "、"))
	set(colHSCodes, strings.Join(hs, "、"))
	set(colRevenueBand, refdata.Label(revenue))
	set(colEmployeesBand, refdata.Label(staff))
	set(colStage, refdata.Label(stage))
	set(colPlatforms, strings.Join(platforms, "、"))
	set(colTargetMarkets, strings.Join(markets, "、"))
	set(colNeeds, strings.Join(needLabels, "、"))
	switch {
	case stage == commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE:
		zero := 0.0
		c.exportWan = &zero
	case r.IntN(7) > 0: // the rest leave it blank: unknown
		// 万元 with up to two decimals, growing with the firm's size.
		v := float64(r.IntN(100*(1+size*size)*500)) / 100
		c.exportWan = &v
	}
	if r.IntN(10) > 0 {
		set(colContactName, pick(r, surnames)+pick(r, givenNames))
		set(colContactTitle, pick(r, titles))
		if r.IntN(8) == 0 {
			set(colContactPhone, fmt.Sprintf("0571-8%03d%04d", 600+r.IntN(400), r.IntN(10_000)))
		} else {
			set(colContactPhone, fmt.Sprintf("1380000%04d", r.IntN(10_000)))
		}
		if r.IntN(3) > 0 {
			set(colContactEmail, fmt.Sprintf("%s%d@%s", strings.ToLower(strings.Fields(nameEN)[1]), r.IntN(1000), pick(r, mailHosts)))
		}
	}
	town := pick(r, d.towns)
	set(colAddress, fmt.Sprintf("杭州市%s%s%s%d号", refdata.Label(d.d), town, pick(r, roads), 1+r.IntN(999)))
	if r.IntN(3) == 0 {
		set(colWebsite, fmt.Sprintf("https://www.%s%d.example.com", strings.ToLower(strings.Fields(nameEN)[1]), r.IntN(100)))
	}
	return c
}
