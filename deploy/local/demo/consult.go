package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/refdata"
	catalogapp "github.com/qihang-hz/qihang/services/catalog/app"
	catalogdomain "github.com/qihang-hz/qihang/services/catalog/domain"
	consultapp "github.com/qihang-hz/qihang/services/consult/app"
	consultdomain "github.com/qihang-hz/qihang/services/consult/domain"
	profilesapp "github.com/qihang-hz/qihang/services/profiles/app"
	profilesdomain "github.com/qihang-hz/qihang/services/profiles/domain"
)

// ConsultSummary reports what LoadConsult did.
type ConsultSummary struct {
	// AlreadyLoaded is true when the demo experts were present and
	// LoadConsult wrote nothing.
	AlreadyLoaded bool
	Experts       int
	OpenSlots     int
	Clinics       int
	// Consultations created, by status label.
	Consultations map[string]int
	Elapsed       time.Duration
}

// demoBio marks every demo expert as sample data in words people read.
const demoBio = "【演示数据，非真实专家】"

type plannedExpert struct {
	id, name, org, title string
	needs                []commonv1.NeedTag
	stages               []commonv1.CrossBorderStage
	markets              []string
	platforms            []commonv1.SalesPlatform
	online               bool
	districts            []commonv1.District
	parks                []string
	capacity             int32
}

func consultExperts() []plannedExpert {
	n := func(t ...commonv1.NeedTag) []commonv1.NeedTag { return t }
	st := func(s ...commonv1.CrossBorderStage) []commonv1.CrossBorderStage { return s }
	d := func(x ...commonv1.District) []commonv1.District { return x }
	pl := func(x ...commonv1.SalesPlatform) []commonv1.SalesPlatform { return x }
	const (
		none, exploring, store, order, repeat, brand = commonv1.CrossBorderStage_CROSS_BORDER_STAGE_NONE, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING,
			commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_STORE_OPENED, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER,
			commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS, commonv1.CrossBorderStage_CROSS_BORDER_STAGE_OVERSEAS_WAREHOUSE_OR_BRAND
	)
	return []plannedExpert{
		{expertID, "陈晓东", "杭州综试区跨境电商服务中心（演示）", "高级运营顾问",
			n(commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING, commonv1.NeedTag_NEED_TAG_MARKETING, commonv1.NeedTag_NEED_TAG_LOCALISED_OPERATIONS),
			st(exploring, store, order), []string{"US", "GB", "DE"}, pl(commonv1.SalesPlatform_SALES_PLATFORM_AMAZON, commonv1.SalesPlatform_SALES_PLATFORM_TEMU),
			true, d(commonv1.District_DISTRICT_XIAOSHAN, commonv1.District_DISTRICT_BINJIANG), []string{"杭州跨境电商综试区萧山园区"}, 8},
		{"demo-expert-2", "林雅琴", "示例出海咨询有限公司（演示）", "出海规划顾问",
			n(commonv1.NeedTag_NEED_TAG_MARKET_PLANNING, commonv1.NeedTag_NEED_TAG_TALENT),
			st(none, exploring), []string{"US", "JP", "AU"}, nil, true, d(commonv1.District_DISTRICT_SHANGCHENG, commonv1.District_DISTRICT_GONGSHU), nil, 6},
		{"demo-expert-3", "王建国", "示例国际物流集团（演示）", "海外仓事业部总监",
			n(commonv1.NeedTag_NEED_TAG_LOGISTICS, commonv1.NeedTag_NEED_TAG_OVERSEAS_WAREHOUSE, commonv1.NeedTag_NEED_TAG_CUSTOMS),
			st(order, repeat, brand), []string{"US", "DE", "PL"}, nil, true, d(commonv1.District_DISTRICT_XIAOSHAN, commonv1.District_DISTRICT_LINPING), []string{"杭州空港跨境电商产业园"}, 6},
		{"demo-expert-4", "赵敏", "示例支付科技有限公司（演示）", "跨境收款合规经理",
			n(commonv1.NeedTag_NEED_TAG_PAYMENT_FX, commonv1.NeedTag_NEED_TAG_FINANCING),
			st(store, order, repeat), []string{"US", "GB"}, nil, true, d(commonv1.District_DISTRICT_BINJIANG), nil, 10},
		{"demo-expert-5", "周立平", "示例会计师事务所（演示）", "税务合伙人",
			n(commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX, commonv1.NeedTag_NEED_TAG_PAYMENT_FX),
			st(order, repeat, brand), []string{"DE", "FR", "GB"}, nil, true, d(commonv1.District_DISTRICT_XIHU, commonv1.District_DISTRICT_YUHANG), nil, 5},
		{"demo-expert-6", "孙若愚", "示例知识产权代理所（演示）", "商标代理人",
			n(commonv1.NeedTag_NEED_TAG_BRAND_IP),
			st(store, order, repeat, brand), []string{"US", "DE", "JP"}, nil, true, d(commonv1.District_DISTRICT_XIHU, commonv1.District_DISTRICT_TONGLU), []string{"桐庐县制笔产业园"}, 6},
		{"demo-expert-7", "吴海燕", "示例数字营销公司（演示）", "海外社媒营销总监",
			n(commonv1.NeedTag_NEED_TAG_MARKETING, commonv1.NeedTag_NEED_TAG_BRAND_IP),
			st(order, repeat, brand), []string{"US", "SA", "AE"}, pl(commonv1.SalesPlatform_SALES_PLATFORM_TIKTOK_SHOP), true, nil, nil, 8},
		{"demo-expert-8", "郑凯", "示例供应链管理公司（演示）", "东南亚本地化运营负责人",
			n(commonv1.NeedTag_NEED_TAG_LOCALISED_OPERATIONS, commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING),
			st(store, order, repeat), []string{"ID", "TH", "VN", "MY"}, pl(commonv1.SalesPlatform_SALES_PLATFORM_SHOPEE, commonv1.SalesPlatform_SALES_PLATFORM_LAZADA),
			true, d(commonv1.District_DISTRICT_FUYANG, commonv1.District_DISTRICT_TONGLU), nil, 6},
		{"demo-expert-9", "冯志远", "示例报关行（演示）", "关务主管",
			n(commonv1.NeedTag_NEED_TAG_CUSTOMS, commonv1.NeedTag_NEED_TAG_LOGISTICS),
			st(exploring, store, order), nil, nil, false, d(commonv1.District_DISTRICT_QIANTANG, commonv1.District_DISTRICT_LINAN, commonv1.District_DISTRICT_JIANDE, commonv1.District_DISTRICT_CHUNAN), nil, 5},
	}
}

// LoadConsult writes the demo experts, their open slots, an on-site clinic,
// and consultations in every lifecycle state through the consult use cases,
// so every record passes the real rules. Past sessions are replayed with the
// use cases' clock set back (consultapp.Service.WithClock). Load the
// profiles demo data first (Load): the consultations are those of demo
// firms, including the demo accounts' firms.
//
// ctx must carry SystemPrincipal and incoming gRPC metadata with a bearer
// token for it (consult reads firms from the profiles service with the
// caller's token). It is idempotent: when the expert of the demo account
// "expert" exists it writes nothing.
func LoadConsult(ctx context.Context, consult *consultapp.Service, profiles *profilesapp.Service, catalog *catalogapp.Service, logger *slog.Logger) (*ConsultSummary, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	if p := auth.FromContext(ctx); !p.Is(auth.RoleBureauAdmin) || p.AccountID != systemAdmin.AccountID {
		return nil, fmt.Errorf("demo: LoadConsult must run as the system bureau admin (demo.SystemPrincipal), not %s", p)
	}
	if md, ok := metadata.FromIncomingContext(ctx); !ok || len(md.Get("authorization")) == 0 {
		return nil, errors.New("demo: LoadConsult needs incoming gRPC metadata with a bearer token for the system principal")
	}
	if _, err := consult.GetExpert(ctx, expertID); err == nil {
		return &ConsultSummary{AlreadyLoaded: true, Elapsed: time.Since(start)}, nil
	} else if !apperr.IsKind(err, apperr.KindNotFound) {
		return nil, fmt.Errorf("demo: look for expert %s: %w", expertID, err)
	}
	sum := &ConsultSummary{Consultations: map[string]int{}}
	now := time.Now().UTC().Truncate(time.Minute)

	for _, pe := range consultExperts() {
		_, err := consult.CreateExpert(ctx, &consultv1.Expert{
			Id: pe.id, Name: pe.name, Organisation: pe.org, Title: pe.title, Specialties: pe.needs, Stages: pe.stages,
			Markets: pe.markets, Platforms: pe.platforms, Languages: []string{"zh", "en"}, Online: pe.online, Districts: pe.districts,
			Parks: pe.parks, Bio: demoBio + pe.org + pe.title + "，长期为杭州中小企业提供跨境电商出海咨询。", WeeklyCapacity: pe.capacity,
			DefaultBufferMinutes: 15, Sample: true,
		})
		if err != nil {
			return nil, fmt.Errorf("demo: expert %s: %w", pe.name, err)
		}
		sum.Experts++
	}

	// Open slots: each expert, the next two weeks, weekday mornings and
	// afternoons, online or at the first district's park.
	day0 := consultdomain.DayStart(now).AddDate(0, 0, 1)
	for i, pe := range consultExperts() {
		for k := range 4 {
			st := day0.AddDate(0, 0, 1+k*3+i%3).Add(time.Duration(9+(k%2)*5) * time.Hour)
			sl := &consultv1.Slot{StartTime: timestamppb.New(st), EndTime: timestamppb.New(st.Add(time.Hour)), Sample: true}
			if pe.online && (k%2 == 0 || len(pe.districts) == 0) {
				sl.Mode, sl.MeetingUrl = consultv1.SessionMode_SESSION_MODE_ONLINE, "https://meeting.example.com/demo/"+pe.id
			} else {
				park := "杭州跨境电商综试区" + districtLabel(pe.districts[0]) + "服务站"
				if len(pe.parks) > 0 {
					park = pe.parks[0]
				}
				sl.Mode, sl.Venue = consultv1.SessionMode_SESSION_MODE_ON_SITE, &consultv1.Venue{Park: park, District: pe.districts[0], Address: "服务大厅2楼洽谈室（演示）"}
			}
			if _, err := consult.CreateSlot(ctx, pe.id, sl); err != nil {
				return nil, fmt.Errorf("demo: slot of %s: %w", pe.name, err)
			}
			sum.OpenSlots++
		}
	}
	// An on-site clinic: the demo expert at the Xiaoshan park for a
	// morning, ten days ahead.
	clinicStart := day0.AddDate(0, 0, 10).Add(9 * time.Hour)
	if _, err := consult.CreateClinic(ctx, &consultv1.Clinic{
		ExpertId: expertID, Title: "萧山园区 跨境电商出海义诊（亚马逊专场）（演示）",
		Description: demoBio + "请携带店铺后台截图和产品清单。",
		Venue:       &consultv1.Venue{Park: "杭州跨境电商综试区萧山园区", District: commonv1.District_DISTRICT_XIAOSHAN, Address: "萧山区鸿宁路1688号 2楼路演厅（演示）"},
		StartTime:   timestamppb.New(clinicStart), EndTime: timestamppb.New(clinicStart.Add(3 * time.Hour)),
		SlotMinutes: 40, GapMinutes: 5, FocusNeeds: []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING}, Sample: true,
	}); err != nil {
		return nil, fmt.Errorf("demo: clinic: %w", err)
	}
	sum.Clinics++

	firms, err := consultFirms(ctx, profiles)
	if err != nil {
		return nil, err
	}
	var policyIDs []string
	if catalog != nil {
		if list, _, _, err := catalog.ListPolicies(ctx, catalogdomain.PolicyFilter{Tag: DemoTag, Status: catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED}, 3, ""); err == nil {
			for _, p := range list {
				policyIDs = append(policyIDs, p.GetId())
			}
		}
	}
	cases := []struct {
		firm   string
		status consultv1.ConsultationStatus
		expert string
		needs  []commonv1.NeedTag
		sub    string
		// ago: how many days before now the session took place.
		ago int
	}{
		{firms[0], consultdomain.Requested, "", []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING}, "亚马逊欧洲站开店咨询", 0},
		{firms[1], consultdomain.Requested, "", []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_BRAND_IP}, "商标海外注册咨询（请协调员匹配）", 0},
		{firms[2], consultdomain.Assigned, expertID, []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_MARKETING}, "TikTok 短视频引流咨询", 0},
		{firms[0], consultdomain.Scheduled, expertID, []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_LOCALISED_OPERATIONS}, "美国站本地化运营咨询", 0},
		{firms[3], consultdomain.Held, expertID, []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING}, "Temu 入驻咨询", 2},
		{firms[4], consultdomain.FollowUpDue, "demo-expert-3", []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_OVERSEAS_WAREHOUSE}, "德国海外仓选仓咨询", 9},
		{firms[1], consultdomain.Closed, "demo-expert-6", []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_BRAND_IP, commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX}, "欧盟商标与VAT咨询", 12},
		{firms[5], consultdomain.Cancelled, "", []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_PAYMENT_FX}, "跨境收款结汇咨询", 0},
		{firms[6], consultdomain.NoShow, "demo-expert-4", []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_PAYMENT_FX}, "美元收款账户咨询", 5},
	}
	for i, pc := range cases {
		if err := demoCase(ctx, consult, now, i, pc.firm, pc.status, pc.expert, pc.needs, pc.sub, pc.ago, policyIDs); err != nil {
			return nil, fmt.Errorf("demo: consultation %s (%s): %w", pc.sub, consultStatusLabel(pc.status), err)
		}
		sum.Consultations[consultStatusLabel(pc.status)]++
	}
	sum.Elapsed = time.Since(start)
	logger.DebugContext(ctx, "demo consultations loaded", "experts", sum.Experts, "slots", sum.OpenSlots)
	return sum, nil
}

// consultFirms returns seven demo firms: the demo accounts' two firms
// first, then others.
func consultFirms(ctx context.Context, profiles *profilesapp.Service) ([]string, error) {
	var out []string
	for _, username := range []string{"firm-user", "firm-user2"} {
		accs, _, err := profiles.ListAccounts(ctx, profilesdomain.AccountFilter{Role: auth.RoleFirmUser}, 100, "")
		if err != nil {
			return nil, fmt.Errorf("demo: list firm accounts: %w", err)
		}
		for _, a := range accs {
			if a.Username == username && a.FirmID != "" {
				out = append(out, a.FirmID)
			}
		}
	}
	firms, _, _, err := profiles.ListFirms(ctx, profilesdomain.FirmFilter{}, 40, "")
	if err != nil {
		return nil, fmt.Errorf("demo: list firms: %w", err)
	}
	for i := 0; i < len(firms) && len(out) < 7; i += 5 {
		if id := firms[i].ID; !contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) < 7 {
		return nil, fmt.Errorf("demo: found %d demo firms, want 7: load the profiles demo data first", len(out))
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func districtLabel(d commonv1.District) string { return refdata.Label(d) }

func consultStatusLabel(s consultv1.ConsultationStatus) string { return refdata.Label(s) }

// demoCase files one consultation and walks it to status. Sessions in the
// past are replayed with the clock set back: the request and booking three
// hours before the session, the rest half an hour after it started.
func demoCase(ctx context.Context, consult *consultapp.Service, now time.Time, i int, firmID string, status consultv1.ConsultationStatus,
	expert string, needs []commonv1.NeedTag, subject string, ago int, policyIDs []string) error {
	session := consultdomain.DayStart(now).AddDate(0, 0, 3).Add(19 * time.Hour)
	if ago > 0 {
		session = consultdomain.DayStart(now).AddDate(0, 0, -ago).Add(10*time.Hour + time.Duration(i)*10*time.Minute)
	}
	before := consult.WithClock(func() time.Time { return session.Add(-72 * time.Hour) })
	if ago == 0 {
		before = consult
	}
	after := consult.WithClock(func() time.Time { return session.Add(30 * time.Minute) })
	c, err := before.CreateConsultation(ctx, &consultv1.Consultation{
		FirmId: firmID, Subject: subject, Needs: needs, Description: demoBio + "企业希望了解" + subject + "的具体步骤与注意事项。",
		PreferredMode: consultv1.SessionMode_SESSION_MODE_UNSPECIFIED, PreferredTimeNote: "工作日下午",
		CoordinatorPick: status == consultdomain.Requested && i == 1, Sample: true,
	})
	if err != nil {
		return err
	}
	switch status {
	case consultdomain.Requested:
		return nil
	case consultdomain.Cancelled:
		_, err = before.CancelConsultation(ctx, c.GetId(), "", "企业已自行解决（演示）")
		return err
	}
	if _, err = before.AssignConsultation(ctx, c.GetId(), expert, "", "协调员按擅长领域指派（演示）"); err != nil || status == consultdomain.Assigned {
		return err
	}
	sl, err := before.CreateSlot(ctx, expert, &consultv1.Slot{
		StartTime: timestamppb.New(session), EndTime: timestamppb.New(session.Add(time.Hour)), Mode: consultv1.SessionMode_SESSION_MODE_ONLINE,
		MeetingUrl: "https://meeting.example.com/demo/" + c.GetId(), Sample: true,
	})
	if err != nil {
		return err
	}
	if _, err = before.BookConsultation(ctx, c.GetId(), sl.GetId(), ""); err != nil || status == consultdomain.Scheduled {
		return err
	}
	if status == consultdomain.NoShow {
		_, err = after.MarkConsultationNoShow(ctx, c.GetId(), "", consultv1.Party_PARTY_FIRM, "企业未上线（演示）")
		return err
	}
	if _, err = after.MarkConsultationHeld(ctx, c.GetId(), ""); err != nil || status == consultdomain.Held {
		return err
	}
	note := &consultv1.CaseNote{
		Summary:   demoBio + "梳理了企业现状与目标市场，明确了下一步工作。",
		Advice:    "1. 先完成目标市场商标注册；2. 申报市级跨境电商扶持政策；3. 参加平台入驻专题培训。",
		PolicyIds: policyIDs, Sample: true,
	}
	if status == consultdomain.FollowUpDue {
		note.FollowUpTime = timestamppb.New(session.AddDate(0, 0, 7))
	}
	if _, err = after.CreateCaseNote(ctx, c.GetId(), note); err != nil {
		return err
	}
	if status == consultdomain.FollowUpDue {
		return consult.Sweep(ctx)
	}
	if _, err = after.CloseConsultation(ctx, c.GetId(), "", "企业已完成欧盟商标申请，VAT注册进行中（演示）"); err != nil {
		return err
	}
	return nil
}
