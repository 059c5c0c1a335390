package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/services/profiles/domain"
	"github.com/qihang-hz/qihang/services/profiles/sheets"
)

// accessEntry is one RPC's row of the access matrix.
type accessEntry struct {
	// want is the expected code per role and target, written
	// "anon | bureau | officer | assoc | firm | expert", each "own/other" or
	// one code for both (see parseWant).
	want string
	// call makes the RPC as c against the object of tg and returns its
	// error. It may create fresh objects first (as the system) and may
	// check a successful response further with t.Errorf.
	call func(t *testing.T, h *harness, c *caller, tg target) error
	// last runs the entry after all others: a wrongly allowed call would
	// destroy the shared fixture (A or fa) the other cells need.
	last bool
}

// accessMatrix says, for every RPC of the profiles contract, what each role
// gets on an object in its own scope and on another tenant's. "own" is
// association A / firm fa / district XIAOSHAN (the bureau's "own" is A/fa
// too), "other" is B / fb / XIHU. TestAccessMatrix fails for an RPC without
// an entry here.
var accessMatrix = map[string]accessEntry{
	// ProfilesSyncService: service tokens only (sync_test.go covers them).

	profilesv1.ProfilesSyncService_ListProfileChanges_FullMethodName: {
		want: "U | PD | PD | PD | PD | PD",
		call: func(t *testing.T, h *harness, c *caller, _ target) error {
			_, err := h.sync.ListProfileChanges(h.ctx(t, c), &profilesv1.ListProfileChangesRequest{Source: profilesv1.ProfileSource_PROFILE_SOURCE_FIRMS})
			return err
		},
	},
	profilesv1.ProfilesSyncService_ScanProfiles_FullMethodName: {
		want: "U | PD | PD | PD | PD | PD",
		call: func(t *testing.T, h *harness, c *caller, _ target) error {
			stream, err := h.sync.ScanProfiles(h.ctx(t, c), &profilesv1.ScanProfilesRequest{Source: profilesv1.ProfileSource_PROFILE_SOURCE_FIRMS})
			if err != nil {
				return err
			}
			_, err = stream.Recv()
			return err
		},
	},

	// ProfilesService

	profilesv1.ProfilesService_GetReferenceData_FullMethodName: {
		want: "OK | OK | OK | OK | OK | OK",
		call: func(t *testing.T, h *harness, c *caller, _ target) error {
			_, err := h.profiles.GetReferenceData(h.ctx(t, c), &profilesv1.GetReferenceDataRequest{})
			return err
		},
	},
	profilesv1.ProfilesService_CreateAssociation_FullMethodName: {
		want: "U | OK/OK | PD/PD | PD/PD | PD/PD | PD/PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			_, err := h.profiles.CreateAssociation(h.ctx(t, c), &profilesv1.CreateAssociationRequest{
				Association: &profilesv1.Association{
					Uscc: h.associationUSCC(t), Name: fmt.Sprintf("矩阵测试商会%d", h.next()),
					Type:       profilesv1.AssociationType_ASSOCIATION_TYPE_CHAMBER_OF_COMMERCE,
					District:   district(tg),
					Industries: []commonv1.Industry{commonv1.Industry_INDUSTRY_TOYS},
				},
			})
			return err
		},
	},
	profilesv1.ProfilesService_GetAssociation_FullMethodName: {
		want: "U | OK | OK | OK | OK | OK",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			_, err := h.profiles.GetAssociation(h.ctx(t, c), &profilesv1.GetAssociationRequest{Id: h.association(tg)})
			return err
		},
	},
	profilesv1.ProfilesService_ListAssociations_FullMethodName: {
		want: "U | OK | OK | OK | OK | OK",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			_, err := h.profiles.ListAssociations(h.ctx(t, c), &profilesv1.ListAssociationsRequest{District: district(tg)})
			return err
		},
	},
	profilesv1.ProfilesService_UpdateAssociation_FullMethodName: {
		want: "U | OK/OK | PD/PD | OK/PD | PD/PD | PD/PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			id := h.association(tg)
			_, err := h.profiles.UpdateAssociation(h.ctx(t, c), &profilesv1.UpdateAssociationRequest{
				Association: &profilesv1.Association{Id: id, Etag: h.associationEtag(t, id), Description: "由" + c.role + "修改的简介"},
				UpdateMask:  &fieldmaskpb.FieldMask{Paths: []string{"description"}},
			})
			return err
		},
	},
	profilesv1.ProfilesService_DeleteAssociation_FullMethodName: {
		want: "U | OK/OK | PD | PD | PD | PD",
		last: true,
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			// An association admin's own association is always A; everyone
			// else deletes a fresh association of the target's district.
			var id string
			if tg == own && c.role == roleAssoc {
				id = h.assocA
			} else {
				id = h.newAssociation(t, district(tg))
			}
			_, err := h.profiles.DeleteAssociation(h.ctx(t, c), &profilesv1.DeleteAssociationRequest{Id: id, Etag: h.associationEtag(t, id)})
			return err
		},
	},
	profilesv1.ProfilesService_RevealAssociationContact_FullMethodName: {
		want: "U | OK/OK | OK/PD | OK/PD | PD/PD | PD/PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			resp, err := h.profiles.RevealAssociationContact(h.ctx(t, c), &profilesv1.RevealAssociationContactRequest{Id: h.association(tg), Reason: "核对联系人"})
			if err == nil && (resp.GetContact().GetMasked() || resp.GetContact().GetPhone() != "13800001234") {
				t.Errorf("revealed contact = %v, want the whole phone 13800001234", resp.GetContact())
			}
			return err
		},
	},
	profilesv1.ProfilesService_CreateFirm_FullMethodName: {
		want: "U | OK/OK | PD/PD | OK/PD | PD/PD | PD/PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			_, err := h.profiles.CreateFirm(h.ctx(t, c), &profilesv1.CreateFirmRequest{
				AssociationId: h.association(tg),
				Firm: &profilesv1.Firm{
					Uscc: h.firmUSCC(t), Name: fmt.Sprintf("杭州矩阵%d电子商务有限公司", h.next()),
					District: district(tg), Industry: commonv1.Industry_INDUSTRY_TOYS,
				},
			})
			return err
		},
	},
	profilesv1.ProfilesService_GetFirm_FullMethodName: {
		want: "U | OK/OK | OK/NF | OK/NF | OK/NF | NF/NF",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			_, err := h.profiles.GetFirm(h.ctx(t, c), &profilesv1.GetFirmRequest{Id: h.firm(tg)})
			return err
		},
	},
	profilesv1.ProfilesService_ListFirms_FullMethodName: {
		want: "U | OK/OK | OK/OK | OK/PD | OK/OK | PD/PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			// Every page of an allowed list holds only firms the caller
			// may read.
			req := &profilesv1.ListFirmsRequest{AssociationId: h.association(tg), PageSize: 100}
			var ids []string
			for range 100 {
				resp, err := h.profiles.ListFirms(h.ctx(t, c), req)
				if err != nil {
					return err
				}
				for _, f := range resp.GetFirms() {
					ids = append(ids, f.GetId())
				}
				if resp.GetNextPageToken() == "" {
					break
				}
				req.PageToken = resp.GetNextPageToken()
			}
			h.checkReadable(t, c.role, "ListFirms", ids)
			return nil
		},
	},
	profilesv1.ProfilesService_UpdateFirm_FullMethodName: {
		want: "U | OK/OK | PD/NF | OK/NF | OK/NF | NF/NF",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			id := h.firm(tg)
			_, err := h.profiles.UpdateFirm(h.ctx(t, c), &profilesv1.UpdateFirmRequest{
				Firm:       &profilesv1.Firm{Id: id, Etag: h.firmEtag(t, id), MainProducts: "由" + c.role + "修改：毛衫、围巾"},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"main_products"}},
			})
			return err
		},
	},
	profilesv1.ProfilesService_DeleteFirm_FullMethodName: {
		want: "U | OK/OK | PD | PD | PD | PD",
		last: true,
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			// A firm user's own firm is always fa; everyone else deletes a
			// fresh member of A in XIAOSHAN, or of B in XIHU.
			var id string
			if tg == own && c.role == roleFirm {
				id = h.firmA
			} else {
				id = h.newFirm(t, district(tg), h.association(tg)).ID
			}
			_, err := h.profiles.DeleteFirm(h.ctx(t, c), &profilesv1.DeleteFirmRequest{Id: id, Etag: h.firmEtag(t, id)})
			return err
		},
	},
	profilesv1.ProfilesService_RevealFirmContacts_FullMethodName: {
		want: "U | OK/OK | OK/NF | OK/NF | OK/NF | NF/NF",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			resp, err := h.profiles.RevealFirmContacts(h.ctx(t, c), &profilesv1.RevealFirmContactsRequest{Id: h.firm(tg), Reason: "电话回访"})
			if err == nil && (len(resp.GetContacts()) != 1 || resp.GetContacts()[0].GetPhone() != "13812345678") {
				t.Errorf("revealed contacts = %v, want the whole phone 13812345678", resp.GetContacts())
			}
			return err
		},
	},
	profilesv1.ProfilesService_CreateMembership_FullMethodName: {
		want: "U | OK/OK | PD/PD | OK/PD | PD/PD | PD/PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			// A fresh firm registered by association C joins A or B.
			f := h.newFirm(t, commonv1.District_DISTRICT_BINJIANG, h.assocC)
			_, err := h.profiles.CreateMembership(h.ctx(t, c), &profilesv1.CreateMembershipRequest{AssociationId: h.association(tg), FirmUscc: f.USCC})
			return err
		},
	},
	profilesv1.ProfilesService_DeleteMembership_FullMethodName: {
		want: "U | OK/OK | PD/PD | OK/PD | PD/PD | PD/PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			f := h.newFirm(t, district(tg), h.association(tg))
			_, err := h.profiles.DeleteMembership(h.ctx(t, c), &profilesv1.DeleteMembershipRequest{AssociationId: h.association(tg), FirmId: f.ID})
			return err
		},
	},
	profilesv1.ProfilesService_ImportFirms_FullMethodName: {
		want: "U | OK/OK | PD/PD | OK/PD | PD/PD | PD/PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			resp, err := h.profiles.ImportFirms(h.ctx(t, c), &profilesv1.ImportFirmsRequest{
				AssociationId: h.association(tg), Content: importCSV(t, h.firmUSCC(t)), FileName: "矩阵测试.csv",
			})
			if err == nil && (resp.GetCreated() != 1 || resp.GetFailed() != 0) {
				t.Errorf("import: created %d, failed %d (rows %v); want 1 created", resp.GetCreated(), resp.GetFailed(), resp.GetRows())
			}
			return err
		},
	},
	profilesv1.ProfilesService_GetFirmImportTemplate_FullMethodName: {
		want: "OK | OK | OK | OK | OK | OK",
		call: func(t *testing.T, h *harness, c *caller, _ target) error {
			_, err := h.profiles.GetFirmImportTemplate(h.ctx(t, c), &profilesv1.GetFirmImportTemplateRequest{})
			return err
		},
	},
	profilesv1.ProfilesService_ExportFirms_FullMethodName: {
		want: "U | OK/OK | OK/OK | OK/PD | PD/PD | PD/PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			resp, err := h.profiles.ExportFirms(h.ctx(t, c), &profilesv1.ExportFirmsRequest{AssociationId: h.association(tg)})
			if err != nil {
				return err
			}
			// The export re-imports: every row must be a firm the caller
			// may read.
			parsed, perr := sheets.ParseFirms(resp.GetFile().GetContent())
			if perr != nil {
				t.Errorf("export does not parse as an import file: %v", perr)
				return nil
			}
			byUSCC := map[string]string{}
			for id, f := range h.allFirms(t) {
				byUSCC[f.GetUscc()] = id
			}
			var ids []string
			for _, row := range parsed.Rows {
				id, ok := byUSCC[row.Firm.USCC]
				if !ok {
					t.Errorf("export as %s holds USCC %s, which no live firm has", c.role, row.Firm.USCC)
					continue
				}
				ids = append(ids, id)
			}
			h.checkReadable(t, c.role, "ExportFirms", ids)
			return nil
		},
	},
	profilesv1.ProfilesService_GetProgrammeStats_FullMethodName: {
		want: "U | OK/OK | OK/PD | PD/PD | PD/PD | PD/PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			_, err := h.profiles.GetProgrammeStats(h.ctx(t, c), &profilesv1.GetProgrammeStatsRequest{District: district(tg)})
			return err
		},
	},
	profilesv1.ProfilesService_ListAuditRecords_FullMethodName: {
		want: "U | OK/OK | PD/PD | OK/OK | PD/PD | PD/PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			// "own" lists the whole log the caller may see; "other" asks
			// for B's records by object id. An association admin's view is
			// scoped to A either way: nothing about B or fb.
			req := &profilesv1.ListAuditRecordsRequest{PageSize: 100}
			if tg == other {
				req.ObjectId = h.assocB
			}
			for range 100 {
				resp, err := h.profiles.ListAuditRecords(h.ctx(t, c), req)
				if err != nil {
					return err
				}
				for _, r := range resp.GetRecords() {
					if c.role == roleAssoc && (r.GetObjectId() == h.assocB || r.GetObjectId() == h.firmB) {
						t.Errorf("association admin of A sees audit record %s %s %s (%s)", r.GetAction(), r.GetObjectType(), r.GetObjectId(), r.GetDetail())
					}
				}
				if resp.GetNextPageToken() == "" {
					break
				}
				req.PageToken = resp.GetNextPageToken()
			}
			return nil
		},
	},

	// IdentityService

	profilesv1.IdentityService_Login_FullMethodName: {
		want: "OK | OK | OK | OK | OK | OK",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			// "own" signs in with the caller's own credentials (the
			// anonymous caller uses fa's user), "other" with fb's user.
			username := c.username
			if username == "" {
				username = h.callers[roleFirm].username
			}
			if tg == other {
				username = h.firmBUser
			}
			resp, err := h.identity.Login(h.ctx(t, c), &profilesv1.LoginRequest{Username: username, Password: testPassword})
			if err == nil && resp.GetAccount().GetUsername() != username {
				t.Errorf("login as %s returned account %q", username, resp.GetAccount().GetUsername())
			}
			return err
		},
	},
	profilesv1.IdentityService_GetCurrentAccount_FullMethodName: {
		want: "U | OK | OK | OK | OK | OK",
		call: func(t *testing.T, h *harness, c *caller, _ target) error {
			resp, err := h.identity.GetCurrentAccount(h.ctx(t, c), &profilesv1.GetCurrentAccountRequest{})
			if err == nil && resp.GetAccount().GetUsername() != c.username {
				t.Errorf("current account = %q, want %q", resp.GetAccount().GetUsername(), c.username)
			}
			return err
		},
	},
	profilesv1.IdentityService_ChangePassword_FullMethodName: {
		want: "U | IA | IA | IA | IA | IA",
		call: func(t *testing.T, h *harness, c *caller, _ target) error {
			// A wrong current password, so nothing changes.
			_, err := h.identity.ChangePassword(h.ctx(t, c), &profilesv1.ChangePasswordRequest{
				CurrentPassword: wrongPassword, NewPassword: "Brand-new-password-9",
			})
			return err
		},
	},
	profilesv1.IdentityService_CreateAccount_FullMethodName: {
		want: "U | OK/OK | PD/PD | OK/PD | PD/PD | PD/PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			_, err := h.identity.CreateAccount(h.ctx(t, c), &profilesv1.CreateAccountRequest{
				Account: &profilesv1.Account{
					Username: fmt.Sprintf("new_user%d", h.next()), DisplayName: "新用户",
					Role: commonv1.Role_ROLE_FIRM_USER, FirmId: h.firm(tg),
				},
				Password: testPassword,
			})
			return err
		},
	},
	profilesv1.IdentityService_ListAccounts_FullMethodName: {
		want: "U | OK/OK | PD/PD | OK/PD | PD/PD | PD/PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			req := &profilesv1.ListAccountsRequest{AssociationId: h.association(tg), PageSize: 100}
			for range 100 {
				resp, err := h.identity.ListAccounts(h.ctx(t, c), req)
				if err != nil {
					return err
				}
				for _, a := range resp.GetAccounts() {
					if c.role == roleAssoc && (a.GetFirmId() == h.firmB || a.GetAssociationId() == h.assocB) {
						t.Errorf("association admin of A sees account %s (firm %s, association %s)", a.GetUsername(), a.GetFirmId(), a.GetAssociationId())
					}
				}
				if resp.GetNextPageToken() == "" {
					break
				}
				req.PageToken = resp.GetNextPageToken()
			}
			return nil
		},
	},
	profilesv1.IdentityService_DisableAccount_FullMethodName: {
		want: "U | OK/OK | PD/PD | OK/NF | PD/PD | PD/PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			id := h.freshFirmUser(t, h.firm(tg))
			_, err := h.identity.DisableAccount(h.ctx(t, c), &profilesv1.DisableAccountRequest{Id: id})
			return err
		},
	},
}

// TestAccessMatrix walks every RPC × role × own/other object through a real
// gRPC server and checks the status code; it fails for an RPC of the
// contract (or registered on the server) that has no entry.
func TestAccessMatrix(t *testing.T) {
	methods := contractMethods()
	if len(methods) == 0 {
		t.Fatal("no RPCs found in the profiles file descriptors")
	}
	known := map[string]bool{}
	for _, m := range methods {
		known[m] = true
	}
	for m := range accessMatrix {
		if !known[m] {
			t.Errorf("access matrix has an entry for %s, which the contract does not declare", m)
		}
	}

	h := newHarness(t)
	for svc, info := range h.grpc.GetServiceInfo() {
		for _, m := range info.Methods {
			full := "/" + svc + "/" + m.Name
			if _, ok := accessMatrix[full]; !ok && !isInfrastructure(svc) {
				t.Errorf("the server serves %s, which has no access matrix entry", full)
			}
		}
	}

	var first, last []string
	for _, m := range methods {
		e, ok := accessMatrix[m]
		switch {
		case !ok:
			t.Errorf("RPC %s has no access matrix entry: add one to accessMatrix in access_test.go", m)
		case e.last:
			last = append(last, m)
		default:
			first = append(first, m)
		}
	}
	for _, m := range append(first, last...) {
		e := accessMatrix[m]
		t.Run(shortName(m), func(t *testing.T) {
			want, err := parseWant(e.want)
			if err != nil {
				t.Fatalf("bad expectation row %q: %v", e.want, err)
			}
			for _, role := range matrixRoles {
				c := h.callers[role]
				t.Run(role, func(t *testing.T) {
					for _, tg := range []target{own, other} {
						t.Run(tg.String(), func(t *testing.T) {
							err := e.call(t, h, c, tg)
							if got := status.Code(err); got != want[role][tg] {
								t.Errorf("%s as %s on %s object: code %v (%q), want %v",
									shortName(m), role, tg, got, status.Convert(err).Message(), want[role][tg])
							}
						})
					}
				})
			}
		})
	}
}

// isInfrastructure reports whether svc is a service every server exposes
// (health, reflection) rather than part of the profiles contract.
func isInfrastructure(svc string) bool {
	return svc == "grpc.health.v1.Health" || strings.HasPrefix(svc, "grpc.reflection.")
}

func TestExpiredOrForgedTokenIsUnauthenticated(t *testing.T) {
	h := newHarness(t)
	p := auth.Principal{AccountID: "acc-1", Username: "bureau", Role: auth.RoleBureauAdmin}
	expired, _, err := auth.NewIssuer(h.signer, -time.Minute).Issue(p)
	if err != nil {
		t.Fatal(err)
	}
	_, otherKey, err := auth.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	forged, _, err := auth.NewIssuer(otherKey, time.Hour).Issue(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []struct{ name, token string }{{"expired", expired}, {"forged", forged}} {
		c := &caller{role: tok.name, token: tok.token}
		t.Run(tok.name+"/private GetCurrentAccount", func(t *testing.T) {
			_, err := h.identity.GetCurrentAccount(h.ctx(t, c), &profilesv1.GetCurrentAccountRequest{})
			if got := status.Code(err); got != codes.Unauthenticated {
				t.Errorf("code %v (%v), want Unauthenticated", got, err)
			}
		})
		t.Run(tok.name+"/public GetReferenceData", func(t *testing.T) {
			_, err := h.profiles.GetReferenceData(h.ctx(t, c), &profilesv1.GetReferenceDataRequest{})
			if got := status.Code(err); got != codes.Unauthenticated {
				t.Errorf("code %v (%v), want Unauthenticated", got, err)
			}
		})
	}
}

// A disabled account's token keeps working until it expires (tokens are
// stateless and short-lived, as IdentityService.DisableAccount documents),
// but the account cannot sign in again.
func TestDisabledAccountTokenWorksUntilExpiryButLoginFails(t *testing.T) {
	h := newHarness(t)
	acc := &domain.Account{Username: "firm_a_leaver", Role: auth.RoleFirmUser, FirmID: h.firmA}
	h.ensureAccount(t, acc)
	c := &caller{role: roleFirm, username: acc.Username, token: h.login(t, acc.Username)}

	if _, err := h.identity.DisableAccount(h.bureau(t), &profilesv1.DisableAccountRequest{Id: acc.ID}); err != nil {
		t.Fatalf("disable as bureau: %v", err)
	}

	resp, err := h.identity.GetCurrentAccount(h.ctx(t, c), &profilesv1.GetCurrentAccountRequest{})
	if err != nil {
		t.Fatalf("token issued before disabling: %v, want it to work until expiry", err)
	}
	if !resp.GetAccount().GetDisabled() {
		t.Errorf("current account after disabling: disabled = false, want true")
	}
	if _, err := h.profiles.GetFirm(h.ctx(t, c), &profilesv1.GetFirmRequest{Id: h.firmA}); err != nil {
		t.Errorf("GetFirm with the earlier token: %v, want OK until expiry", err)
	}

	_, err = h.identity.Login(h.ctx(t, &caller{}), &profilesv1.LoginRequest{Username: acc.Username, Password: testPassword})
	if got := status.Code(err); got != codes.Unauthenticated {
		t.Errorf("login of a disabled account: code %v (%v), want Unauthenticated", got, err)
	}
}

// TestStaleEtagDoesNotRevealOtherTenantsFirm: a caller who may not see a firm
// learns nothing from an update with a made-up etag — it gets NOT_FOUND, as
// for a firm that does not exist, not ABORTED with the current version.
func TestStaleEtagDoesNotRevealOtherTenantsFirm(t *testing.T) {
	h := newHarness(t)
	for _, role := range []string{roleOfficer, roleAssoc, roleFirm, roleExpert} {
		ctx := h.ctx(t, h.callers[role])
		_, err := h.profiles.UpdateFirm(ctx, &profilesv1.UpdateFirmRequest{
			Firm:       &profilesv1.Firm{Id: h.firmB, Etag: "999", MainProducts: "探测"},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"main_products"}},
		})
		if c := status.Code(err); c != codes.NotFound {
			t.Errorf("%s: stale etag on another tenant's firm = %v (%v), want NotFound", role, c, err)
		}
	}
}
