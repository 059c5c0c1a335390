package demo

import (
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
)

// The fixed material the generator draws from: Hangzhou's districts, the
// industry belts with their products and HS codes, and the associations.
// Everything here is hand-written so that the demo reads like the programme's
// real data; only the combinations are random.

// district is one of Hangzhou's 13 county-level divisions.
type district struct {
	d commonv1.District
	// code is the administrative division code used in USCCs.
	code string
	// short is the name as it appears inside firm names ("萧山").
	short string
	// towns are real streets and towns, used in addresses without a number.
	towns []string
	// county is true for the two counties and the county-level city, whose
	// firms are often named after the county rather than after Hangzhou.
	county bool
}

// cityCode is the division code of Hangzhou itself: city-level associations
// and firms registered with the city's bureaus carry it.
const cityCode = "330100"

var districts = []district{
	{commonv1.District_DISTRICT_SHANGCHENG, "330102", "上城", []string{"四季青街道", "九堡街道", "笕桥街道", "彭埠街道", "丁兰街道"}, false},
	{commonv1.District_DISTRICT_GONGSHU, "330105", "拱墅", []string{"米市巷街道", "半山街道", "祥符街道", "康桥街道", "石桥街道"}, false},
	{commonv1.District_DISTRICT_XIHU, "330106", "西湖", []string{"西湖街道", "转塘街道", "留下街道", "三墩镇", "蒋村街道"}, false},
	{commonv1.District_DISTRICT_BINJIANG, "330108", "滨江", []string{"长河街道", "西兴街道", "浦沿街道"}, false},
	{commonv1.District_DISTRICT_XIAOSHAN, "330109", "萧山", []string{"新塘街道", "衙前镇", "瓜沥镇", "宁围街道", "党湾镇", "益农镇", "所前镇"}, false},
	{commonv1.District_DISTRICT_YUHANG, "330110", "余杭", []string{"余杭街道", "仁和街道", "良渚街道", "闲林街道", "中泰街道", "瓶窑镇"}, false},
	{commonv1.District_DISTRICT_LINPING, "330113", "临平", []string{"崇贤街道", "塘栖镇", "乔司街道", "运河街道", "东湖街道", "星桥街道"}, false},
	{commonv1.District_DISTRICT_QIANTANG, "330114", "钱塘", []string{"下沙街道", "白杨街道", "义蓬街道", "河庄街道", "临江街道"}, false},
	{commonv1.District_DISTRICT_FUYANG, "330111", "富阳", []string{"富春街道", "东洲街道", "银湖街道", "场口镇", "新登镇", "灵桥镇", "大源镇"}, false},
	{commonv1.District_DISTRICT_LINAN, "330112", "临安", []string{"锦城街道", "昌化镇", "岛石镇", "太湖源镇", "青山湖街道", "於潜镇"}, false},
	{commonv1.District_DISTRICT_TONGLU, "330122", "桐庐", []string{"分水镇", "桐君街道", "横村镇", "江南镇", "富春江镇"}, true},
	{commonv1.District_DISTRICT_CHUNAN, "330127", "淳安", []string{"千岛湖镇", "威坪镇", "姜家镇", "汾口镇", "临岐镇"}, true},
	{commonv1.District_DISTRICT_JIANDE, "330182", "建德", []string{"新安江街道", "大同镇", "乾潭镇", "梅城镇", "李家镇", "寿昌镇"}, true},
}

func districtOf(d commonv1.District) district {
	for _, x := range districts {
		if x.d == d {
			return x
		}
	}
	panic("demo: unknown district " + d.String())
}

// product is a main product as firms write it, with its HS codes (six-digit
// subheadings of HS 2022; empty for services).
type product struct {
	name string
	hs   []string
}

// word is the industry part of a firm name and its English rendering.
type word struct{ cn, en string }

// belt is an industry belt: what its firms are called, make, sell where and
// through which platforms.
type belt struct {
	industry  commonv1.Industry
	words     []word
	products  []product
	markets   []string
	platforms []commonv1.SalesPlatform
}

// Platform shorthands keep the belt table readable.
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

func prod(name string, hs ...string) product { return product{name: name, hs: hs} }

// belts by key. Platforms are listed most common first; the generator
// prefers the head of the list.
var belts = map[string]belt{
	"apparel": {
		industry: commonv1.Industry_INDUSTRY_APPAREL,
		words:    []word{{"服饰", "Apparel"}, {"服装", "Garment"}, {"时装", "Fashion"}, {"制衣", "Clothing"}},
		products: []product{prod("女式连衣裙", "620443"), prod("女式针织衫", "611030"), prod("针织T恤", "610910"), prod("女式衬衫", "620630"),
			prod("女式牛仔裤", "620462"), prod("女式西服套装", "620413"), prod("半身裙", "620453"), prod("羊毛衫", "611011"),
			prod("棉质睡衣家居服", "620821"), prod("运动休闲套装", "611212")},
		markets:   []string{"US", "GB", "DE", "FR", "AU", "JP", "AE", "SA", "MX", "BR", "PL", "ES"},
		platforms: []commonv1.SalesPlatform{shein, temu, amazon, tiktok, ownSite, aliexpress, shopee},
	},
	"silk": {
		industry: commonv1.Industry_INDUSTRY_SILK,
		words:    []word{{"丝绸", "Silk"}, {"丝绸服饰", "Silk Fashion"}, {"绸业", "Silk"}},
		products: []product{prod("真丝围巾", "621410"), prod("真丝睡衣", "620829"), prod("桑蚕丝面料", "500720"), prod("真丝领带", "621510"),
			prod("蚕丝被", "940440"), prod("真丝连衣裙", "620449")},
		markets:   []string{"US", "JP", "KR", "FR", "IT", "GB", "DE", "SG", "AE"},
		platforms: []commonv1.SalesPlatform{amazon, ownSite, etsy, alibaba, tiktok, ebay},
	},
	"arts": {
		industry: commonv1.Industry_INDUSTRY_ARTS_CRAFTS,
		words:    []word{{"工艺品", "Arts & Crafts"}, {"文化创意", "Cultural Creative"}, {"工艺美术", "Crafts"}},
		products: []product{prod("西湖绸伞", "660199"), prod("杭绣刺绣挂画", "581099"), prod("木雕摆件", "442019"), prod("陶瓷茶具", "691200"),
			prod("竹编工艺品", "460211")},
		markets:   []string{"US", "JP", "DE", "GB", "FR", "AU", "SG"},
		platforms: []commonv1.SalesPlatform{etsy, amazon, ownSite, ebay, alibaba},
	},
	"tools": {
		industry: commonv1.Industry_INDUSTRY_HARDWARE_TOOLS,
		words:    []word{{"五金工具", "Tools"}, {"工具", "Tools"}, {"五金", "Hardware"}},
		products: []product{prod("扳手套装", "820411"), prod("螺丝刀", "820540"), prod("电钻", "846721"), prod("钢卷尺", "901780"),
			prod("钳子", "820320"), prod("园林修枝剪", "820130")},
		markets:   []string{"US", "DE", "GB", "AU", "CA", "MX", "BR", "RU"},
		platforms: []commonv1.SalesPlatform{amazon, alibaba, walmart, ebay, madeInChina, mercado},
	},
	"machinery": {
		industry: commonv1.Industry_INDUSTRY_MACHINERY,
		words:    []word{{"机电", "Mechanical & Electrical"}, {"机械", "Machinery"}, {"泵阀", "Pump & Valve"}},
		products: []product{prod("离心泵", "841370"), prod("工业阀门", "848180"), prod("纺织机械配件", "844899"), prod("齿轮减速机", "848340"),
			prod("三相异步电动机", "850152")},
		markets:   []string{"RU", "VN", "IN", "ID", "BR", "TR", "US", "MX"},
		platforms: []commonv1.SalesPlatform{alibaba, madeInChina, globalSrc, ownSite},
	},
	"tea-xihu": {
		industry: commonv1.Industry_INDUSTRY_TEA,
		words:    []word{{"茶业", "Tea"}, {"茶叶", "Tea"}, {"茶文化", "Tea Culture"}},
		products: []product{prod("西湖龙井", "090210"), prod("散装绿茶", "090220"), prod("九曲红梅红茶", "090230"), prod("龙井茶礼盒", "090210"),
			prod("速溶茶粉", "210120"), prod("陶瓷茶具", "691200")},
		markets:   []string{"JP", "MA", "US", "DE", "RU", "UZ", "MY", "SG", "GB"},
		platforms: []commonv1.SalesPlatform{amazon, alibaba, ownSite, tiktok, aliexpress},
	},
	"tea-qiandao": {
		industry:  commonv1.Industry_INDUSTRY_TEA,
		words:     []word{{"茶业", "Tea"}, {"生态茶业", "Eco Tea"}},
		products:  []product{prod("千岛湖银针绿茶", "090210"), prod("鸠坑茶", "090220"), prod("红茶", "090230"), prod("袋泡茶", "090210")},
		markets:   []string{"MA", "UZ", "JP", "DE", "US", "RU", "MY"},
		platforms: []commonv1.SalesPlatform{alibaba, amazon, aliexpress, ownSite},
	},
	"digital": {
		industry: commonv1.Industry_INDUSTRY_DIGITAL_HARDWARE,
		words:    []word{{"电子科技", "Electronic Technology"}, {"智能科技", "Smart Technology"}, {"数码科技", "Digital Technology"}},
		products: []product{prod("智能手表", "851762"), prod("蓝牙耳机", "851830"), prod("移动电源", "850760"), prod("无线路由器", "851762"),
			prod("数据线", "854442"), prod("网络交换机", "851762"), prod("行车记录仪", "852589"), prod("智能手环", "851762")},
		markets:   []string{"US", "DE", "GB", "JP", "BR", "MX", "SA", "AE", "RU", "TH", "VN", "MY"},
		platforms: []commonv1.SalesPlatform{amazon, aliexpress, tiktok, ownSite, walmart, mercado, ozon, shopee, lazada},
	},
	"security": {
		industry: commonv1.Industry_INDUSTRY_DIGITAL_HARDWARE,
		words:    []word{{"安防科技", "Security Technology"}, {"智能科技", "Smart Technology"}, {"视觉科技", "Vision Technology"}},
		products: []product{prod("网络摄像机", "852589"), prod("硬盘录像机", "852190"), prod("智能门锁", "830140"), prod("可视门铃", "852589"),
			prod("烟雾报警器", "853110")},
		markets:   []string{"US", "DE", "GB", "SA", "AE", "BR", "MX", "TH", "VN"},
		platforms: []commonv1.SalesPlatform{amazon, alibaba, ownSite, aliexpress, walmart},
	},
	"ecom": {
		industry: commonv1.Industry_INDUSTRY_ECOMMERCE_SERVICES,
		words:    []word{{"供应链管理", "Supply Chain Management"}, {"电子商务", "E-commerce"}, {"网络科技", "Network Technology"}, {"国际物流", "International Logistics"}},
		products: []product{prod("跨境电商代运营"), prod("海外仓一件代发"), prod("跨境物流专线"), prod("独立站建站与营销"), prod("跨境电商人才培训"),
			prod("跨境收款与结汇咨询")},
		markets:   []string{"US", "GB", "DE", "JP", "MY", "TH", "VN", "ID", "SA", "AE"},
		platforms: []commonv1.SalesPlatform{amazon, temu, tiktok, shopee, lazada, ownSite},
	},
	"down": {
		industry: commonv1.Industry_INDUSTRY_DOWN_PRODUCTS,
		words:    []word{{"羽绒制品", "Down Products"}, {"羽绒服饰", "Down Apparel"}, {"羽绒", "Feather & Down"}, {"羽毛", "Feather"}},
		products: []product{prod("男女羽绒服", "620140", "620240"), prod("羽绒被", "940440"), prod("羽绒枕", "940490"), prod("水洗羽绒羽毛", "050510"),
			prod("羽绒睡袋", "940430"), prod("轻薄羽绒马甲", "620140", "620240")},
		markets:   []string{"US", "CA", "GB", "DE", "RU", "JP", "KR", "FR", "KZ"},
		platforms: []commonv1.SalesPlatform{amazon, temu, shein, ozon, alibaba, tiktok, ownSite},
	},
	"auto": {
		industry: commonv1.Industry_INDUSTRY_AUTO_PARTS,
		words:    []word{{"汽车零部件", "Auto Parts"}, {"汽配", "Auto Parts"}, {"汽车部件", "Automotive Components"}},
		products: []product{prod("汽车制动片", "870830"), prod("汽车万向节", "870850"), prod("减震器", "870880"), prod("铝合金轮毂", "870870"),
			prod("车身冲压件", "870829"), prod("汽车散热器", "870891"), prod("转向器", "870894"), prod("汽车轮毂轴承", "848210")},
		markets:   []string{"US", "MX", "BR", "RU", "SA", "AE", "DE", "TR", "TH"},
		platforms: []commonv1.SalesPlatform{alibaba, amazon, ebay, madeInChina, mercado, ozon},
	},
	"hometex": {
		industry: commonv1.Industry_INDUSTRY_HOME_TEXTILES,
		words:    []word{{"家纺", "Home Textile"}, {"布艺", "Fabrics"}, {"纺织", "Textile"}, {"装饰布", "Decorative Fabrics"}},
		products: []product{prod("窗帘", "630392"), prod("床上用品四件套", "630231"), prod("毛巾浴巾", "630260"), prod("沙发装饰面料", "540752"),
			prod("抱枕靠垫", "940490"), prod("毛毯", "630140"), prod("棉质桌布", "630251")},
		markets:   []string{"US", "GB", "DE", "AU", "JP", "SA", "AE", "CA"},
		platforms: []commonv1.SalesPlatform{amazon, temu, alibaba, walmart, ownSite, tiktok},
	},
	"pet": {
		industry: commonv1.Industry_INDUSTRY_PET_PRODUCTS,
		words:    []word{{"宠物用品", "Pet Products"}, {"宠物科技", "Pet Technology"}},
		products: []product{prod("宠物牵引绳", "420100"), prod("宠物窝垫", "940490"), prod("宠物玩具", "392690"), prod("宠物零食", "230910"),
			prod("猫砂盆", "392490")},
		markets:   []string{"US", "GB", "DE", "JP", "AU", "CA"},
		platforms: []commonv1.SalesPlatform{amazon, temu, tiktok, walmart, ownSite},
	},
	"furniture": {
		industry: commonv1.Industry_INDUSTRY_FURNITURE_HOME,
		words:    []word{{"家居", "Home Furnishing"}, {"家具", "Furniture"}},
		products: []product{prod("办公椅", "940139"), prod("实木餐桌", "940360"), prod("布艺沙发", "940161"), prod("收纳柜", "940360"),
			prod("户外铝制桌椅", "940179")},
		markets:   []string{"US", "GB", "DE", "AU", "AE", "SA", "JP"},
		platforms: []commonv1.SalesPlatform{amazon, walmart, temu, alibaba, ownSite},
	},
	"appliances": {
		industry: commonv1.Industry_INDUSTRY_HOME_APPLIANCES,
		words:    []word{{"厨房电器", "Kitchen Appliance"}, {"电器", "Electric Appliance"}, {"厨具", "Kitchenware"}},
		products: []product{prod("吸油烟机", "841460"), prod("燃气灶", "732111"), prod("电饭煲", "851660"), prod("电热水壶", "851679"),
			prod("空气炸锅", "851660"), prod("洗碗机", "842211"), prod("破壁料理机", "850940")},
		markets:   []string{"SA", "AE", "RU", "MY", "TH", "VN", "US", "DE", "BR"},
		platforms: []commonv1.SalesPlatform{amazon, alibaba, shopee, lazada, ozon, aliexpress, ownSite},
	},
	"energy": {
		industry: commonv1.Industry_INDUSTRY_NEW_ENERGY,
		words:    []word{{"新能源科技", "New Energy Technology"}, {"储能科技", "Energy Storage Technology"}, {"光伏科技", "Photovoltaic Technology"}},
		products: []product{prod("锂离子电池", "850760"), prod("户外储能电源", "850760"), prod("光伏组件", "854143"), prod("光伏逆变器", "850440"),
			prod("电动汽车充电桩", "850440"), prod("电动自行车电池", "850760")},
		markets:   []string{"DE", "NL", "AU", "US", "JP", "BR", "ZA", "PK", "SA", "AE"},
		platforms: []commonv1.SalesPlatform{amazon, alibaba, ownSite, madeInChina, globalSrc},
	},
	"medical": {
		industry: commonv1.Industry_INDUSTRY_MEDICAL_HEALTH,
		words:    []word{{"医疗器械", "Medical Instrument"}, {"生物科技", "Biotechnology"}, {"医疗科技", "Medical Technology"}},
		products: []product{prod("医用口罩", "630790"), prod("一次性注射器", "901831"), prod("电子血压计", "901890"), prod("电子体温计", "902519"),
			prod("手动轮椅", "871310"), prod("医用敷料", "300590"), prod("家用制氧机", "901920")},
		markets:   []string{"US", "DE", "BR", "RU", "SA", "AE", "MY", "TH", "VN", "NG"},
		platforms: []commonv1.SalesPlatform{alibaba, amazon, madeInChina, ownSite, globalSrc},
	},
	"endoscope": {
		industry:  commonv1.Industry_INDUSTRY_MEDICAL_HEALTH,
		words:     []word{{"医疗器械", "Medical Instrument"}, {"医疗科技", "Medical Technology"}},
		products:  []product{prod("医用内窥镜", "901890"), prod("微创手术器械", "901890"), prod("医用导管", "901839"), prod("腹腔镜器械", "901890")},
		markets:   []string{"RU", "BR", "TR", "VN", "TH", "SA", "DE"},
		platforms: []commonv1.SalesPlatform{alibaba, madeInChina, ownSite, globalSrc},
	},
	"beauty": {
		industry: commonv1.Industry_INDUSTRY_BEAUTY_PERSONAL_CARE,
		words:    []word{{"化妆品", "Cosmetics"}, {"日化", "Daily Chemical"}, {"生物科技", "Biotechnology"}},
		products: []product{prod("面膜", "330499"), prod("洗发水", "330510"), prod("口红", "330410"), prod("化妆刷", "960330"),
			prod("电动牙刷刷头", "960321"), prod("香水", "330300")},
		markets:   []string{"US", "MY", "TH", "VN", "ID", "PH", "SG", "JP", "AE"},
		platforms: []commonv1.SalesPlatform{tiktok, shopee, lazada, amazon, temu, ownSite},
	},
	"sport": {
		industry: commonv1.Industry_INDUSTRY_SPORTING_GOODS,
		words:    []word{{"体育用品", "Sporting Goods"}, {"运动器材", "Sports Equipment"}, {"户外用品", "Outdoor Products"}},
		products: []product{prod("羽毛球拍", "950659"), prod("羽毛球", "950699"), prod("乒乓球拍", "950640"), prod("户外帐篷", "630622"),
			prod("钓鱼竿", "950710"), prod("篮球", "950662"), prod("运动护具", "950699")},
		markets:   []string{"US", "DE", "GB", "JP", "MY", "ID", "TH", "AU"},
		platforms: []commonv1.SalesPlatform{amazon, aliexpress, shopee, lazada, temu, alibaba, ownSite},
	},
	"fitness": {
		industry: commonv1.Industry_INDUSTRY_SPORTING_GOODS,
		words:    []word{{"健身器材", "Fitness Equipment"}, {"运动科技", "Sports Technology"}},
		products: []product{prod("跑步机", "950691"), prod("哑铃杠铃", "950691"), prod("动感单车", "950691"), prod("瑜伽垫", "950691"),
			prod("按摩椅", "901910"), prod("筋膜枪", "901910")},
		markets:   []string{"US", "DE", "GB", "AU", "CA", "AE", "SA"},
		platforms: []commonv1.SalesPlatform{amazon, walmart, alibaba, tiktok, ownSite},
	},
	"paper": {
		industry: commonv1.Industry_INDUSTRY_PAPER_PRINTING,
		words:    []word{{"纸业", "Paper"}, {"包装", "Packaging"}, {"印务", "Printing"}},
		products: []product{prod("瓦楞纸箱", "481910"), prod("生活用纸", "481810"), prod("牛皮纸袋", "481940"), prod("白卡纸", "481092"),
			prod("文化用纸", "480256"), prod("纸杯纸碗", "482369")},
		markets:   []string{"US", "AU", "MY", "VN", "TH", "SA", "AE", "NG"},
		platforms: []commonv1.SalesPlatform{alibaba, madeInChina, amazon, globalSrc},
	},
	"pen": {
		industry: commonv1.Industry_INDUSTRY_WRITING_INSTRUMENTS,
		words:    []word{{"笔业", "Pen"}, {"制笔", "Pen Making"}, {"文具", "Stationery"}},
		products: []product{prod("圆珠笔", "960810"), prod("中性笔", "960810"), prod("记号笔", "960820"), prod("白板笔", "960820"),
			prod("自动铅笔", "960840"), prod("圆珠笔芯", "960860"), prod("钢笔", "960830"), prod("荧光笔", "960820"), prod("木杆铅笔", "960910")},
		markets:   []string{"US", "BR", "MX", "AE", "RU", "NG", "SA", "DE", "TR"},
		platforms: []commonv1.SalesPlatform{alibaba, amazon, temu, aliexpress, madeInChina, mercado},
	},
	"nuts": {
		industry: commonv1.Industry_INDUSTRY_FOOD_SNACKS,
		words:    []word{{"食品", "Food"}, {"炒货", "Roasted Nuts"}, {"坚果", "Nuts"}},
		products: []product{prod("手剥山核桃", "200819"), prod("山核桃仁", "200819"), prod("碧根果", "200819"), prod("香榧", "200819"),
			prod("带壳核桃", "080231"), prod("每日坚果", "200819")},
		markets:   []string{"MY", "SG", "TH", "KR", "JP", "US", "AE", "HK"},
		platforms: []commonv1.SalesPlatform{tiktok, shopee, lazada, amazon, alibaba},
	},
	"bamboo-food": {
		industry:  commonv1.Industry_INDUSTRY_AGRICULTURE,
		words:     []word{{"笋业", "Bamboo Shoot"}, {"农产品", "Agricultural Products"}, {"食品", "Food"}},
		products:  []product{prod("天目笋干", "071290"), prod("即食笋", "200591"), prod("笋丝罐头", "200591")},
		markets:   []string{"JP", "KR", "SG", "MY", "US", "HK"},
		platforms: []commonv1.SalesPlatform{alibaba, shopee, tiktok, amazon},
	},
	"bamboo-ware": {
		industry:  commonv1.Industry_INDUSTRY_FURNITURE_HOME,
		words:     []word{{"竹制品", "Bamboo Products"}, {"竹木", "Bamboo & Wood"}},
		products:  []product{prod("竹砧板", "441911"), prod("竹筷", "441912"), prod("竹制收纳盒", "441919"), prod("竹编篮", "460211")},
		markets:   []string{"US", "JP", "KR", "DE", "GB", "AU"},
		platforms: []commonv1.SalesPlatform{amazon, etsy, alibaba, temu},
	},
	"agri-chunan": {
		industry: commonv1.Industry_INDUSTRY_AGRICULTURE,
		words:    []word{{"农业开发", "Agricultural Development"}, {"生态农业", "Eco-Agriculture"}, {"农产品", "Agricultural Products"}},
		products: []product{prod("冷冻淡水鱼", "030325"), prod("山茶油", "151590"), prod("土蜂蜜", "040900"), prod("山茱萸中药材", "121190"),
			prod("笋干", "071290"), prod("柑橘", "080521")},
		markets:   []string{"JP", "KR", "SG", "MY", "HK", "US", "AE"},
		platforms: []commonv1.SalesPlatform{alibaba, tiktok, shopee, lazada, amazon},
	},
	"agri-jiande": {
		industry: commonv1.Industry_INDUSTRY_AGRICULTURE,
		words:    []word{{"农业开发", "Agricultural Development"}, {"农产品", "Agricultural Products"}, {"食品", "Food"}},
		products: []product{prod("草莓干", "081340"), prod("豆腐干", "210690"), prod("建德苞茶", "090210"), prod("山茶油", "151590"),
			prod("土蜂蜜", "040900"), prod("柑橘", "080521")},
		markets:   []string{"JP", "KR", "SG", "MY", "HK", "US"},
		platforms: []commonv1.SalesPlatform{alibaba, tiktok, shopee, amazon},
	},
	"chem": {
		industry: commonv1.Industry_INDUSTRY_CHEMICALS,
		words:    []word{{"化工", "Chemical"}, {"新材料", "New Materials"}, {"化学", "Chemistry"}},
		products: []product{prod("有机硅胶", "391000"), prod("硅油", "391000"), prod("除草剂制剂", "380893"), prod("非离子表面活性剂", "340242"),
			prod("硅烷偶联剂", "293190")},
		markets:   []string{"IN", "VN", "BR", "US", "DE", "KR", "TH", "RU"},
		platforms: []commonv1.SalesPlatform{alibaba, madeInChina, globalSrc, ownSite},
	},
	"calcium": {
		industry:  commonv1.Industry_INDUSTRY_CHEMICALS,
		words:     []word{{"钙业", "Calcium"}, {"建材", "Building Materials"}},
		products:  []product{prod("纳米碳酸钙", "283650"), prod("轻质碳酸钙", "283650"), prod("氢氧化钙", "282590"), prod("生石灰", "252210")},
		markets:   []string{"VN", "TH", "MY", "ID", "IN", "KR"},
		platforms: []commonv1.SalesPlatform{alibaba, madeInChina},
	},
	"lighting": {
		industry: commonv1.Industry_INDUSTRY_LIGHTING,
		words:    []word{{"照明", "Lighting"}, {"光电", "Optoelectronics"}, {"灯饰", "Lamps"}},
		products: []product{prod("LED球泡灯", "853952"), prod("LED吸顶灯", "940542"), prod("LED灯串", "940531"), prod("太阳能庭院灯", "940541"),
			prod("LED灯带", "940542")},
		markets:   []string{"US", "DE", "GB", "AU", "RU", "SA", "AE", "BR"},
		platforms: []commonv1.SalesPlatform{amazon, alibaba, temu, aliexpress, ownSite, madeInChina},
	},
	"bags": {
		industry:  commonv1.Industry_INDUSTRY_BAGS_LUGGAGE,
		words:     []word{{"箱包", "Bags"}, {"皮具", "Leather Goods"}},
		products:  []product{prod("拉杆箱", "420212"), prod("双肩背包", "420292"), prod("真皮手袋", "420221"), prod("真皮钱包", "420231")},
		markets:   []string{"US", "GB", "DE", "JP", "AE", "SA", "RU", "MX"},
		platforms: []commonv1.SalesPlatform{amazon, temu, shein, tiktok, aliexpress, ownSite},
	},
}

// Association shorthands.
const (
	industryAssoc  = profilesv1.AssociationType_ASSOCIATION_TYPE_INDUSTRY_ASSOCIATION
	chamber        = profilesv1.AssociationType_ASSOCIATION_TYPE_CHAMBER_OF_COMMERCE
	federation     = profilesv1.AssociationType_ASSOCIATION_TYPE_FEDERATION
	promotion      = profilesv1.AssociationType_ASSOCIATION_TYPE_PROMOTION_ASSOCIATION
	privateNonEnt  = profilesv1.AssociationType_ASSOCIATION_TYPE_PRIVATE_NON_ENTERPRISE
	otherAssocType = profilesv1.AssociationType_ASSOCIATION_TYPE_OTHER
)

// assocSeed describes one association. The generator adds its USCC,
// contact, rating, services and programme participation.
type assocSeed struct {
	key   string
	name  string
	short string
	typ   profilesv1.AssociationType
	// d is where the association sits; city is true when it registered
	// with the city (its USCC carries 330100).
	d    commonv1.District
	city bool
	// belts of its member firms; the first is the main one.
	belts []string
	// firmDistricts are where a city-level association's members sit;
	// nil means the association's own district.
	firmDistricts []commonv1.District
	// firms is how many member firms to generate.
	firms int
	// alsoJoin are associations its members may also belong to.
	alsoJoin []string
	// openToAll marks cross-industry associations (e-commerce bodies),
	// which firms of any industry join as a second association; others
	// take only firms of their own industries.
	openToAll bool
}

// Keys of the associations the demo accounts administer.
const (
	adminAssocKey  = "xs-down"
	admin2AssocKey = "tl-pen"
)

// assocSeeds are the demo associations, in creation order.
var assocSeeds = []assocSeed{
	{key: "hz-womenswear", name: "杭州市女装产业促进会", short: "杭州女装促进会", typ: promotion, d: commonv1.District_DISTRICT_SHANGCHENG, city: true,
		belts: []string{"apparel"}, firmDistricts: []commonv1.District{commonv1.District_DISTRICT_SHANGCHENG, commonv1.District_DISTRICT_GONGSHU, commonv1.District_DISTRICT_LINPING}, firms: 12,
		alsoJoin: []string{"hz-brand"}},
	{key: "sc-silk", name: "上城区丝绸文化产业商会", short: "上城丝绸商会", typ: chamber, d: commonv1.District_DISTRICT_SHANGCHENG,
		belts: []string{"silk", "arts"}, firms: 6, alsoJoin: []string{"hz-silk"}},
	{key: "sc-tools", name: "上城区五金工具出口联合会", short: "上城五金联合会", typ: federation, d: commonv1.District_DISTRICT_SHANGCHENG,
		belts: []string{"tools"}, firms: 7},
	{key: "hz-silk", name: "杭州市丝绸产业促进会", short: "杭州丝绸促进会", typ: promotion, d: commonv1.District_DISTRICT_GONGSHU, city: true,
		belts: []string{"silk"}, firmDistricts: []commonv1.District{commonv1.District_DISTRICT_GONGSHU, commonv1.District_DISTRICT_SHANGCHENG, commonv1.District_DISTRICT_XIHU}, firms: 9},
	{key: "gs-apparel", name: "拱墅区服装服饰行业协会", short: "拱墅服装协会", typ: industryAssoc, d: commonv1.District_DISTRICT_GONGSHU,
		belts: []string{"apparel"}, firms: 8, alsoJoin: []string{"hz-womenswear"}},
	{key: "gs-crafts", name: "拱墅区运河工艺美术商会", short: "运河工艺美术商会", typ: chamber, d: commonv1.District_DISTRICT_GONGSHU,
		belts: []string{"arts"}, firms: 5},
	{key: "hz-bags", name: "杭州市箱包皮具商会", short: "杭州箱包商会", typ: chamber, d: commonv1.District_DISTRICT_GONGSHU, city: true,
		belts: []string{"bags"}, firmDistricts: []commonv1.District{commonv1.District_DISTRICT_GONGSHU, commonv1.District_DISTRICT_SHANGCHENG, commonv1.District_DISTRICT_LINPING}, firms: 5},
	{key: "xh-tea", name: "西湖区龙井茶叶商会", short: "西湖龙井茶商会", typ: chamber, d: commonv1.District_DISTRICT_XIHU,
		belts: []string{"tea-xihu"}, firms: 9, alsoJoin: []string{"hz-brand"}},
	{key: "xh-culture", name: "西湖区文创工艺品协会", short: "西湖文创协会", typ: industryAssoc, d: commonv1.District_DISTRICT_XIHU,
		belts: []string{"arts", "silk"}, firms: 5},
	{key: "hz-brand", name: "杭州市跨境电商品牌出海促进会", short: "杭州品牌出海促进会", typ: promotion, d: commonv1.District_DISTRICT_XIHU, city: true,
		belts: []string{"ecom"}, firmDistricts: []commonv1.District{commonv1.District_DISTRICT_XIHU, commonv1.District_DISTRICT_BINJIANG, commonv1.District_DISTRICT_YUHANG}, firms: 5,
		openToAll: true},
	{key: "bj-hardware", name: "滨江区数字硬件出海联盟", short: "滨江硬件出海联盟", typ: otherAssocType, d: commonv1.District_DISTRICT_BINJIANG,
		belts: []string{"digital"}, firms: 12, alsoJoin: []string{"bj-ecommerce", "hz-brand"}},
	{key: "bj-security", name: "滨江区智能安防产业协会", short: "滨江安防协会", typ: industryAssoc, d: commonv1.District_DISTRICT_BINJIANG,
		belts: []string{"security"}, firms: 6, alsoJoin: []string{"bj-hardware"}},
	{key: "bj-ecommerce", name: "滨江区电子商务促进会", short: "滨江电商促进会", typ: promotion, d: commonv1.District_DISTRICT_BINJIANG,
		belts: []string{"ecom", "digital"}, firms: 6, openToAll: true},
	{key: "bj-talent", name: "滨江区跨境电商人才发展中心", short: "滨江跨境人才中心", typ: privateNonEnt, d: commonv1.District_DISTRICT_BINJIANG,
		belts: []string{"ecom"}, firms: 3},
	{key: "xs-down", name: "萧山区羽绒制品行业协会", short: "萧山羽绒协会", typ: industryAssoc, d: commonv1.District_DISTRICT_XIAOSHAN,
		belts: []string{"down"}, firms: 16, alsoJoin: []string{"hz-brand"}},
	{key: "xs-auto", name: "萧山区汽车零部件商会", short: "萧山汽配商会", typ: chamber, d: commonv1.District_DISTRICT_XIAOSHAN,
		belts: []string{"auto"}, firms: 12, alsoJoin: []string{"xs-machinery"}},
	{key: "xs-machinery", name: "萧山区五金机电行业协会", short: "萧山五金机电协会", typ: industryAssoc, d: commonv1.District_DISTRICT_XIAOSHAN,
		belts: []string{"machinery", "tools"}, firms: 8},
	{key: "xs-textile", name: "萧山区纺织服装商会", short: "萧山纺织服装商会", typ: chamber, d: commonv1.District_DISTRICT_XIAOSHAN,
		belts: []string{"apparel", "hometex"}, firms: 7, alsoJoin: []string{"hz-womenswear"}},
	{key: "yh-hometex", name: "余杭区家纺布艺协会", short: "余杭家纺协会", typ: industryAssoc, d: commonv1.District_DISTRICT_YUHANG,
		belts: []string{"hometex"}, firms: 11, alsoJoin: []string{"lp-hometex", "yh-ecommerce"}},
	{key: "yh-ecommerce", name: "余杭区跨境电商协会", short: "余杭跨境电商协会", typ: industryAssoc, d: commonv1.District_DISTRICT_YUHANG,
		belts: []string{"ecom", "pet", "furniture"}, firms: 8, openToAll: true},
	{key: "yh-home", name: "余杭区家居用品出口商会", short: "余杭家居商会", typ: chamber, d: commonv1.District_DISTRICT_YUHANG,
		belts: []string{"furniture"}, firms: 7, alsoJoin: []string{"yh-ecommerce"}},
	{key: "hz-pet", name: "杭州市宠物用品出口协会", short: "杭州宠物用品协会", typ: industryAssoc, d: commonv1.District_DISTRICT_YUHANG, city: true,
		belts: []string{"pet"}, firmDistricts: []commonv1.District{commonv1.District_DISTRICT_YUHANG, commonv1.District_DISTRICT_LINPING, commonv1.District_DISTRICT_XIAOSHAN}, firms: 6,
		alsoJoin: []string{"hz-brand"}},
	{key: "lp-hometex", name: "临平区家纺产业联合会", short: "临平家纺联合会", typ: federation, d: commonv1.District_DISTRICT_LINPING,
		belts: []string{"hometex"}, firms: 10},
	{key: "lp-kitchen", name: "临平区厨房电器行业协会", short: "临平厨电协会", typ: industryAssoc, d: commonv1.District_DISTRICT_LINPING,
		belts: []string{"appliances"}, firms: 8, alsoJoin: []string{"hz-brand"}},
	{key: "lp-apparel", name: "临平区乔司服装商会", short: "乔司服装商会", typ: chamber, d: commonv1.District_DISTRICT_LINPING,
		belts: []string{"apparel"}, firms: 9, alsoJoin: []string{"hz-womenswear"}},
	{key: "qt-energy", name: "钱塘区新能源产业促进会", short: "钱塘新能源促进会", typ: promotion, d: commonv1.District_DISTRICT_QIANTANG,
		belts: []string{"energy"}, firms: 9},
	{key: "qt-medical", name: "钱塘区医疗器械行业协会", short: "钱塘医疗器械协会", typ: industryAssoc, d: commonv1.District_DISTRICT_QIANTANG,
		belts: []string{"medical"}, firms: 8, alsoJoin: []string{"qt-bio"}},
	{key: "qt-bio", name: "钱塘区生物医药与健康产业联合会", short: "钱塘生物医药联合会", typ: federation, d: commonv1.District_DISTRICT_QIANTANG,
		belts: []string{"medical", "beauty"}, firms: 6},
	{key: "qt-beauty", name: "钱塘区美妆个护出海联盟", short: "钱塘美妆出海联盟", typ: otherAssocType, d: commonv1.District_DISTRICT_QIANTANG,
		belts: []string{"beauty"}, firms: 6, alsoJoin: []string{"qt-bio"}},
	{key: "fy-sport", name: "富阳区体育用品商会", short: "富阳体育用品商会", typ: chamber, d: commonv1.District_DISTRICT_FUYANG,
		belts: []string{"sport"}, firms: 12, alsoJoin: []string{"fy-fitness"}},
	{key: "fy-paper", name: "富阳区造纸与包装行业协会", short: "富阳纸业协会", typ: industryAssoc, d: commonv1.District_DISTRICT_FUYANG,
		belts: []string{"paper"}, firms: 8},
	{key: "fy-fitness", name: "富阳区健身器材产业促进会", short: "富阳健身器材促进会", typ: promotion, d: commonv1.District_DISTRICT_FUYANG,
		belts: []string{"fitness"}, firms: 6},
	{key: "la-nuts", name: "临安区坚果炒货协会", short: "临安炒货协会", typ: industryAssoc, d: commonv1.District_DISTRICT_LINAN,
		belts: []string{"nuts"}, firms: 11, alsoJoin: []string{"hz-brand"}},
	{key: "la-lighting", name: "临安区照明电器行业协会", short: "临安照明协会", typ: industryAssoc, d: commonv1.District_DISTRICT_LINAN,
		belts: []string{"lighting"}, firms: 7},
	{key: "la-bamboo", name: "临安区天目笋竹产业联合会", short: "临安笋竹联合会", typ: federation, d: commonv1.District_DISTRICT_LINAN,
		belts: []string{"bamboo-food", "bamboo-ware"}, firms: 5},
	{key: "tl-pen", name: "桐庐县制笔行业协会", short: "桐庐制笔协会", typ: industryAssoc, d: commonv1.District_DISTRICT_TONGLU,
		belts: []string{"pen"}, firms: 14, alsoJoin: []string{"tl-fenshui"}},
	{key: "tl-fenshui", name: "桐庐县分水镇商会", short: "分水商会", typ: chamber, d: commonv1.District_DISTRICT_TONGLU,
		belts: []string{"pen"}, firms: 6},
	{key: "tl-medical", name: "桐庐县医疗器械行业协会", short: "桐庐医疗器械协会", typ: industryAssoc, d: commonv1.District_DISTRICT_TONGLU,
		belts: []string{"endoscope"}, firms: 5},
	{key: "ca-tea", name: "淳安县千岛湖茶叶协会", short: "千岛湖茶协会", typ: industryAssoc, d: commonv1.District_DISTRICT_CHUNAN,
		belts: []string{"tea-qiandao"}, firms: 6, alsoJoin: []string{"ca-agri"}},
	{key: "ca-agri", name: "淳安县农产品电商协会", short: "淳安农产品电商协会", typ: industryAssoc, d: commonv1.District_DISTRICT_CHUNAN,
		belts: []string{"agri-chunan"}, firms: 7, openToAll: true},
	{key: "jd-agri", name: "建德市农产品流通协会", short: "建德农产品协会", typ: industryAssoc, d: commonv1.District_DISTRICT_JIANDE,
		belts: []string{"agri-jiande"}, firms: 6},
	{key: "jd-chem", name: "建德市化工行业协会", short: "建德化工协会", typ: industryAssoc, d: commonv1.District_DISTRICT_JIANDE,
		belts: []string{"chem"}, firms: 7, alsoJoin: []string{"jd-calcium"}},
	{key: "jd-calcium", name: "建德市钙业商会", short: "建德钙业商会", typ: chamber, d: commonv1.District_DISTRICT_JIANDE,
		belts: []string{"calcium"}, firms: 4},
}

// Name material. The trade names are pairs of characters common in Chinese
// firm names; their pinyin makes the English names.
var tradeChars = []struct{ cn, py string }{
	{"恒", "heng"}, {"瑞", "rui"}, {"华", "hua"}, {"丰", "feng"}, {"泰", "tai"}, {"鑫", "xin"}, {"宏", "hong"},
	{"锦", "jin"}, {"诚", "cheng"}, {"达", "da"}, {"嘉", "jia"}, {"祥", "xiang"}, {"盛", "sheng"}, {"源", "yuan"},
	{"润", "run"}, {"德", "de"}, {"永", "yong"}, {"康", "kang"}, {"佳", "jia"}, {"美", "mei"}, {"创", "chuang"},
	{"汇", "hui"}, {"通", "tong"}, {"和", "he"}, {"安", "an"}, {"昌", "chang"}, {"明", "ming"}, {"星", "xing"},
	{"宇", "yu"}, {"辰", "chen"}, {"启", "qi"}, {"益", "yi"}, {"卓", "zhuo"}, {"越", "yue"}, {"凯", "kai"},
	{"博", "bo"}, {"聚", "ju"}, {"帆", "fan"}, {"禾", "he"}, {"诺", "nuo"}, {"晟", "sheng"}, {"睿", "rui"},
	{"骏", "jun"}, {"腾", "teng"}, {"耀", "yao"}, {"远", "yuan"}, {"舜", "shun"}, {"江", "jiang"}, {"峰", "feng"},
	{"林", "lin"}, {"森", "sen"}, {"亿", "yi"}, {"万", "wan"}, {"富", "fu"}, {"隆", "long"}, {"兴", "xing"},
	{"旺", "wang"}, {"福", "fu"}, {"顺", "shun"}, {"欣", "xin"}, {"悦", "yue"}, {"朗", "lang"}, {"曦", "xi"},
	{"蓝", "lan"}, {"青", "qing"}, {"翔", "xiang"}, {"振", "zhen"}, {"洲", "zhou"}, {"海", "hai"}, {"天", "tian"},
	{"云", "yun"}, {"雅", "ya"}, {"尚", "shang"}, {"纳", "na"}, {"维", "wei"}, {"拓", "tuo"}, {"驰", "chi"},
	{"澜", "lan"}, {"沐", "mu"}, {"衡", "heng"}, {"致", "zhi"}, {"君", "jun"}, {"晨", "chen"}, {"钧", "jun"},
}

var surnames = []string{
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
	"郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋", "蔡", "余",
	"杜", "叶", "程", "魏", "吕", "丁", "沈", "姚", "卢", "姜", "钟", "陆", "汪", "范", "金", "石", "方", "邵", "钱", "俞",
	"楼", "裘", "应", "傅", "施", "严", "孔", "毛", "章", "盛",
}

var givenNames = []string{
	"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚",
	"建华", "晓东", "海燕", "丽华", "志强", "佳琪", "浩然", "雨欣", "子轩", "婷婷", "晨曦", "颖", "鹏", "斌", "宇航", "琳",
	"慧敏", "倩", "俊杰", "凯", "国平", "建军", "秀芬", "玲", "燕萍", "志刚", "卫东", "红梅", "晓燕", "立新", "伟民", "雪芳",
	"嘉怡", "思远", "一鸣", "梦洁", "天宇", "欣怡", "晓峰", "春燕",
}

var assocContactTitles = []string{"秘书长", "副秘书长", "跨境电商工作部主任", "会员服务部主任", "副会长兼秘书长"}

var firmContactTitles = []string{"总经理", "外贸部经理", "跨境电商负责人", "电商运营总监", "董事长助理", "外贸业务主管", "副总经理"}
