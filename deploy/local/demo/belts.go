package demo

import (
	"slices"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
)

// The demo industry belts (一区一品): at least one per district and county.
// Their products, HS chapters, markets and platforms come from the belt
// table the demo firms are generated from (catalog.go), so a demo firm's
// profile and its belt agree; brand names, descriptions and locations are
// written by hand, with real towns and streets. The service providers are
// fictional and say so in their names.

// provider shorthands, by key.
var providers = map[string]*catalogv1.ServiceProvider{
	"logistics": {Name: "杭州启帆跨境物流有限公司（演示）",
		Services:    []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_LOGISTICS, commonv1.NeedTag_NEED_TAG_CUSTOMS},
		Description: "欧美专线、空运海运拼箱和跨境电商小包，代办9610/9710/9810报关。"},
	"warehouse": {Name: "杭州云仓海外仓储服务有限公司（演示）",
		Services:    []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_OVERSEAS_WAREHOUSE, commonv1.NeedTag_NEED_TAG_LOGISTICS},
		Description: "在美国、德国、英国运营海外仓，提供一件代发、退货换标和FBA补货中转。"},
	"payments": {Name: "杭州汇通跨境支付科技有限公司（演示）",
		Services:    []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_PAYMENT_FX, commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX},
		Description: "多平台收款、合规结汇和欧洲VAT申报代缴。"},
	"training": {Name: "杭州领航跨境电商职业培训学校（演示）",
		Services:    []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_TALENT, commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING},
		Description: "亚马逊、TikTok Shop运营和海外直播实训，可承接协会组织的会员企业培训。"},
	"brand": {Name: "杭州星图品牌出海咨询有限公司（演示）",
		Services:    []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_BRAND_IP, commonv1.NeedTag_NEED_TAG_MARKETING},
		Description: "境外商标注册、品牌定位和海外社交媒体营销。"},
	"compliance": {Name: "杭州合规通国际认证服务有限公司（演示）",
		Services:    []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX},
		Description: "CE、FDA、UKCA、FCC认证和欧盟EPR、GPSR合规咨询。"},
	"agency": {Name: "杭州拓海电商代运营有限公司（演示）",
		Services:    []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING, commonv1.NeedTag_NEED_TAG_MARKETING},
		Description: "平台入驻、店铺代运营和站内广告投放，适合刚起步的工厂型企业。"},
	"rail": {Name: "杭州中欧班列国际货运代理有限公司（演示）",
		Services:    []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_LOGISTICS},
		Description: "中欧班列、俄罗斯和中亚线路整柜与拼箱运输。"},
	"coldchain": {Name: "杭州鲜达冷链出海供应链有限公司（演示）",
		Services:    []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_LOGISTICS, commonv1.NeedTag_NEED_TAG_CUSTOMS},
		Description: "食品和农产品冷链出口，协助办理出口食品生产企业备案和检验检疫申报。"},
	"live": {Name: "杭州海潮东南亚直播电商服务有限公司（演示）",
		Services:    []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_MARKETING, commonv1.NeedTag_NEED_TAG_LOCALISED_OPERATIONS},
		Description: "TikTok Shop东南亚直播间搭建、本地达人对接和小语种客服。"},
	"trade": {Name: "杭州外贸综合服务有限公司（演示）",
		Services:    []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_FINANCING, commonv1.NeedTag_NEED_TAG_CUSTOMS, commonv1.NeedTag_NEED_TAG_PAYMENT_FX},
		Description: "外贸综合服务：代办出口退税、信保保单融资和收汇结汇。"},
	"site": {Name: "杭州独立站建站科技有限公司（演示）",
		Services:    []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING, commonv1.NeedTag_NEED_TAG_MARKETING},
		Description: "基于Shopify等SaaS的独立站建站、SEO和海外广告投放。"},
	"b2b": {Name: "杭州数贸B2B出海服务有限公司（演示）",
		Services:    []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING, commonv1.NeedTag_NEED_TAG_MARKET_PLANNING},
		Description: "阿里巴巴国际站、中国制造网开店与询盘运营，新兴市场选市场咨询。"},
}

// beltSeed is one demo belt.
type beltSeed struct {
	district commonv1.District
	brand    string
	// from are the keys of the firm-generator belts (catalog.go) whose
	// industry, products, HS chapters, markets and platforms the belt takes;
	// the first gives the industry.
	from        []string
	description string
	locations   []string
	providers   []string
	// assocs are the keys of the demo associations that carry the belt.
	assocs []string
	draft  bool
}

// beltSeeds are the demo belts, by district.
var beltSeeds = []beltSeed{
	{district: commonv1.District_DISTRICT_SHANGCHENG, brand: "四季青女装", from: []string{"apparel"},
		description: "以四季青服装市场为中心的女装设计、批发和供应链集群，款式更新快、小单快反能力强，近年大批商户转向SHEIN、Temu和TikTok Shop供货和开店。",
		locations:   []string{"四季青街道", "九堡街道", "笕桥街道"},
		providers:   []string{"agency", "live", "logistics"}, assocs: []string{"hz-womenswear"}},
	{district: commonv1.District_DISTRICT_SHANGCHENG, brand: "上城丝绸", from: []string{"silk", "arts"},
		description: "依托杭州丝绸文化传统的真丝服饰、围巾和丝绸文创产品集群，以自有品牌和独立站面向欧美日韩中高端消费者。",
		locations:   []string{"四季青街道", "丁兰街道"},
		providers:   []string{"brand", "site"}, assocs: []string{"sc-silk", "hz-silk"}},
	{district: commonv1.District_DISTRICT_SHANGCHENG, brand: "上城五金工具", from: []string{"tools"},
		description: "手动工具、电动工具和园林工具的贸易与品牌运营企业集聚，主攻北美和欧洲DIY市场。",
		locations:   []string{"彭埠街道", "笕桥街道"},
		providers:   []string{"warehouse", "b2b"}, assocs: []string{"sc-tools"}, draft: true},
	{district: commonv1.District_DISTRICT_GONGSHU, brand: "运河工艺", from: []string{"arts"},
		description: "大运河沿线的工艺美术集群：绸伞、杭绣、木雕和陶瓷茶具，借助Etsy、亚马逊手工频道和独立站把非遗产品卖向海外。",
		locations:   []string{"祥符街道", "康桥街道", "半山街道"},
		providers:   []string{"brand", "site"}, assocs: []string{"gs-crafts"}},
	{district: commonv1.District_DISTRICT_GONGSHU, brand: "拱墅服装", from: []string{"apparel"},
		description: "拱墅服装设计和加工企业集群，以女装、针织和家居服为主，承接跨境电商平台的快反订单。",
		locations:   []string{"米市巷街道", "石桥街道"},
		providers:   []string{"agency", "logistics"}, assocs: []string{"gs-apparel", "hz-womenswear"}},
	{district: commonv1.District_DISTRICT_GONGSHU, brand: "杭州箱包", from: []string{"bags"},
		description: "拉杆箱、背包和真皮手袋的设计与贸易企业集聚，设计和供应链在拱墅，生产分布在周边产业带。",
		locations:   []string{"半山街道", "康桥街道"},
		providers:   []string{"agency", "warehouse"}, assocs: []string{"hz-bags"}},
	{district: commonv1.District_DISTRICT_XIHU, brand: "西湖龙井", from: []string{"tea-xihu"},
		description: "西湖龙井茶核心产区的茶企、茶农合作社和茶器品牌，以礼盒和茶文化产品面向日本、北非、欧洲和海外华人市场。",
		locations:   []string{"西湖街道", "转塘街道", "留下街道"},
		providers:   []string{"coldchain", "brand"}, assocs: []string{"xh-tea"}},
	{district: commonv1.District_DISTRICT_XIHU, brand: "西湖文创", from: []string{"arts", "silk"},
		description: "以西湖文化IP为主题的文创礼品、丝绸和手工艺品集群，适合Etsy和独立站小批量多品种销售。",
		locations:   []string{"转塘街道", "蒋村街道"},
		providers:   []string{"site", "brand"}, assocs: []string{"xh-culture"}},
	{district: commonv1.District_DISTRICT_BINJIANG, brand: "滨江数字硬件", from: []string{"digital"},
		description: "智能穿戴、蓝牙音频、网络通信和消费电子品牌集群，研发在滨江，亚马逊、独立站和TikTok Shop是主要渠道，欧美与中东市场增长快。",
		locations:   []string{"长河街道", "西兴街道", "浦沿街道"},
		providers:   []string{"compliance", "brand", "warehouse"}, assocs: []string{"bj-hardware", "bj-ecommerce"}},
	{district: commonv1.District_DISTRICT_BINJIANG, brand: "滨江智能安防", from: []string{"security"},
		description: "网络摄像机、智能门锁和可视门铃等安防产品集群，依托龙头企业的产业链配套，B2B与B2C并进。",
		locations:   []string{"长河街道", "浦沿街道"},
		providers:   []string{"compliance", "b2b"}, assocs: []string{"bj-security"}},
	{district: commonv1.District_DISTRICT_XIAOSHAN, brand: "萧山羽绒", from: []string{"down"},
		description: "全国重要的羽绒原料和制品集散地，覆盖水洗羽绒、羽绒服、羽绒被和睡袋全产业链，正由代工向自有品牌和跨境电商转型，北美、欧洲和俄罗斯是主要市场。",
		locations:   []string{"新塘街道", "衙前镇", "党湾镇"},
		providers:   []string{"warehouse", "agency", "rail"}, assocs: []string{"xs-down"}},
	{district: commonv1.District_DISTRICT_XIAOSHAN, brand: "萧山汽配", from: []string{"auto"},
		description: "制动、底盘、减震和轮毂等汽车零部件集群，以售后市场（AM）为主，通过阿里巴巴国际站、eBay和美客多面向美洲、中东和俄罗斯。",
		locations:   []string{"宁围街道", "瓜沥镇", "益农镇"},
		providers:   []string{"b2b", "warehouse", "trade"}, assocs: []string{"xs-auto"}},
	{district: commonv1.District_DISTRICT_XIAOSHAN, brand: "萧山五金机电", from: []string{"machinery", "tools"},
		description: "泵阀、减速机、纺织机械配件和五金工具集群，以B2B出口为主，正在开拓“一带一路”新兴市场。",
		locations:   []string{"所前镇", "瓜沥镇"},
		providers:   []string{"b2b", "rail"}, assocs: []string{"xs-machinery"}},
	{district: commonv1.District_DISTRICT_YUHANG, brand: "余杭家纺", from: []string{"hometex"},
		description: "窗帘布艺、床品和装饰面料集群，面料开发能力强，亚马逊、Temu和沃尔玛是主要零售渠道，B2B面向中东和欧洲。",
		locations:   []string{"余杭街道", "仁和街道", "瓶窑镇"},
		providers:   []string{"warehouse", "agency"}, assocs: []string{"yh-hometex"}},
	{district: commonv1.District_DISTRICT_YUHANG, brand: "余杭宠物用品", from: []string{"pet"},
		description: "宠物牵引、窝垫、玩具和零食企业集群，品牌化程度高，亚马逊和独立站占比大。",
		locations:   []string{"仁和街道", "良渚街道"},
		providers:   []string{"brand", "site"}, assocs: []string{"hz-pet", "yh-ecommerce"}},
	{district: commonv1.District_DISTRICT_YUHANG, brand: "余杭家居", from: []string{"furniture"},
		description: "办公椅、实木家具和户外家具企业集群，大件商品依托海外仓发货。",
		locations:   []string{"中泰街道", "闲林街道"},
		providers:   []string{"warehouse", "logistics"}, assocs: []string{"yh-home"}},
	{district: commonv1.District_DISTRICT_LINPING, brand: "乔司服装", from: []string{"apparel"},
		description: "乔司是杭派女装的重要生产基地，数千家服装加工厂形成了快速打版、小批量快反的供应链，大量工厂为SHEIN、Temu供货。",
		locations:   []string{"乔司街道", "星桥街道"},
		providers:   []string{"agency", "logistics", "live"}, assocs: []string{"lp-apparel", "hz-womenswear"}},
	{district: commonv1.District_DISTRICT_LINPING, brand: "临平家纺", from: []string{"hometex"},
		description: "崇贤、运河一带的经编和装饰布集群，以窗帘、沙发布和床品面料为主，出口中东、欧美。",
		locations:   []string{"崇贤街道", "运河街道", "塘栖镇"},
		providers:   []string{"b2b", "warehouse"}, assocs: []string{"lp-hometex"}},
	{district: commonv1.District_DISTRICT_LINPING, brand: "临平厨电", from: []string{"appliances"},
		description: "吸油烟机、燃气灶和小家电企业集群，依托龙头厨电企业配套，东南亚、中东和俄罗斯市场增长快。",
		locations:   []string{"东湖街道", "星桥街道"},
		providers:   []string{"compliance", "live"}, assocs: []string{"lp-kitchen"}},
	{district: commonv1.District_DISTRICT_QIANTANG, brand: "钱塘新能源", from: []string{"energy"},
		description: "锂电池、户外储能电源、光伏组件和充电桩企业集群，欧洲、澳大利亚和南非是户用储能的主要市场。",
		locations:   []string{"下沙街道", "临江街道", "河庄街道"},
		providers:   []string{"compliance", "warehouse", "trade"}, assocs: []string{"qt-energy"}},
	{district: commonv1.District_DISTRICT_QIANTANG, brand: "钱塘医疗器械", from: []string{"medical"},
		description: "医用耗材、家用医疗设备和康复器械企业集群，依托钱塘生物医药产业园，重点突破欧盟MDR和美国FDA准入。",
		locations:   []string{"下沙街道", "白杨街道"},
		providers:   []string{"compliance", "b2b"}, assocs: []string{"qt-medical", "qt-bio"}},
	{district: commonv1.District_DISTRICT_QIANTANG, brand: "钱塘美妆", from: []string{"beauty"},
		description: "化妆品、洗护和美妆工具代工与品牌企业集群，TikTok Shop和Shopee是东南亚的主要渠道。",
		locations:   []string{"下沙街道", "义蓬街道"},
		providers:   []string{"live", "compliance"}, assocs: []string{"qt-beauty"}},
	{district: commonv1.District_DISTRICT_FUYANG, brand: "富阳体育用品", from: []string{"sport", "fitness"},
		description: "羽毛球拍、乒乓球拍、户外帐篷和健身器材集群，场口、东洲一带配套齐全，亚马逊和速卖通是主要零售渠道。",
		locations:   []string{"场口镇", "东洲街道", "银湖街道"},
		providers:   []string{"agency", "warehouse"}, assocs: []string{"fy-sport", "fy-fitness"}},
	{district: commonv1.District_DISTRICT_FUYANG, brand: "富阳纸品", from: []string{"paper"},
		description: "造纸和纸制品包装集群，产品从白卡纸、文化用纸到纸箱、纸袋和纸杯，主要通过阿里巴巴国际站和中国制造网做B2B出口。",
		locations:   []string{"灵桥镇", "大源镇", "新登镇"},
		providers:   []string{"b2b", "trade"}, assocs: []string{"fy-paper"}},
	{district: commonv1.District_DISTRICT_LINAN, brand: "临安坚果炒货", from: []string{"nuts"},
		description: "以临安山核桃为代表的坚果炒货集群，昌化、岛石是山核桃主产区，近年借助TikTok Shop和Shopee直播走向东南亚和港澳市场。",
		locations:   []string{"昌化镇", "岛石镇", "锦城街道"},
		providers:   []string{"live", "coldchain"}, assocs: []string{"la-nuts"}},
	{district: commonv1.District_DISTRICT_LINAN, brand: "临安照明", from: []string{"lighting"},
		description: "LED灯具、灯串和太阳能庭院灯企业集群，B2B和亚马逊并重。",
		locations:   []string{"青山湖街道", "锦城街道"},
		providers:   []string{"compliance", "b2b"}, assocs: []string{"la-lighting"}},
	{district: commonv1.District_DISTRICT_LINAN, brand: "天目笋竹", from: []string{"bamboo-food", "bamboo-ware"},
		description: "天目山区的笋干、即食笋和竹制家居用品集群，日韩和东南亚是主要市场。",
		locations:   []string{"太湖源镇", "於潜镇"},
		providers:   []string{"coldchain", "agency"}, assocs: []string{"la-bamboo"}},
	{district: commonv1.District_DISTRICT_TONGLU, brand: "桐庐制笔", from: []string{"pen"},
		description: "分水镇是全国重要的制笔基地，圆珠笔、中性笔和笔芯产量大，正从贴牌出口转向自有品牌和跨境电商，拉美、中东和非洲市场需求旺盛。",
		locations:   []string{"分水镇", "横村镇"},
		providers:   []string{"b2b", "agency", "trade"}, assocs: []string{"tl-pen", "tl-fenshui"}},
	{district: commonv1.District_DISTRICT_TONGLU, brand: "桐庐医疗器械", from: []string{"endoscope"},
		description: "以医用内窥镜和微创手术器械为特色的医疗器械集群，B2B出口为主，重点开拓俄罗斯、巴西、土耳其和东南亚市场。",
		locations:   []string{"桐君街道", "江南镇"},
		providers:   []string{"compliance", "b2b"}, assocs: []string{"tl-medical"}},
	{district: commonv1.District_DISTRICT_CHUNAN, brand: "千岛湖茶", from: []string{"tea-qiandao"},
		description: "千岛湖周边的绿茶和红茶产区，鸠坑茶历史悠久，向摩洛哥、乌兹别克斯坦等传统绿茶市场和日欧市场出口。",
		locations:   []string{"千岛湖镇", "威坪镇", "鸠坑乡"},
		providers:   []string{"coldchain", "b2b"}, assocs: []string{"ca-tea"}},
	{district: commonv1.District_DISTRICT_CHUNAN, brand: "淳安生态农产品", from: []string{"agri-chunan"},
		description: "千岛湖有机鱼、山茶油、土蜂蜜和中药材等生态农产品，借助跨境电商面向港澳、东南亚和日韩市场。",
		locations:   []string{"千岛湖镇", "汾口镇", "临岐镇"},
		providers:   []string{"coldchain", "live"}, assocs: []string{"ca-agri"}},
	{district: commonv1.District_DISTRICT_JIANDE, brand: "建德新材料", from: []string{"chem", "calcium"},
		description: "有机硅、精细化工和碳酸钙新材料集群，以B2B出口为主，印度、越南、巴西和韩国是主要市场。",
		locations:   []string{"大同镇", "李家镇", "寿昌镇"},
		providers:   []string{"b2b", "rail", "trade"}, assocs: []string{"jd-chem", "jd-calcium"}},
	{district: commonv1.District_DISTRICT_JIANDE, brand: "建德农产品", from: []string{"agri-jiande"},
		description: "建德草莓、豆腐干、苞茶和山茶油等特色农产品，借助跨境电商面向港澳、日韩和东南亚。",
		locations:   []string{"新安江街道", "乾潭镇", "梅城镇"},
		providers:   []string{"coldchain", "live"}, assocs: []string{"jd-agri"}},
}

// beltMessage builds the belt for a seed; assocIDs maps association names to
// their ids.
func beltMessage(s beltSeed, assocIDs []string) *catalogv1.IndustryBelt {
	b := &catalogv1.IndustryBelt{
		District:       s.district,
		Industry:       belts[s.from[0]].industry,
		BrandName:      s.brand,
		Description:    demoMark + s.description + "（企业、服务商和数据均为演示用虚构内容。）",
		Locations:      s.locations,
		AssociationIds: assocIDs,
		Status:         catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED,
		Sample:         true,
	}
	if s.draft {
		b.Status = catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_DRAFT
	}
	for _, key := range s.from {
		src, ok := belts[key]
		if !ok {
			panic("demo: unknown belt " + key)
		}
		for _, p := range src.products {
			if !slices.Contains(b.KeyProducts, p.name) {
				b.KeyProducts = append(b.KeyProducts, p.name)
			}
			for _, hs := range p.hs {
				if ch := hs[:2]; !slices.Contains(b.HsChapters, ch) {
					b.HsChapters = append(b.HsChapters, ch)
				}
			}
		}
		for _, m := range src.markets {
			if !slices.Contains(b.TargetMarkets, m) {
				b.TargetMarkets = append(b.TargetMarkets, m)
			}
		}
		for _, p := range src.platforms {
			if !slices.Contains(b.AnchorPlatforms, p) {
				b.AnchorPlatforms = append(b.AnchorPlatforms, p)
			}
		}
	}
	slices.Sort(b.HsChapters)
	for _, key := range s.providers {
		sp, ok := providers[key]
		if !ok {
			panic("demo: unknown service provider " + key)
		}
		b.ServiceProviders = append(b.ServiceProviders, sp)
	}
	return b
}
