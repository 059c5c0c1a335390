package schedule

import (
	"fmt"

	"github.com/qihang-hz/qihang/internal/apperr"
)

// checkSize refuses instances beyond the hard limits before anything is
// allocated for them.
func checkSize(in Instance, opts Options) error {
	limit := opts.MaxRequests
	if limit <= 0 {
		limit = DefaultMaxRequests
	}
	if len(in.Requests) > limit {
		return &apperr.Error{
			Kind: apperr.KindResourceExhausted,
			Msg:  fmt.Sprintf("待排会谈 %d 场，超过单次排程上限 %d 场", len(in.Requests), limit),
			Err:  ErrTooLarge,
		}
	}
	if len(in.Participants) > MaxParticipants {
		return &apperr.Error{
			Kind: apperr.KindResourceExhausted,
			Msg:  fmt.Sprintf("参会方 %d 个，超过单次排程上限 %d 个", len(in.Participants), MaxParticipants),
			Err:  ErrTooLarge,
		}
	}
	return nil
}

// Validate checks an instance and returns a *ValidationError listing every
// broken rule, or nil. It does not apply the size limits of Options (Solve
// does, first).
func Validate(in Instance) error {
	v := &apperr.ValidationError{}
	slotsOK := true
	if in.Slots < 1 {
		v.Add("slots", "时段数须至少为 1")
		slotsOK = false
	} else if in.Slots > MaxSlots {
		v.Add("slots", "时段数不能超过 %d", MaxSlots)
		slotsOK = false
	}
	tablesOK := true
	if in.Tables < 1 {
		v.Add("tables", "桌位数须至少为 1")
		tablesOK = false
	} else if in.Tables > MaxTables {
		v.Add("tables", "桌位数不能超过 %d", MaxTables)
		tablesOK = false
	}
	if in.TableCapacities != nil && tablesOK {
		if len(in.TableCapacities) != in.Tables {
			v.Add("table_capacities", "须为每张桌位给出容量：应有 %d 项，实有 %d 项", in.Tables, len(in.TableCapacities))
		} else {
			for t, c := range in.TableCapacities {
				if c < 1 || c > MaxTableCapacity {
					v.Add(fmt.Sprintf("table_capacities[%d]", t), "桌位容量须在 1 至 %d 之间", MaxTableCapacity)
				}
			}
		}
	}
	hostTable := map[int]int{} // participant index -> table
	if in.TableHosts != nil && tablesOK {
		if len(in.TableHosts) != in.Tables {
			v.Add("table_hosts", "须为每张桌位给出固定参会方（无则为 -1）：应有 %d 项，实有 %d 项", in.Tables, len(in.TableHosts))
		} else {
			for t, h := range in.TableHosts {
				field := fmt.Sprintf("table_hosts[%d]", t)
				switch {
				case h == -1:
				case h < 0 || h >= len(in.Participants):
					v.Add(field, "固定参会方须为 -1 或参会方序号（0 至 %d）", len(in.Participants)-1)
				default:
					if prev, dup := hostTable[h]; dup {
						v.Add(field, "参会方“%s”已固定在第 %d 张桌位，一个参会方只能固定一张桌位", in.Participants[h].ID, prev+1)
					} else {
						hostTable[h] = t
					}
				}
			}
		}
	}

	ids := make(map[string]int, len(in.Participants))
	for i, p := range in.Participants {
		field := fmt.Sprintf("participants[%d]", i)
		if p.ID == "" {
			v.Add(field+".id", "参会方编号不能为空")
		} else if prev, dup := ids[p.ID]; dup {
			v.Add(field+".id", "参会方编号“%s”与 participants[%d] 重复", p.ID, prev)
		} else {
			ids[p.ID] = i
		}
		if p.Side != SideFirm && p.Side != SideCounterpart {
			v.Add(field+".side", "参会方须为企业或采购商/平台/服务商一方")
		}
		if slotsOK {
			for j, s := range p.Blocked {
				if s < 0 || s >= in.Slots {
					v.Add(fmt.Sprintf("%s.blocked[%d]", field, j), "不可用时段须在 0 至 %d 之间", in.Slots-1)
				}
			}
		}
	}

	type pair struct{ f, c int }
	reqIDs := make(map[string]int, len(in.Requests))
	pairs := make(map[pair]int, len(in.Requests))
	type cell struct{ slot, idx int }
	lockedAt := map[cell]int{}    // (slot, participant) -> request
	tableLoad := map[cell][]int{} // (slot, table) -> requests
	np := len(in.Participants)
	for i, r := range in.Requests {
		field := fmt.Sprintf("requests[%d]", i)
		if r.ID == "" {
			v.Add(field+".id", "会谈请求编号不能为空")
		} else if prev, dup := reqIDs[r.ID]; dup {
			v.Add(field+".id", "会谈请求编号“%s”与 requests[%d] 重复", r.ID, prev)
		} else {
			reqIDs[r.ID] = i
		}
		aOK := r.A >= 0 && r.A < np
		bOK := r.B >= 0 && r.B < np
		if !aOK {
			v.Add(field+".a", "参会方序号须在 0 至 %d 之间", np-1)
		}
		if !bOK {
			v.Add(field+".b", "参会方序号须在 0 至 %d 之间", np-1)
		}
		if !aOK || !bOK {
			continue
		}
		if r.A == r.B {
			v.Add(field+".b", "会谈双方不能是同一参会方")
			continue
		}
		pa, pb := in.Participants[r.A], in.Participants[r.B]
		var f, c int
		switch {
		case pa.Side == SideFirm && pb.Side == SideCounterpart:
			f, c = r.A, r.B
		case pa.Side == SideCounterpart && pb.Side == SideFirm:
			f, c = r.B, r.A
		default:
			v.Add(field+".b", "会谈须在一家企业与一家采购商/平台/服务商之间进行（“%s”与“%s”不符）", pa.ID, pb.ID)
			continue
		}
		pr := pair{f, c}
		if prev, dup := pairs[pr]; dup {
			v.Add(field, "“%s”与“%s”的会谈与 requests[%d] 重复", pa.ID, pb.ID, prev)
		} else {
			pairs[pr] = i
		}
		if r.Locked == nil || !slotsOK || !tablesOK {
			continue
		}
		lf := field + ".locked"
		l := *r.Locked
		if l.Slot < 0 || l.Slot >= in.Slots {
			v.Add(lf, "锁定会谈的时段须在 0 至 %d 之间", in.Slots-1)
			continue
		}
		if l.Table < 0 || l.Table >= in.Tables {
			v.Add(lf, "锁定会谈的桌位须在 0 至 %d 之间", in.Tables-1)
			continue
		}
		for _, who := range []int{r.A, r.B} {
			if blocks(in.Participants[who].Blocked, l.Slot) {
				v.Add(lf, "锁定会谈“%s”位于参会方“%s”不可用的第 %d 时段", r.ID, in.Participants[who].ID, l.Slot+1)
			}
			k := cell{l.Slot, who}
			if prev, clash := lockedAt[k]; clash {
				v.Add(lf, "锁定会谈“%s”与锁定会谈“%s”在第 %d 时段都有参会方“%s”", r.ID, in.Requests[prev].ID, l.Slot+1, in.Participants[who].ID)
			} else {
				lockedAt[k] = i
			}
		}
		if in.TableHosts != nil && len(in.TableHosts) == in.Tables {
			host := in.TableHosts[l.Table]
			ta, aHosts := hostTable[r.A]
			tb, bHosts := hostTable[r.B]
			switch {
			case aHosts && bHosts:
				v.Add(lf, "会谈双方都有固定桌位，不能锁定在同一桌位")
			case aHosts && ta != l.Table:
				v.Add(lf, "参会方“%s”固定在第 %d 张桌位，锁定会谈须在该桌位", pa.ID, ta+1)
			case bHosts && tb != l.Table:
				v.Add(lf, "参会方“%s”固定在第 %d 张桌位，锁定会谈须在该桌位", pb.ID, tb+1)
			case host >= 0 && host != r.A && host != r.B:
				v.Add(lf, "第 %d 张桌位固定给参会方“%s”，不能安排其他会谈", l.Table+1, in.Participants[host].ID)
			}
		}
		k := cell{l.Slot, l.Table}
		tableLoad[k] = append(tableLoad[k], i)
		if len(tableLoad[k]) > tableCapacity(in, l.Table) {
			v.Add(lf, "锁定会谈“%s”与锁定会谈“%s”在第 %d 时段占用第 %d 张桌位，超出桌位容量", r.ID, in.Requests[tableLoad[k][0]].ID, l.Slot+1, l.Table+1)
		}
	}
	return v.Err()
}

func blocks(blocked []int, slot int) bool {
	for _, s := range blocked {
		if s == slot {
			return true
		}
	}
	return false
}

func tableCapacity(in Instance, t int) int {
	if in.TableCapacities == nil || t >= len(in.TableCapacities) {
		return 1
	}
	return in.TableCapacities[t]
}
