package app

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/contact"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/services/profiles/domain"
	"github.com/qihang-hz/qihang/services/profiles/sheets"
)

// File is a generated document.
type File struct {
	Name        string
	ContentType string
	Content     []byte
}

// ImportRequest is one spreadsheet import.
type ImportRequest struct {
	AssociationID string
	Content       []byte
	FileName      string
	DryRun        bool
}

// Outcome is what an import did with one row.
type Outcome int

// The outcomes of a row.
const (
	OutcomeCreated Outcome = iota + 1
	OutcomeUpdated
	OutcomeUnchanged
	OutcomeLinked
	OutcomeFailed
)

// RowReport is the outcome of one row.
type RowReport struct {
	Row     int
	USCC    string
	Name    string
	Outcome Outcome
	FirmID  string
	Errors  []sheets.CellError
}

// ImportReport is the outcome of a whole import.
type ImportReport struct {
	TotalRows, Created, Updated, Unchanged, Linked, Failed int
	DryRun                                                 bool
	Rows                                                   []RowReport
}

func (r *ImportReport) count(o Outcome) {
	switch o {
	case OutcomeCreated:
		r.Created++
	case OutcomeUpdated:
		r.Updated++
	case OutcomeUnchanged:
		r.Unchanged++
	case OutcomeLinked:
		r.Linked++
	case OutcomeFailed:
		r.Failed++
	}
}

// importBatch is how many new firms go into one insert.
const importBatch = 500

// ImportFirms registers or updates an association's member firms from a
// spreadsheet. Invalid rows change nothing and are reported with their row,
// column and rule; valid rows are saved one by one (new firms in batches), so
// a failure part way leaves every saved row whole. A USCC already registered
// updates the firm if it is already this association's member (only the
// columns present in the file), or adds the membership without touching a
// profile another association keeps. Importing the same file again changes
// nothing.
func (s *Service) ImportFirms(ctx context.Context, req ImportRequest) (*ImportReport, error) {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	if req.AssociationID == "" {
		return nil, apperr.Invalid("association_id", "请指定导入到哪个协会")
	}
	if !domain.CanManageMembers(p, req.AssociationID) {
		return nil, apperr.PermissionDenied("只能向本协会导入会员企业")
	}
	if len(req.Content) == 0 {
		return nil, apperr.Invalid("content", "文件为空，请上传.xlsx或.csv文件")
	}
	assoc, err := s.associations.Get(ctx, req.AssociationID)
	if err != nil {
		return nil, err
	}
	parsed, err := sheets.ParseFirms(req.Content)
	if err != nil {
		return nil, err
	}
	mask := parsed.FieldMask()
	present := make(map[string]bool, len(parsed.Columns))
	for _, c := range parsed.Columns {
		present[c] = true
	}
	rep := &ImportReport{DryRun: req.DryRun, TotalRows: len(parsed.Rows)}
	rep.Rows = make([]RowReport, len(parsed.Rows))

	var codes []string
	for i, row := range parsed.Rows {
		rep.Rows[i] = RowReport{Row: row.Number, USCC: row.Firm.USCC, Name: row.Firm.Name}
		if !row.Valid() {
			rep.Rows[i].Outcome, rep.Rows[i].Errors = OutcomeFailed, row.Errors
			continue
		}
		if row.Firm.USCC == sheets.TemplateSampleUSCC && row.Firm.Name == sheets.TemplateSampleName {
			rep.Rows[i].Outcome = OutcomeFailed
			rep.Rows[i].Errors = []sheets.CellError{{Column: sheets.ColUSCC, Description: "这是导入模板中的示例行，请删除后再导入"}}
			continue
		}
		codes = append(codes, row.Firm.USCC)
	}
	existing, err := s.firms.FindByUSCCs(ctx, codes)
	if err != nil {
		return nil, err
	}

	now := s.now()
	var fresh []*domain.Firm
	var freshRows []int
	var records []audit.Record
	for i, row := range parsed.Rows {
		rr := &rep.Rows[i]
		if rr.Outcome == OutcomeFailed {
			continue
		}
		in := row.Firm
		cur := existing[in.USCC]
		switch {
		case cur == nil:
			in.ID, in.Version, in.CreateTime, in.UpdateTime = ids.New(), 1, now, now
			in.Memberships, in.RegisteredBy = nil, req.AssociationID
			in.AddMembership(req.AssociationID, now)
			rr.Outcome = OutcomeCreated
			if !req.DryRun {
				rr.FirmID = in.ID
				fresh = append(fresh, in)
				freshRows = append(freshRows, i)
			}
			continue
		case cur.Deleted():
			rr.Outcome, rr.FirmID = OutcomeCreated, cur.ID
		case cur.KeptBy(req.AssociationID):
			in.Contacts = mergeContacts(cur.Contacts, in.Contacts, present)
			next := cur.Clone()
			domain.ApplyFirmPatch(next, in, mask)
			domain.NormalizeFirm(next)
			rr.FirmID = cur.ID
			if domain.SameProfile(cur, next) {
				rr.Outcome = OutcomeUnchanged
				continue
			}
			rr.Outcome = OutcomeUpdated
		case cur.MemberOf(req.AssociationID):
			// Added earlier by USCC or import; another association keeps
			// the profile, so this import leaves it alone.
			rr.Outcome, rr.FirmID = OutcomeUnchanged, cur.ID
			continue
		default:
			rr.Outcome, rr.FirmID = OutcomeLinked, cur.ID
		}
		if req.DryRun {
			continue
		}
		f, err := s.applyImportRow(ctx, cur, in, mask, req.AssociationID, rr.Outcome)
		if err != nil {
			failRow(rr, err)
			continue
		}
		records = append(records, firmAudit(importAction(rr.Outcome), f, "导入自"+fileLabel(req.FileName)))
	}

	for start := 0; start < len(fresh); start += importBatch {
		end := min(start+importBatch, len(fresh))
		errs, err := s.firms.InsertMany(ctx, fresh[start:end])
		if err != nil {
			// The store failed part way (deadline, lost connection): report
			// what was saved and fail the rest; importing the file again
			// completes it, as saved rows come back unchanged.
			s.logger.ErrorContext(ctx, "import interrupted", "association", assoc.ID, "row", parsed.Rows[freshRows[start]].Number, "error", err)
			for _, i := range freshRows[start:] {
				rr := &rep.Rows[i]
				rr.Outcome, rr.FirmID = OutcomeFailed, ""
				rr.Errors = []sheets.CellError{{Column: sheets.ColUSCC, Description: "保存中断，本行可能未保存，请重新导入该文件（已保存的行将显示为无变化）"}}
			}
			break
		}
		for j, e := range errs {
			rr := &rep.Rows[freshRows[start+j]]
			if e != nil {
				failRow(rr, e)
				continue
			}
			records = append(records, firmAudit("firm.create", fresh[start+j], "导入自"+fileLabel(req.FileName)))
		}
	}

	for i := range rep.Rows {
		rep.count(rep.Rows[i].Outcome)
	}
	if !req.DryRun {
		s.appendAll(ctx, p, records)
		s.audit.Append(ctx, p, audit.Record{
			Action: "firm.import", ObjectType: "association", ObjectID: assoc.ID,
			Detail: fmt.Sprintf("%s：共%d行，新增%d，更新%d，无变化%d，关联%d，失败%d", fileLabel(req.FileName),
				rep.TotalRows, rep.Created, rep.Updated, rep.Unchanged, rep.Linked, rep.Failed),
			AssociationIDs: []string{assoc.ID},
		})
	}
	return rep, nil
}

// applyImportRow writes one row's change to an existing firm.
func (s *Service) applyImportRow(ctx context.Context, cur, in *domain.Firm, mask []string, associationID string, o Outcome) (*domain.Firm, error) {
	if o == OutcomeCreated { // a deleted firm registered again
		return s.firms.Revive(ctx, cur.ID, func(f *domain.Firm) error {
			domain.ApplyFirmPatch(f, in, domain.FirmPatchPaths())
			f.DeleteTime = zeroTime
			f.Memberships, f.RegisteredBy = nil, associationID
			f.AddMembership(associationID, s.now())
			return nil
		})
	}
	return s.firms.Update(ctx, cur.ID, 0, func(f *domain.Firm) error {
		if o == OutcomeUpdated && f.KeptBy(associationID) {
			domain.ApplyFirmPatch(f, in, mask)
			domain.NormalizeFirm(f)
			if err := domain.ValidateFirm(f).Err(); err != nil {
				return err
			}
			return nil
		}
		f.AddMembership(associationID, s.now())
		return nil
	})
}

// mergeContacts is what a spreadsheet row does to a stored firm's contacts.
// A sheet has columns for one contact: the row's values replace the first
// contact's name, title, phone and e-mail only where the column is in the
// file; the other contacts stay; a row whose contact cells are all blank
// changes nothing, so no one is deleted by omission.
func mergeContacts(stored, row []domain.Contact, present map[string]bool) []domain.Contact {
	if len(row) == 0 {
		return slices.Clone(stored)
	}
	var first domain.Contact
	if len(stored) > 0 {
		first = stored[0]
	}
	in := row[0]
	if present[sheets.ColContactName] {
		first.Name = in.Name
	}
	if present[sheets.ColContactTitle] {
		first.Title = in.Title
	}
	if present[sheets.ColContactPhone] {
		first.Phone = in.Phone
	}
	if present[sheets.ColContactEmail] {
		first.Email = in.Email
	}
	out := []domain.Contact{first}
	if len(stored) > 1 {
		out = append(out, stored[1:]...)
	}
	return out
}

func importAction(o Outcome) string {
	switch o {
	case OutcomeLinked:
		return "membership.create"
	case OutcomeCreated:
		return "firm.create"
	}
	return "firm.update"
}

func failRow(rr *RowReport, err error) {
	rr.Outcome = OutcomeFailed
	msg := "保存失败，请稍后重新导入"
	if e, ok := err.(*apperr.Error); ok {
		msg = e.Msg
	} else if v, ok := apperr.AsValidation(err); ok {
		for _, fv := range v.Violations {
			rr.Errors = append(rr.Errors, sheets.CellError{Column: sheets.ColumnForField(fv.Field), Description: fv.Description})
		}
		return
	}
	rr.Errors = append(rr.Errors, sheets.CellError{Column: "统一社会信用代码", Description: msg})
}

func fileLabel(name string) string {
	if name == "" {
		return "上传文件"
	}
	return "“" + name + "”"
}

// appendAll writes a batch of audit records in chunks.
func (s *Service) appendAll(ctx context.Context, p auth.Principal, recs []audit.Record) {
	for start := 0; start < len(recs); start += importBatch {
		s.audit.AppendMany(ctx, p, recs[start:min(start+importBatch, len(recs))])
	}
}

// ImportTemplate returns the .xlsx import template.
func (s *Service) ImportTemplate(context.Context) (*File, error) {
	b, err := sheets.Template()
	if err != nil {
		return nil, err
	}
	return &File{Name: sheets.TemplateFileName, ContentType: sheets.ContentTypeXLSX, Content: b}, nil
}

// maxExportRows bounds one export.
const maxExportRows = 50_000

// ExportFirms writes the firms the caller may see to .xlsx. Contacts are
// masked unless reveal is asked for by a role allowed to reveal them. The
// export is audited.
func (s *Service) ExportFirms(ctx context.Context, f domain.FirmFilter, reveal bool) (*File, error) {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	if !domain.CanExportFirms(p) {
		return nil, apperr.PermissionDenied("当前角色无权导出企业名单")
	}
	if reveal && !domain.CanRevealInExport(p) {
		return nil, apperr.PermissionDenied("无权导出完整联系方式")
	}
	if v := validateFirmFilter(&f); v.Err() != nil {
		return nil, v.Err()
	}
	if f.AssociationID != "" && p.Is(auth.RoleAssociationAdmin) && f.AssociationID != p.AssociationID {
		return nil, apperr.PermissionDenied("只能导出本协会的会员企业")
	}
	firms, total, err := s.firms.List(ctx, domain.FirmScopeFor(p), f, 0, maxExportRows)
	if err != nil {
		return nil, err
	}
	if total > maxExportRows {
		return nil, apperr.ResourceExhausted("一次最多导出%d家企业，当前筛选结果为%d家，请缩小筛选范围", maxExportRows, total)
	}
	views, err := s.views(ctx, firms)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	if len(views) > 0 {
		names = views[0].AssociationNames
	}
	// With reveal, each firm's contacts are whole only where the caller may
	// reveal them (an association sees firms it added later masked), and
	// every revealed firm gets its own reveal record.
	var reveals []audit.Record
	if reveal {
		for i, firm := range firms {
			if !domain.CanRevealFirm(p, firm) {
				masked := firm.Clone()
				for j := range masked.Contacts {
					masked.Contacts[j].Phone = contact.MaskPhone(masked.Contacts[j].Phone)
					masked.Contacts[j].Email = contact.MaskEmail(masked.Contacts[j].Email)
				}
				firms[i] = masked
				continue
			}
			reveals = append(reveals, firmAudit("firm.reveal_contacts", firm, "导出名单时查看完整联系方式"))
		}
	}
	var buf bytes.Buffer
	if err := sheets.WriteFirms(&buf, firms, sheets.ExportOptions{AssociationNames: names, RevealContacts: reveal}); err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("导出%d家企业，筛选：%+v", len(firms), f)
	if reveal {
		detail += fmt.Sprintf("，其中%d家含完整联系方式", len(reveals))
	}
	scope := []string{}
	if p.AssociationID != "" {
		scope = append(scope, p.AssociationID)
	}
	s.appendAll(ctx, p, reveals)
	s.audit.Append(ctx, p, audit.Record{Action: "firm.export", ObjectType: "firm", ObjectID: "*", Detail: detail, AssociationIDs: scope})
	return &File{Name: sheets.ExportFileName, ContentType: sheets.ContentTypeXLSX, Content: buf.Bytes()}, nil
}
