// Package sources reads the change feeds and full scans of the profiles and
// catalog services over gRPC, as the match service's index sources, and
// turns the objects into search documents.
package sources

import (
	"context"
	"errors"
	"io"
	"time"

	"google.golang.org/grpc"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/services/match/docs"
	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/indexsync"
)

// Credentials puts the match service's own token on outgoing calls.
type Credentials interface {
	Outgoing(ctx context.Context) (context.Context, error)
}

func item(r *commonv1.ChangeRecord, doc *index.Document) indexsync.Item {
	it := indexsync.Item{Sequence: r.GetSequence(), ID: r.GetId(), Version: r.GetVersion(), Deleted: r.GetDeleted() || doc == nil, Doc: doc}
	if r.GetRecordTime() != nil {
		it.Time = r.GetRecordTime().AsTime()
	}
	if doc != nil && !it.Deleted {
		// The object read at delivery time may be newer than the record.
		it.Version = doc.Version
	} else {
		it.Doc = nil
	}
	return it
}

// feed is the part shared by every source: a name, a kind, a page reader
// and a scanner.
type feed struct {
	name  string
	kind  index.Kind
	creds Credentials
	list  func(ctx context.Context, after int64, max int32) (indexsync.Page, error)
	scan  func(ctx context.Context, ids []string, fn func(head int64, items []indexsync.Item) error) error
}

func (f *feed) Name() string     { return f.name }
func (f *feed) Kind() index.Kind { return f.kind }

func (f *feed) Changes(ctx context.Context, after int64, max int) (indexsync.Page, error) {
	ctx, err := f.creds.Outgoing(ctx)
	if err != nil {
		return indexsync.Page{}, err
	}
	return f.list(ctx, after, int32(max))
}

func (f *feed) Scan(ctx context.Context, ids []string, fn func(head int64, items []indexsync.Item) error) error {
	ctx, err := f.creds.Outgoing(ctx)
	if err != nil {
		return err
	}
	return f.scan(ctx, ids, fn)
}

// recv drains a scan stream through fn.
func recv[M any](next func() (M, error), conv func(M) (int64, []indexsync.Item), fn func(int64, []indexsync.Item) error) error {
	for {
		msg, err := next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		head, items := conv(msg)
		if err := fn(head, items); err != nil {
			return err
		}
	}
}

func profileItem(c *profilesv1.ProfileChange) indexsync.Item {
	var doc *index.Document
	switch o := c.GetObject().(type) {
	case *profilesv1.ProfileChange_Firm:
		d := docs.FirmDocument(o.Firm, c.GetRecord().GetVersion())
		d.Version = versionOf(o.Firm.GetEtag(), c.GetRecord().GetVersion())
		doc = &d
	case *profilesv1.ProfileChange_Association:
		d := docs.AssociationDocument(o.Association, c.GetRecord().GetVersion())
		d.Version = versionOf(o.Association.GetEtag(), c.GetRecord().GetVersion())
		doc = &d
	}
	return item(c.GetRecord(), doc)
}

func catalogItem(c *catalogv1.CatalogChange) indexsync.Item {
	var doc *index.Document
	switch o := c.GetObject().(type) {
	case *catalogv1.CatalogChange_Policy:
		d := docs.PolicyDocument(o.Policy, int64(o.Policy.GetVersion()))
		doc = &d
	case *catalogv1.CatalogChange_Belt:
		d := docs.BeltDocument(o.Belt, versionOf(o.Belt.GetEtag(), c.GetRecord().GetVersion()))
		doc = &d
	}
	return item(c.GetRecord(), doc)
}

// Profiles returns the sources of the firms and associations indexes.
func Profiles(conn grpc.ClientConnInterface, creds Credentials) []indexsync.Source {
	client := profilesv1.NewProfilesSyncServiceClient(conn)
	mk := func(name string, kind index.Kind, src profilesv1.ProfileSource) indexsync.Source {
		return &feed{
			name: name, kind: kind, creds: creds,
			list: func(ctx context.Context, after int64, max int32) (indexsync.Page, error) {
				resp, err := client.ListProfileChanges(ctx, &profilesv1.ListProfileChangesRequest{Source: src, AfterSequence: after, MaxChanges: max})
				if err != nil {
					return indexsync.Page{}, err
				}
				p := indexsync.Page{Head: resp.GetHeadSequence(), Missing: resp.GetMissingSequences()}
				for _, c := range resp.GetChanges() {
					p.Items = append(p.Items, profileItem(c))
				}
				return p, nil
			},
			scan: func(ctx context.Context, ids []string, fn func(int64, []indexsync.Item) error) error {
				stream, err := client.ScanProfiles(ctx, &profilesv1.ScanProfilesRequest{Source: src, Ids: ids})
				if err != nil {
					return err
				}
				return recv(stream.Recv, func(m *profilesv1.ScanProfilesResponse) (int64, []indexsync.Item) {
					items := make([]indexsync.Item, 0, len(m.GetObjects()))
					for _, c := range m.GetObjects() {
						items = append(items, profileItem(c))
					}
					return m.GetHeadSequence(), items
				}, fn)
			},
		}
	}
	return []indexsync.Source{
		mk("profiles.firms", index.KindFirm, profilesv1.ProfileSource_PROFILE_SOURCE_FIRMS),
		mk("profiles.associations", index.KindAssociation, profilesv1.ProfileSource_PROFILE_SOURCE_ASSOCIATIONS),
	}
}

// Catalog returns the sources of the policies and belts indexes.
func Catalog(conn grpc.ClientConnInterface, creds Credentials) []indexsync.Source {
	client := catalogv1.NewCatalogSyncServiceClient(conn)
	mk := func(name string, kind index.Kind, src catalogv1.CatalogSource) indexsync.Source {
		return &feed{
			name: name, kind: kind, creds: creds,
			list: func(ctx context.Context, after int64, max int32) (indexsync.Page, error) {
				resp, err := client.ListCatalogChanges(ctx, &catalogv1.ListCatalogChangesRequest{Source: src, AfterSequence: after, MaxChanges: max})
				if err != nil {
					return indexsync.Page{}, err
				}
				p := indexsync.Page{Head: resp.GetHeadSequence(), Missing: resp.GetMissingSequences()}
				for _, c := range resp.GetChanges() {
					p.Items = append(p.Items, catalogItem(c))
				}
				return p, nil
			},
			scan: func(ctx context.Context, ids []string, fn func(int64, []indexsync.Item) error) error {
				stream, err := client.ScanCatalog(ctx, &catalogv1.ScanCatalogRequest{Source: src, Ids: ids})
				if err != nil {
					return err
				}
				return recv(stream.Recv, func(m *catalogv1.ScanCatalogResponse) (int64, []indexsync.Item) {
					items := make([]indexsync.Item, 0, len(m.GetObjects()))
					for _, c := range m.GetObjects() {
						items = append(items, catalogItem(c))
					}
					return m.GetHeadSequence(), items
				}, fn)
			},
		}
	}
	return []indexsync.Source{
		mk("catalog.policies", index.KindPolicy, catalogv1.CatalogSource_CATALOG_SOURCE_POLICIES),
		mk("catalog.belts", index.KindBelt, catalogv1.CatalogSource_CATALOG_SOURCE_BELTS),
	}
}

// versionOf reads an object's version from its etag (the profiles and belt
// messages carry no version field); fallback when it has none.
func versionOf(tag string, fallback int64) int64 {
	if v, err := etag.Parse("etag", tag, false); err == nil && v > 0 {
		return v
	}
	return fallback
}

func consultItem(c *consultv1.ConsultChange) indexsync.Item {
	var doc *index.Document
	if es := c.GetExpert(); es != nil {
		var next time.Time
		if es.GetNextOpenSlotTime() != nil {
			next = es.GetNextOpenSlotTime().AsTime()
		}
		d := docs.ExpertDocument(es.GetExpert(), versionOf(es.GetExpert().GetEtag(), c.GetRecord().GetVersion()), next)
		doc = &d
	}
	return item(c.GetRecord(), doc)
}

// Consult returns the source of the experts index.
func Consult(conn grpc.ClientConnInterface, creds Credentials) []indexsync.Source {
	client := consultv1.NewConsultSyncServiceClient(conn)
	src := consultv1.ConsultSource_CONSULT_SOURCE_EXPERTS
	return []indexsync.Source{&feed{
		name: "consult.experts", kind: index.KindExpert, creds: creds,
		list: func(ctx context.Context, after int64, max int32) (indexsync.Page, error) {
			resp, err := client.ListConsultChanges(ctx, &consultv1.ListConsultChangesRequest{Source: src, AfterSequence: after, MaxChanges: max})
			if err != nil {
				return indexsync.Page{}, err
			}
			p := indexsync.Page{Head: resp.GetHeadSequence(), Missing: resp.GetMissingSequences()}
			for _, c := range resp.GetChanges() {
				p.Items = append(p.Items, consultItem(c))
			}
			return p, nil
		},
		scan: func(ctx context.Context, ids []string, fn func(int64, []indexsync.Item) error) error {
			stream, err := client.ScanConsult(ctx, &consultv1.ScanConsultRequest{Source: src, Ids: ids})
			if err != nil {
				return err
			}
			return recv(stream.Recv, func(m *consultv1.ScanConsultResponse) (int64, []indexsync.Item) {
				items := make([]indexsync.Item, 0, len(m.GetObjects()))
				for _, c := range m.GetObjects() {
					items = append(items, consultItem(c))
				}
				return m.GetHeadSequence(), items
			}, fn)
		},
	}}
}
